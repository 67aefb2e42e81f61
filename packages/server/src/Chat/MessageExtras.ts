import type { UserId } from "@moim/domain/Accounts/User"
import {
  ChannelArchived,
  type ChannelId,
  type ChannelNotFound,
  type ChatMessage,
  type MessageId,
  MessageNotFound
} from "@moim/domain/Chat/Chat"
import {
  ChannelPinLimitReached,
  type MessageReaction,
  maxPinsPerChannel,
  maxReactionEmoji,
  TooManyReactions
} from "@moim/domain/Chat/ChatMessageExtras"
import { FollowedThread } from "@moim/domain/Chat/ChatMessageExtrasApi"
import { ChatReactionChangedEvent } from "@moim/domain/Chat/ChatStreamEvents"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import type { MediaId } from "@moim/domain/Media/Media"
import type { MediaNotAttachable, MediaNotFound } from "@moim/domain/Media/MediaErrors"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { ActivityLog } from "../Access/ActivityLog.ts"
import { Actor } from "../Access/Actor.ts"
import { MediaLibrary } from "../Media/MediaLibrary.ts"
import { Cursors, type Page, type PageQuery, TimePosition } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { StreamOutbox } from "../Realtime/StreamOutbox.ts"
import { ChannelsRepo } from "./ChannelsRepo.ts"
import { ChatAccess } from "./ChatAccess.ts"
import { ChatHistoryCache } from "./ChatHistoryCache.ts"
import { type ChannelContext, ChatPolicy } from "./ChatPolicy.ts"
import { ChatStream, channelTopic } from "./ChatStream.ts"
import { ChatViews } from "./ChatViews.ts"
import { MessageExtrasRepo, type ThreadRow } from "./MessageExtrasRepo.ts"
import { type MessageRow, MessagesRepo } from "./MessagesRepo.ts"

type SignedIn = CurrentUser["Service"]

const messageNotFound = new MessageNotFound({ message: "No such message, or not one you may see" })
const encodeReactions = Schema.encodeEffect(Schema.toCodecJson(ChatReactionChangedEvent))
const subjectOf = (id: MessageId) => ({ kind: "message", id })

/**
 * What messages carry beside their text: reactions, pins, photos (through `MediaLibrary`), and the
 * threads people follow with their unread replies. Whoever may not read a message's channel finds
 * neither it nor its channel; those in it react and pin, while it is not archived.
 */
export class MessageExtras extends Context.Service<
  MessageExtras,
  {
    readonly react: (
      user: SignedIn,
      id: MessageId,
      emoji: string
    ) => Effect.Effect<ChatMessage, MessageNotFound | Forbidden | ChannelArchived | TooManyReactions>
    readonly unreact: (
      user: SignedIn,
      id: MessageId,
      emoji: string
    ) => Effect.Effect<ChatMessage, MessageNotFound | Forbidden | ChannelArchived>
    readonly pin: (
      user: SignedIn,
      id: MessageId
    ) => Effect.Effect<ChatMessage, MessageNotFound | Forbidden | ChannelArchived | ChannelPinLimitReached>
    readonly unpin: (
      user: SignedIn,
      id: MessageId
    ) => Effect.Effect<ChatMessage, MessageNotFound | Forbidden | ChannelArchived>
    readonly pins: (user: SignedIn, channelId: ChannelId) => Effect.Effect<ReadonlyArray<ChatMessage>, ChannelNotFound>
    readonly follow: (user: SignedIn, id: MessageId) => Effect.Effect<FollowedThread, MessageNotFound>
    readonly unfollow: (user: SignedIn, id: MessageId) => Effect.Effect<FollowedThread, MessageNotFound>
    readonly readThread: (user: SignedIn, id: MessageId) => Effect.Effect<FollowedThread, MessageNotFound>
    readonly threads: (user: SignedIn, query: PageQuery) => Effect.Effect<Page<FollowedThread>, InvalidCursor>
    /** For `Messages`, in a send's transaction: claims the photos for the new message; their ids, once each. */
    readonly claimAttachments: (
      ownerId: UserId,
      messageId: MessageId,
      ids: ReadonlyArray<MediaId>
    ) => Effect.Effect<ReadonlyArray<MediaId>, MediaNotFound | MediaNotAttachable>
    /** For `Messages`, in an edit's transaction: the message's photos become `ids`; the others are released. */
    readonly replaceAttachments: (
      ownerId: UserId,
      message: MessageRow,
      ids: ReadonlyArray<MediaId>
    ) => Effect.Effect<MessageRow, MediaNotFound | MediaNotAttachable>
    /** For `Messages`, in a reply's transaction: the replier and the thread's starter follow it. */
    readonly replied: (root: MessageRow, replierId: UserId, replySeq: number) => Effect.Effect<void>
    /** For `Messages`, in a deletion's transaction: no reactions, pin or photos stay. */
    readonly deleted: (message: MessageRow) => Effect.Effect<void>
  }
