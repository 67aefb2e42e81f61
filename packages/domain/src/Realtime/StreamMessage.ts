import { Schema } from "effect"
import {
  ChatChannelEvent,
  ChatMemberEvent,
  ChatMessageDeletedEvent,
  ChatMessageEvent,
  ChatReactionChangedEvent,
  ChatReadEvent,
  ChatThreadUpdatedEvent
} from "../Chat/ChatStreamEvents.ts"
import { ChatPresenceEvent, ChatTypingEvent } from "../Chat/Presence.ts"
import { EventRsvpsEvent, EventUpdatedEvent } from "../Events/EventStreamEvents.ts"
import { GroupMemberChanged, GroupUpdated } from "../Groups/GroupStreamEvents.ts"
import { Notification } from "../Notifications/Catalogue.ts"
import { NotificationCounts } from "../Notifications/NotificationsApi.ts"
import { CommentCreatedEvent, PostCreatedEvent } from "../Posts/PostStreamEvents.ts"

const cursor = Schema.String.annotate({
  description:
    "Where the stream is after this message: pass it back (`cursor`, or SSE's `Last-Event-ID`) to resume from here"
})

const message = <const Type extends string, Data extends Schema.Top>(type: Type, data: Data, description: string) =>
  Schema.Struct({
    type: Schema.Literal(type),
    topic: Schema.String.annotate({
      description: "`user:<your id>`, or a topic you joined: `group:<id>`, `post:<id>`, `event:<id>`, `channel:<id>`"
    }),
    cursor,
    data
  }).annotate({ description })

export const NotificationCreatedMessage = message(
  "notification.created",
  Schema.Struct({ notification: Notification }),
  "A notification arrived (or a collapsed one changed)"
)
export const NotificationCountsMessage = message(
  "notification.counts",
  NotificationCounts,
  "Your unread and unseen counts changed"
)
export const GroupUpdatedMessage = message("group.updated", GroupUpdated, "The group changed: fetch it again")
export const GroupDeletedMessage = message("group.deleted", GroupUpdated, "The group was deleted")
export const GroupMemberJoinedMessage = message("group.memberJoined", GroupMemberChanged, "Someone joined the group")
export const GroupMemberLeftMessage = message("group.memberLeft", GroupMemberChanged, "Someone left the group")
export const PostCreatedMessage = message(
  "post.created",
  PostCreatedEvent,
  "A new post in the group (on `group:<id>`): fetch it"
)
export const CommentCreatedMessage = message(
  "comment.created",
  CommentCreatedEvent,
  "A new comment on the post (on `post:<id>`, which whoever may see the post joins): fetch it"
)
export const EventUpdatedMessage = message(
  "event.updated",
  EventUpdatedEvent,
  "The event changed (on `event:<id>`, which whoever may see the event joins): fetch it"
)
export const EventRsvpsMessage = message(
  "event.rsvps",
  EventRsvpsEvent,
  "An answer changed the event's counts, or an occurrence's (on `event:<id>`): the counts as they now stand"
)
export const ChatMessageCreatedMessage = message(
  "chat.message.created",
  ChatMessageEvent,
  "A new message or thread reply in the channel (on `channel:<id>`), whole"
)
export const ChatMessageUpdatedMessage = message(
  "chat.message.updated",
  ChatMessageEvent,
  "A message was edited (on `channel:<id>`), whole"
)
export const ChatMessageDeletedMessage = message(
  "chat.message.deleted",
  ChatMessageDeletedEvent,
  "A message was deleted (on `channel:<id>`): show it as deleted"
)
export const ChatThreadUpdatedMessage = message(
  "chat.thread.updated",
  ChatThreadUpdatedEvent,
  "A thread got a reply (on `channel:<id>`): its first message's summary as it now stands"
)
export const ChatChannelUpdatedMessage = message(
  "chat.channel.updated",
  ChatChannelEvent,
  "The channel was renamed, got a topic, or was archived or brought back (on `channel:<id>`): fetch it"
)
export const ChatMemberJoinedMessage = message(
  "chat.member.joined",
  ChatMemberEvent,
  "Someone joined the channel or was added (on `channel:<id>`)"
)
export const ChatMemberLeftMessage = message(
  "chat.member.left",
  ChatMemberEvent,
  "Someone left the channel or was removed (on `channel:<id>`)"
)
export const ChatReadMessage = message(
  "chat.read",
  ChatReadEvent,
  "You read a channel, on this or another device (on your own topic): its counts as they now stand"
)

