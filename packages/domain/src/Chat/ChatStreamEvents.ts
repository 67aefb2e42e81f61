import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import { ChannelId, ChatMessage, MessageId, ReadState, ThreadSummary } from "./Chat.ts"
import { MessageReaction } from "./ChatMessageExtras.ts"

/**
 * What chat tells the realtime stream. Unlike other features' events, a message travels whole: a
 * chat client shows it at once, and only those who may read the channel receive its topic.
 */
export const ChatMessageEvent = Schema.Struct({ message: ChatMessage })
export const ChatMessageDeletedEvent = Schema.Struct({
  channelId: ChannelId,
  messageId: MessageId,
  threadRootId: Schema.NullOr(MessageId)
})
export const ChatThreadUpdatedEvent = Schema.Struct({
  channelId: ChannelId,
  messageId: MessageId.annotate({ description: "The thread's first message" }),
  thread: ThreadSummary
})
export const ChatChannelEvent = Schema.Struct({ channelId: ChannelId })
export const ChatMemberEvent = Schema.Struct({ channelId: ChannelId, userId: UserId })
export const ChatReadEvent = ReadState
export const ChatReactionChangedEvent = Schema.Struct({
  channelId: ChannelId,
  messageId: MessageId,
  threadRootId: Schema.NullOr(MessageId).annotate({ description: "The thread, when the message is a reply" }),
  reactions: Schema.Array(MessageReaction).annotate({ description: "The message's reactions as they now stand" })
})
