import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import { Timestamp } from "../Kit/Timestamp.ts"
import { ChannelId, MessageId } from "./Chat.ts"

export const PresenceStatus = Schema.Literals(["online", "away", "offline"]).annotate({
  identifier: "PresenceStatus",
  description:
    "`online`: has the app open (a realtime stream) on some device; `away`: open, but said they are away (or their app went idle); `offline`: no stream for the presence TTL"
})
export type PresenceStatus = typeof PresenceStatus.Type

export const UserPresence = Schema.Struct({
  userId: UserId,
  status: PresenceStatus,
  lastSeenAt: Schema.NullOr(Timestamp).annotate({
    description: "When offline: when they last had a stream open (null while connected, or if not known)"
  })
}).annotate({ identifier: "UserPresence", description: "Whether someone is here" })
export type UserPresence = typeof UserPresence.Type

export const ChannelPresence = Schema.Struct({
  channelId: ChannelId,
  users: Schema.Array(UserPresence).annotate({
    description:
      "The people in the channel who are online or away (everyone else is offline); in a direct conversation, everyone else in it, with when they were last seen"
  })
}).annotate({ identifier: "ChannelPresence", description: "Who of a channel is here" })
export type ChannelPresence = typeof ChannelPresence.Type

export const SetPresencePayload = Schema.Struct({
  status: Schema.Literals(["online", "away"]).annotate({
    description: "`away` while you are idle or said so; `online` when you are back"
  })
}).annotate({ identifier: "SetPresencePayload", description: "Your status while your app is open" })

export const SendTypingPayload = Schema.Struct({
  threadRootId: Schema.optional(MessageId).annotate({ description: "Typing a reply in this thread" })
}).annotate({ identifier: "SendTypingPayload", description: "Where you are typing" })

/** What the stream says of someone typing in a channel (ephemeral: never stored nor replayed). */
export const ChatTypingEvent = Schema.Struct({
  channelId: ChannelId,
  userId: UserId,
  threadRootId: Schema.NullOr(MessageId).annotate({ description: "Typing a reply in this thread" })
})

/** What the stream says of a change of someone's presence, on each channel they are in (ephemeral). */
export const ChatPresenceEvent = Schema.Struct({
  channelId: ChannelId,
  userId: UserId,
  status: PresenceStatus,
  lastSeenAt: Schema.NullOr(Timestamp)
})