>()("@moim/server/Chat/MessageExtras") {
  static readonly layer = Layer.effect(
    MessageExtras,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const activity = yield* ActivityLog
      const messages = yield* MessagesRepo
      const repo = yield* MessageExtrasRepo
      const channels = yield* ChannelsRepo
      const access = yield* ChatAccess
      const views = yield* ChatViews
      const media = yield* MediaLibrary
      const cache = yield* ChatHistoryCache
      const cursors = yield* Cursors
      const outbox = yield* StreamOutbox
      const stream = yield* ChatStream.make

      /** The message and its channel, if the actor may read it. */
      const see = Effect.fn("MessageExtras.see")(function* (actor: NonNullable<Actor>, row: Option.Option<MessageRow>) {
        if (Option.isNone(row)) return yield* messageNotFound
        const context = yield* access
          .find(actor, row.value.channelId)
          .pipe(Effect.catchTag("ChannelNotFound", () => Effect.fail(messageNotFound)))
        return { message: row.value, context }
      })

      /** Those in the channel change what a message carries, while it is not archived. */
      const mayChange = (context: ChannelContext) =>
        context.channel.archivedAt !== null
          ? Effect.fail(new ChannelArchived({ message: "The channel is archived" }))
          : ChatPolicy.canWrite(context)
            ? Effect.void
            : Effect.fail(new Forbidden({ message: "Join the channel to react to or pin its messages" }))

      /** A thread's first message the actor may read. */
      const rootOf = Effect.fn("MessageExtras.rootOf")(function* (user: SignedIn, id: MessageId) {
        const { message } = yield* see(Actor.of(user), yield* messages.find(id))
        if (message.threadRootId !== null) {
          return yield* new MessageNotFound({ message: "A reply has no thread of its own" })
        }
        return message
      })

      const threadOf = (row: ThreadRow) =>
        Effect.map(
          views.message(row),
          (message) => new FollowedThread({ message, following: row.following, unreadCount: row.unreadCount })
        )

      const stateOf = Effect.fn("MessageExtras.stateOf")(function* (user: SignedIn, rootId: MessageId) {
        const [row] = yield* repo.threads([rootId], user.userId)
        if (row === undefined) return yield* messageNotFound
        return yield* threadOf(row)
      })

      const changeReaction = Effect.fn("MessageExtras.changeReaction")(function* (
        user: SignedIn,
        id: MessageId,
        emoji: string,
        add: boolean
      ) {
        const actor = Actor.of(user)
        const { row, reacted } = yield* transaction(
          Effect.gen(function* () {
            const { message, context } = yield* see(actor, yield* messages.lock(id))
            yield* mayChange(context)
            if (message.deletedAt !== null) {
              if (add) return yield* new MessageNotFound({ message: "The message was deleted" })
              return { row: message, reacted: null }
            }
            const known = message.reactions.some((reaction) => reaction.emoji === emoji)
            if (add && !known && message.reactions.length >= maxReactionEmoji) {
              return yield* new TooManyReactions({
                message: `This message has ${maxReactionEmoji} different emoji already`
              })
            }
            const changed = add
              ? yield* repo.addReaction(id, emoji, user.userId)
              : yield* repo.removeReaction(id, emoji, user.userId)
            if (!changed) return { row: message, reacted: null }
            const reactions: ReadonlyArray<MessageReaction> = yield* repo.refreshReactions(id)
            const data = yield* encodeReactions({
              channelId: message.channelId,
              messageId: id,
              threadRootId: message.threadRootId,
              reactions
            }).pipe(Effect.orDie)
            yield* outbox.publish([{ topic: channelTopic(message.channelId), type: "chat.reaction.changed", data }])
            return { row: { ...message, reactions }, reacted: add ? { groupId: context.channel.groupId } : null }
          })
        )
        yield* cache.invalidate(row.channelId)
        if (reacted !== null) {
          yield* activity.record({ kind: "reaction", userId: user.userId, subjectId: id, groupId: reacted.groupId })
        }
        return yield* views.message(row)
      })

      const changePin = Effect.fn("MessageExtras.changePin")(function* (user: SignedIn, id: MessageId, pin: boolean) {
        const actor = Actor.of(user)
        const found = yield* messages.find(id)
        if (Option.isNone(found)) return yield* messageNotFound
        const channelId = found.value.channelId
        const row = yield* transaction(
          Effect.gen(function* () {
            // Pins are counted on the locked channel row, so two pins at once cannot pass the limit.
            if (pin) yield* channels.lock(channelId)
            const { message, context } = yield* see(actor, yield* messages.lock(id))
            yield* mayChange(context)
            if (pin && message.deletedAt !== null) {
              return yield* new MessageNotFound({ message: "The message was deleted" })
            }
            if ((message.pinnedAt !== null) === pin) return message
            if (pin && (yield* repo.pinCount(channelId)) >= maxPinsPerChannel) {
              return yield* new ChannelPinLimitReached({
                message: `The channel has ${maxPinsPerChannel} pinned messages: unpin one first`
              })
            }
            const changed = pin ? yield* repo.pin(id, user.userId) : yield* repo.unpin(id)
            yield* stream.updated(yield* views.message(changed))
            return changed
          })
        )
        yield* cache.invalidate(channelId)
        return yield* views.message(row)
      })

      return MessageExtras.of({
        react: (user, id, emoji) => changeReaction(user, id, emoji, true),
        unreact: (user, id, emoji) =>
          changeReaction(user, id, emoji, false).pipe(
            Effect.catchTag("TooManyReactions", (error) => Effect.die(error))
          ),
        pin: (user, id) => changePin(user, id, true),
        unpin: (user, id) =>
          changePin(user, id, false).pipe(Effect.catchTag("ChannelPinLimitReached", (error) => Effect.die(error))),

        pins: Effect.fn("MessageExtras.pins")(function* (user, channelId) {
          yield* access.find(Actor.of(user), channelId)
          return yield* views.messages(yield* repo.pinned(channelId))
        }),

        follow: Effect.fn("MessageExtras.follow")(function* (user, id) {
          const root = yield* rootOf(user, id)
          // Following anew starts after the replies already there.
          const newest = yield* repo.newestReplySeq(root.id)
          yield* repo.setFollowing(root.id, root.channelId, user.userId, true, newest)
          return yield* stateOf(user, root.id)
        }),

        unfollow: Effect.fn("MessageExtras.unfollow")(function* (user, id) {
          const root = yield* rootOf(user, id)
          yield* repo.setFollowing(root.id, root.channelId, user.userId, false, 0)
          return yield* stateOf(user, root.id)
        }),

        readThread: Effect.fn("MessageExtras.readThread")(function* (user, id) {
          const root = yield* rootOf(user, id)
          // Replies are numbered in the order they commit: the newest now is all there is to read.
          const newest = yield* repo.newestReplySeq(root.id)
          yield* repo.markRead(root.id, root.channelId, user.userId, newest)
          return yield* stateOf(user, root.id)
        }),

        threads: Effect.fn("MessageExtras.threads")(function* (user, query) {
          const scope = "chat-threads"
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* repo.followed(user.userId, after, limit + 1)
          const page = cursors.page(
            scope,
            rows,
            limit,
            (row) => row,
            (row) => ({ at: row.activity.toISOString(), id: row.rootId })
          )
          const states = yield* repo.threads(
            page.items.map((row) => row.rootId),
            user.userId
          )
          // Threads of channels the user may no longer read are not listed.
          const readable = yield* access.readable(Actor.of(user), [...new Set(states.map((row) => row.channelId))])
          const byId = new Map<string, ThreadRow>(states.map((row) => [row.id, row] as const))
          const shown = page.items.flatMap((item) => {
            const row = byId.get(item.rootId)
            return row !== undefined && readable.has(row.channelId) ? [row] : []
          })
          return { items: yield* Effect.forEach(shown, threadOf), nextCursor: page.nextCursor }
        }),

        claimAttachments: Effect.fn("MessageExtras.claimAttachments")(function* (ownerId, messageId, ids) {
          const unique = [...new Set(ids)]
          yield* media.claim(ownerId, subjectOf(messageId), unique)
          return unique
        }),

        replaceAttachments: Effect.fn("MessageExtras.replaceAttachments")(function* (ownerId, message, ids) {
          const unique = [...new Set(ids)]
          yield* media.release(subjectOf(message.id), unique)
          yield* media.claim(ownerId, subjectOf(message.id), unique)
          return yield* repo.setAttachments(message.id, unique)
        }),

        replied: Effect.fn("MessageExtras.replied")(function* (root, replierId, replySeq) {
          if (root.authorId !== null) yield* repo.started(root.id, root.channelId, root.authorId)
          yield* repo.replied(root.id, root.channelId, replierId, replySeq)
        }),

        deleted: Effect.fn("MessageExtras.deleted")(function* (message) {
          yield* repo.clear(message.id)
          yield* media.release(subjectOf(message.id))
        })
      })
    })
  )
}
