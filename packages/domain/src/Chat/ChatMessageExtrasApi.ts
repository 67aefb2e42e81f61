import { Schema } from "effect"
import { HttpApiEndpoint } from "effect/http-api"
import { Forbidden } from "../Kit/AccessErrors.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, Page, PageQuery } from "../Kit/Page.ts"
import { ChannelArchived, ChannelId, ChannelNotFound, ChatMessage, MessageId, MessageNotFound } from "./Chat.ts"
import { ChannelPinLimitReached, ReactionEmoji, TooManyReactions } from "./ChatMessageExtras.ts"

export class FollowedThread extends Schema.Class<FollowedThread>("FollowedThread")(
  {
    message: ChatMessage,
    following: Schema.Boolean.annotate({ description: "Whether you follow the thread" }),
    unreadCount: Schema.Int.annotate({
      description: "Replies by others after the last one you read (deleted ones aside), up to 1000"
    })
  },
  { description: "A thread you follow, and how much of it you have not read" }
) {}

export const FollowedThreadPage = Page(FollowedThread, "FollowedThreadPage")

const messageParams = { id: MessageId }
const reactionParams = { id: MessageId, emoji: ReactionEmoji }

export const ReactToMessage = Operation.make(
  {
    rpc: "ReactToMessage",
    access: Access.signedIn,
    params: reactionParams,
    success: ChatMessage,
    errors: [MessageNotFound, Forbidden, ChannelArchived, TooManyReactions],
    summary: "React to a message",
    description:
      "Those in the channel, with any emoji (URL-encode it in the path); several per person, each once: reacting again changes nothing. Everyone in the channel hears of it (`chat.reaction.changed`)."
  },
  (rest) =>
    HttpApiEndpoint.put("reactToMessage", "/messages/:id/reactions/:emoji", rest.options).middleware(rest.middleware)
)

export const RemoveMessageReaction = Operation.make(
  {
    rpc: "RemoveMessageReaction",
    access: Access.signedIn,
    params: reactionParams,
    success: ChatMessage,
    errors: [MessageNotFound, Forbidden, ChannelArchived],
    summary: "Take back a reaction",
    description: "Your reaction with this emoji, if you made one; without it, nothing changes."
  },
  (rest) =>
    HttpApiEndpoint.delete("removeMessageReaction", "/messages/:id/reactions/:emoji", rest.options).middleware(
      rest.middleware
    )
)

export const PinMessage = Operation.make(
  {
    rpc: "PinMessage",
    access: Access.signedIn,
    params: messageParams,
    success: ChatMessage,
    errors: [MessageNotFound, Forbidden, ChannelArchived, ChannelPinLimitReached],
    summary: "Pin a message",
    description:
      "Anyone in the channel; at most 100 pinned messages a channel. Pinning a pinned message changes nothing."
  },
  (rest) => HttpApiEndpoint.put("pinMessage", "/messages/:id/pin", rest.options).middleware(rest.middleware)
)

export const UnpinMessage = Operation.make(
  {
    rpc: "UnpinMessage",
    access: Access.signedIn,
    params: messageParams,
    success: ChatMessage,
    errors: [MessageNotFound, Forbidden, ChannelArchived],
    summary: "Unpin a message",
    description: "Anyone in the channel."
  },
  (rest) => HttpApiEndpoint.delete("unpinMessage", "/messages/:id/pin", rest.options).middleware(rest.middleware)
)

export const ListPinnedMessages = Operation.make(
  {
    rpc: "ListPinnedMessages",
    access: Access.signedIn,
    params: { id: ChannelId },
    success: Schema.Array(ChatMessage).annotate({ description: "Newest pin first (at most 100)" }),
    errors: [ChannelNotFound],
    summary: "A channel's pinned messages",
    description: "Whoever may read the channel; the most recently pinned first."
  },
  (rest) => HttpApiEndpoint.get("listPinnedMessages", "/channels/:id/pins", rest.options).middleware(rest.middleware)
)

export const FollowThread = Operation.make(
  {
    rpc: "FollowThread",
    access: Access.signedIn,
    params: messageParams,
    success: FollowedThread,
    errors: [MessageNotFound],
    summary: "Follow a thread",
    description:
      "Whoever may read the channel, for a message that is not itself a reply. You follow the threads you start or reply in without asking."
  },
  (rest) => HttpApiEndpoint.put("followThread", "/messages/:id/follow", rest.options).middleware(rest.middleware)
)

export const UnfollowThread = Operation.make(
  {
    rpc: "UnfollowThread",
    access: Access.signedIn,
    params: messageParams,
    success: FollowedThread,
    errors: [MessageNotFound],
    summary: "Stop following a thread",
    description: "It stays so until you follow it again or reply in it."
  },
  (rest) => HttpApiEndpoint.delete("unfollowThread", "/messages/:id/follow", rest.options).middleware(rest.middleware)
)

export const MarkThreadRead = Operation.make(
  {
    rpc: "MarkThreadRead",
    access: Access.signedIn,
    params: messageParams,
    success: FollowedThread,
    errors: [MessageNotFound],
    summary: "Mark a thread read",
    description: "Up to its newest reply; reading never moves backwards."
  },
  (rest) =>
    HttpApiEndpoint.post("markThreadRead", "/messages/:id/replies/read", rest.options).middleware(rest.middleware)
)

export const ListFollowedThreads = Operation.make(
  {
    rpc: "ListFollowedThreads",
    access: Access.signedIn,
    query: PageQuery,
    success: FollowedThreadPage,
    errors: [InvalidCursor],
    summary: "The threads you follow",
    description:
      "With their unread reply counts, the most recently active first; only threads of channels you may still read (a page may hold fewer than `limit`)."
  },
  (rest) => HttpApiEndpoint.get("listFollowedThreads", "/me/threads", rest.options).middleware(rest.middleware)
)

/** Reactions, pins and followed threads: listed in `ChatOperations`. */
export const ChatMessageExtrasOperations = [
  ReactToMessage,
  RemoveMessageReaction,
  PinMessage,
  UnpinMessage,
  ListPinnedMessages,
  FollowThread,
  UnfollowThread,
  MarkThreadRead,
  ListFollowedThreads
] as const
