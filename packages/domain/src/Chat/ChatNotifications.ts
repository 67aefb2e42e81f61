import { Schema } from "effect"
import { GroupId } from "../Groups/Group.ts"
import * as Job from "../Jobs/Job.ts"
import * as NotificationKind from "../Notifications/NotificationKind.ts"
import { ChannelId, MessageId } from "./Chat.ts"

const excerpt = Schema.String.annotate({ description: "The start of the message, mentions as `@nickname`" })

/** What a notification about a message of a group's channel carries. */
const InChannel = Schema.Struct({
  messageId: MessageId,
  channelId: ChannelId,
  groupId: GroupId,
  channelName: Schema.String,
  threadRootId: Schema.NullOr(MessageId).annotate({ description: "The thread's first message, for a reply" }),
  excerpt
})

const quoted = (text: string) => `“${text}”`

export const ChatDirectMessage = NotificationKind.make({
  type: "chat.direct_message",
  identifier: "ChatDirectMessageNotification",
  description: "A message in one of your direct conversations",
  subject: "chatMessage",
  data: Schema.Struct({
    messageId: MessageId,
    channelId: ChannelId,
    threadRootId: Schema.NullOr(MessageId),
    excerpt
  }),
  defaults: { email: false, push: true },
  text: (who, data) => `${who} sent you a message: ${quoted(data.excerpt)}`
})

export const ChatMention = NotificationKind.make({
  type: "chat.mention",
  identifier: "ChatMentionNotification",
  description: "Someone mentions you, or `@channel`, in a channel you are in",
  subject: "chatMessage",
  data: InChannel,
  mutedWithGroup: true,
  defaults: { email: false, push: true },
  text: (who, data) => `${who} mentioned you in #${data.channelName}: ${quoted(data.excerpt)}`
})

export const ChatThreadReply = NotificationKind.make({
  type: "chat.thread_reply",
  identifier: "ChatThreadReplyNotification",
  description: "A reply in a thread you follow",
  subject: "chatMessage",
  data: InChannel,
  mutedWithGroup: true,
  defaults: { email: false, push: false },
  text: (who, data) => `${who} replied in a thread in #${data.channelName}: ${quoted(data.excerpt)}`
})

export const ChatChannelMessage = NotificationKind.make({
  type: "chat.message",
  identifier: "ChatMessageNotification",
  description: "A new message in a channel whose notifications you set to `all`",
  subject: "chatMessage",
  data: InChannel,
  mutedWithGroup: true,
  defaults: { email: false, push: false },
  text: (who, data) => `${who} in #${data.channelName}: ${quoted(data.excerpt)}`
})

/** Every notification the chat feature sends. */
export const ChatNotificationKinds = [ChatDirectMessage, ChatMention, ChatThreadReply, ChatChannelMessage] as const

/** A notification from the chat feature, as clients receive it. */
export const ChatNotification = Schema.Union([
  ChatDirectMessage.schema,
  ChatMention.schema,
  ChatThreadReply.schema,
  ChatChannelMessage.schema
])

/**
 * A message sent, to notify people of: enqueued in the send's transaction; the worker works out who
 * is told (`ChatNotifier`) from the message and the channel as they are when it runs.
 */
export const NotifyChatMessage = Job.make("NotifyChatMessage", Schema.Struct({ messageId: MessageId }), {
  key: (payload) => `chat-message:${payload.messageId}`
})