export const ChatReactionChangedMessage = message(
  "chat.reaction.changed",
  ChatReactionChangedEvent,
  "Someone reacted to a message or took a reaction back (on `channel:<id>`): its reactions as they now stand"
)

/** The chat events of the stream. */
export const ChatStreamMessage = Schema.Union([
  ChatMessageCreatedMessage,
  ChatMessageUpdatedMessage,
  ChatMessageDeletedMessage,
  ChatThreadUpdatedMessage,
  ChatChannelUpdatedMessage,
  ChatMemberJoinedMessage,
  ChatMemberLeftMessage,
  ChatReadMessage,
  ChatReactionChangedMessage
])
export type ChatStreamMessage = typeof ChatStreamMessage.Type

export const ChatTypingMessage = message(
  "chat.typing",
  ChatTypingEvent,
  "Someone is typing in the channel (on `channel:<id>`): show it for about 5 s after the last one. Ephemeral: its `cursor` is empty, and it is never replayed"
)
export const ChatPresenceMessage = message(
  "chat.presence",
  ChatPresenceEvent,
  "Someone in the channel came online, went away or offline (on `channel:<id>`). Ephemeral: its `cursor` is empty, and it is never replayed"
)

/** What chat says on the stream without storing it (typing, presence): live only, with an empty cursor. */
export const ChatSignalMessage = Schema.Union([ChatTypingMessage, ChatPresenceMessage])
export type ChatSignalMessage = typeof ChatSignalMessage.Type

export const TopicLeftMessage = message(
  "topic.left",
  Schema.Struct({
    reason: Schema.Literals(["access", "deleted"]).annotate({
      description: "`access`: you may no longer see it; `deleted`: it is gone"
    })
  }),
  "You no longer receive this topic"
)
export const StreamResetMessage = message(
  "stream.reset",
  Schema.Struct({
    reason: Schema.Literals(["expired", "unknown"]).annotate({
      description:
        "`expired`: the cursor is older than the retention window; `unknown`: it is not a cursor of this stream"
    })
  }),
  "What you missed can no longer be replayed: reload what you show, then carry on from this message"
)
export const StreamReadyMessage = message(
  "stream.ready",
  Schema.Struct({ topics: Schema.Array(Schema.String).annotate({ description: "What this stream receives" }) }),
  "Sent first: you are subscribed; what you missed (if you passed a cursor) and live events follow"
)
export const StreamHeartbeatMessage = message(
  "stream.heartbeat",
  Schema.Struct({}),
  "Sent when nothing else was for a while, so clients and proxies know the stream is alive"
)

/** One message of your realtime stream; `type` says what it is. */
export const StreamMessage = Schema.Union([
  NotificationCreatedMessage,
  NotificationCountsMessage,
  GroupUpdatedMessage,
  GroupDeletedMessage,
  GroupMemberJoinedMessage,
  GroupMemberLeftMessage,
  PostCreatedMessage,
  CommentCreatedMessage,
  EventUpdatedMessage,
  EventRsvpsMessage,
  ChatMessageCreatedMessage,
  ChatMessageUpdatedMessage,
  ChatMessageDeletedMessage,
  ChatThreadUpdatedMessage,
  ChatChannelUpdatedMessage,
  ChatMemberJoinedMessage,
  ChatMemberLeftMessage,
  ChatReadMessage,
  ChatReactionChangedMessage,
  ChatTypingMessage,
  ChatPresenceMessage,
  TopicLeftMessage,
  StreamResetMessage,
  StreamReadyMessage,
  StreamHeartbeatMessage
]).annotate({ identifier: "StreamMessage", description: "One message of your realtime stream" })
export type StreamMessage = typeof StreamMessage.Type
