import { type UserId, UserId as UserIdSchema } from "@moim/domain/Accounts/User"
import {
  ChannelArchived,
  type ChannelId,
  type ChannelNotFound,
  type ChatMessage,
  DirectMessageNotAllowed,
  type MessageEdit,
  MessageEdit as MessageEditModel,
  type MessageHistory,
  MessageId,
  MessageNotFound
} from "@moim/domain/Chat/Chat"
import type { SendMessagePayload } from "@moim/domain/Chat/ChatApi"
import { NotifyChatMessage } from "@moim/domain/Chat/ChatNotifications"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { MediaId } from "@moim/domain/Media/Media"
import type { MediaNotAttachable, MediaNotFound } from "@moim/domain/Media/MediaErrors"
import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SecureRandom } from "effect/crypto"
import { ActivityLog } from "../Access/ActivityLog.ts"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { Transaction } from "../platform/Transaction.ts"
import { ChannelsRepo } from "./ChannelsRepo.ts"
import { ChatAccess } from "./ChatAccess.ts"
import { mentionedNames, parseMessage } from "./ChatEntities.ts"
import { ChatHistoryCache } from "./ChatHistoryCache.ts"
import { type ChannelContext, ChatPolicy } from "./ChatPolicy.ts"
import { ChatStream } from "./ChatStream.ts"
import { ChatViews } from "./ChatViews.ts"
import { MessageExtras } from "./MessageExtras.ts"
import { type HistoryScope, type MessageRow, MessagesRepo, type MessageText } from "./MessagesRepo.ts"

type SignedIn = CurrentUser["Service"]

/** Messages on each side of a window, unless the client asks for another number. */
const defaultWindow = 50

/** What a history request asks for: the newest (or a thread's first) messages, or a window by a message. */
export interface HistoryQuery {
  readonly before?: MessageId | undefined
  readonly after?: MessageId | undefined
  readonly around?: MessageId | undefined
  readonly limit?: number | undefined
}

const messageNotFound = new MessageNotFound({ message: "No such message, or not one you may see" })
const decodeUserId = Schema.decodeUnknownOption(UserIdSchema)

/**
 * Messages of channels and conversations: sending (idempotent by the client's id), replies in
 * threads, history windows, edits with their earlier texts, and deletion that leaves a placeholder.
 * A message is readable exactly when its channel is (`ChatAccess`).
 */
export class Messages extends Context.Service<
  Messages,
  {
    readonly send: (
      user: SignedIn,
      channelId: ChannelId,
      input: typeof SendMessagePayload.Type
    ) => Effect.Effect<
      ChatMessage,
      | ChannelNotFound
      | MessageNotFound
      | Forbidden
      | ChannelArchived
      | DirectMessageNotAllowed
      | MediaNotFound
      | MediaNotAttachable
    >
    readonly history: (
      user: SignedIn,
      channelId: ChannelId,
      query: HistoryQuery
    ) => Effect.Effect<MessageHistory, ChannelNotFound | MessageNotFound>
    readonly replies: (
      user: SignedIn,
      rootId: MessageId,
      query: HistoryQuery
    ) => Effect.Effect<MessageHistory, MessageNotFound>
    readonly get: (user: SignedIn, id: MessageId) => Effect.Effect<ChatMessage, MessageNotFound>
    readonly edit: (
      user: SignedIn,
      id: MessageId,
      body: string,
      attachmentIds?: ReadonlyArray<MediaId>
    ) => Effect.Effect<ChatMessage, MessageNotFound | Forbidden | ChannelArchived | MediaNotFound | MediaNotAttachable>
    readonly remove: (user: SignedIn, id: MessageId) => Effect.Effect<void, MessageNotFound | Forbidden>
    readonly edits: (
      user: SignedIn,
      id: MessageId
    ) => Effect.Effect<ReadonlyArray<MessageEdit>, MessageNotFound | Forbidden>
  }
>()("@moim/server/Chat/Messages") {
  static readonly layer = Layer.effect(
    Messages,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const activity = yield* ActivityLog
      const repo = yield* MessagesRepo
      const channels = yield* ChannelsRepo
      const access = yield* ChatAccess
      const profiles = yield* Profiles
      const blocks = yield* Blocks
      const views = yield* ChatViews
      const stream = yield* ChatStream.make
      const extras = yield* MessageExtras
      const historyCache = yield* ChatHistoryCache
      const jobs = yield* JobQueue

      /** The text's entities, mentioning only people in the channel. */
      const textOf = Effect.fn("Messages.textOf")(function* (channelId: ChannelId, body: string) {
        const names = mentionedNames(body)
        const byHandle =
          names.handles.length === 0
            ? new Map<string, ReadonlyArray<UserId>>()
            : yield* profiles.findByHandles(names.handles)
        const candidates = [
          ...names.ids.flatMap((id) => Option.toArray(decodeUserId(id))),
          ...[...byHandle.values()].flat()
        ]
        const present = new Map(
          (yield* channels.membersAmong(channelId, candidates)).map((id) => [id.toLowerCase(), id] as const)
        )
        const parsed = parseMessage(body, {
          byId: (id) => present.get(id),
          byHandle: (handle) => {
            const inChannel = (byHandle.get(handle) ?? []).filter((id) => present.has(id.toLowerCase()))
            return inChannel.length === 1 ? inChannel[0] : undefined
          }
        })
        return { body, ...parsed } satisfies MessageText
      })

      /** The message and its channel, if the actor may read it. */
      const see = Effect.fn("Messages.see")(function* (actor: NonNullable<Actor>, row: Option.Option<MessageRow>) {
        if (Option.isNone(row)) return yield* messageNotFound
        const context = yield* access
          .find(actor, row.value.channelId)
          .pipe(Effect.catchTag("ChannelNotFound", () => Effect.fail(messageNotFound)))
        return { message: row.value, context }
      })

      /** A window of the scope: the newest (or first) messages, or those around, before or after an anchor. */
      const windowOf = Effect.fn("Messages.windowOf")(function* (
        scope: HistoryScope,
        query: HistoryQuery,
        anchorOf: (id: MessageId) => Effect.Effect<MessageRow, MessageNotFound>,
        fromStart: boolean
      ) {
        const limit = query.limit ?? defaultWindow
        const anchors = [query.before, query.after, query.around].filter((id) => id !== undefined)
        if (anchors.length > 1) {
          return yield* new MessageNotFound({ message: "Ask with one of `before`, `after` or `around`" })
        }
        const older = (seq: number | null) => repo.window(scope, "before", seq, limit + 1)
        const newer = (seq: number | null) => repo.window(scope, "after", seq, limit + 1)
        let rows: ReadonlyArray<MessageRow>
        let hasMoreBefore: boolean
        let hasMoreAfter: boolean
        if (query.around !== undefined) {
          const anchor = yield* anchorOf(query.around)
          const [before, after] = yield* Effect.all([older(anchor.seq), newer(anchor.seq)], { concurrency: 2 })
          rows = [...before.slice(0, limit).reverse(), anchor, ...after.slice(0, limit)]
          hasMoreBefore = before.length > limit
          hasMoreAfter = after.length > limit
        } else if (query.before !== undefined) {
          const before = yield* older((yield* anchorOf(query.before)).seq)
          rows = before.slice(0, limit).reverse()
          hasMoreBefore = before.length > limit
          hasMoreAfter = true
        } else if (query.after !== undefined) {
          const after = yield* newer((yield* anchorOf(query.after)).seq)
          rows = after.slice(0, limit)
          hasMoreBefore = true
          hasMoreAfter = after.length > limit
        } else if (fromStart) {
          const first = yield* newer(null)
          rows = first.slice(0, limit)
          hasMoreBefore = false
          hasMoreAfter = first.length > limit
        } else {
          const last = yield* older(null)
          rows = last.slice(0, limit).reverse()
          hasMoreBefore = last.length > limit
          hasMoreAfter = false
        }
        return { items: yield* views.messages(rows), hasMoreBefore, hasMoreAfter }
      })

      /** Whether someone in a conversation blocked the sender, or was blocked by them. */
      const blockedIn = Effect.fn("Messages.blockedIn")(function* (context: ChannelContext, userId: UserId) {
        if (context.channel.kind !== "direct") return false
        const members = yield* channels.allMembers(context.channel.id)
        const hidden = yield* blocks.hiddenAmong(
          userId,
          members.filter((member) => member !== userId)
        )
        return hidden.size > 0
      })

      return Messages.of({
        send: Effect.fn("Messages.send")(function* (user, channelId, input) {
          const actor = Actor.of(user)
          const text = yield* textOf(channelId, input.body)
          const outcome = yield* transaction(
            Effect.gen(function* () {
              const context = yield* access.see(actor, yield* channels.lock(channelId))
              if (input.clientMessageId !== undefined) {
                const sent = yield* repo.findByClientId(channelId, user.userId, input.clientMessageId)
                if (Option.isSome(sent)) {
                  return { row: sent.value, root: null, fresh: false, message: null, groupId: null }
                }
              }
              if (context.channel.archivedAt !== null) {
                return yield* new ChannelArchived({ message: "The channel is archived" })
              }
              if (!ChatPolicy.canWrite(context)) {
                return yield* new Forbidden({ message: "Join the channel to write in it" })
              }
              if (yield* blockedIn(context, user.userId)) {
                return yield* new DirectMessageNotAllowed({
                  message: "Someone in this conversation blocked you, or you them"
                })
              }
              let root: MessageRow | null = null
              if (input.threadRootId !== undefined) {
                const found = yield* repo.lock(input.threadRootId)
                if (Option.isNone(found) || found.value.channelId !== channelId || found.value.threadRootId !== null) {
                  return yield* new MessageNotFound({ message: "No such message to reply to in this channel" })
                }
                root = found.value
              }
              const id = MessageId.make(SecureRandom.uuidV7Unsafe())
              const attachmentIds = yield* extras.claimAttachments(user.userId, id, input.attachmentIds ?? [])
              const seq = yield* channels.nextSeq(channelId)
              const row = yield* repo.insert({
                ...text,
                id,
                attachmentIds,
                channelId,
                seq,
                authorId: user.userId,
                clientMessageId: input.clientMessageId ?? null,
                threadRootId: root?.id ?? null
              })
              if (root !== null) {
                root = yield* repo.addReply(root.id, user.userId, row.createdAt)
                yield* extras.replied(root, user.userId, seq)
              }
              // The sender has read what they wrote.
              yield* channels.markRead(channelId, user.userId, seq)
              const message = yield* views.message(row)
              yield* stream.created(message)
              if (root !== null) yield* stream.thread(yield* views.message(root))
              // Who is notified is worked out by the worker (`ChatNotifier`), once the message is stored.
              yield* jobs.enqueue(NotifyChatMessage, { messageId: id })
              return { row, root, fresh: true, message, groupId: context.channel.groupId }
            })
          )
          // The channel's newest page shows the message, or its thread's summary.
          if (outcome.fresh) {
            yield* historyCache.invalidate(channelId)
            yield* activity.record({
              kind: "message",
              userId: user.userId,
              subjectId: channelId,
              groupId: outcome.groupId
            })
          }
          return outcome.message ?? (yield* views.message(outcome.row))
        }),

        history: Effect.fn("Messages.history")(function* (user, channelId, query) {
          yield* access.find(Actor.of(user), channelId)
          const anchorOf = (id: MessageId) =>
            Effect.flatMap(repo.find(id), (row) =>
              Option.isSome(row) && row.value.channelId === channelId && row.value.threadRootId === null
                ? Effect.succeed(row.value)
                : Effect.fail(new MessageNotFound({ message: "No such message in this channel" }))
            )
          const window = windowOf({ _tag: "channel", channelId }, query, anchorOf, false)
          const newest =
            query.before === undefined &&
            query.after === undefined &&
            query.around === undefined &&
            (query.limit === undefined || query.limit === defaultWindow)
          // The newest page is the same for everyone who may read the channel: from the cache.
          return yield* newest ? historyCache.newest.getOrSet(channelId, window) : window
        }),

        replies: Effect.fn("Messages.replies")(function* (user, rootId, query) {
          const { message } = yield* see(Actor.of(user), yield* repo.find(rootId))
          if (message.threadRootId !== null) return yield* messageNotFound
          const anchorOf = (id: MessageId) =>
            Effect.flatMap(repo.find(id), (row) =>
              Option.isSome(row) && row.value.threadRootId === rootId
                ? Effect.succeed(row.value)
                : Effect.fail(new MessageNotFound({ message: "No such reply in this thread" }))
            )
          return yield* windowOf({ _tag: "thread", rootId }, query, anchorOf, true)
        }),

        get: Effect.fn("Messages.get")(function* (user, id) {
          const { message } = yield* see(Actor.of(user), yield* repo.find(id))
          return yield* views.message(message)
        }),

        edit: Effect.fn("Messages.edit")(function* (user, id, body, attachmentIds) {
          const actor = Actor.of(user)
          const found = yield* repo.find(id)
          if (Option.isNone(found)) return yield* messageNotFound
          const text = yield* textOf(found.value.channelId, body)
          const row = yield* transaction(
            Effect.gen(function* () {
              const { message, context } = yield* see(actor, yield* repo.lock(id))
              if (message.authorId !== user.userId || message.deletedAt !== null) {
                return yield* new Forbidden({ message: "Only its author edits a message" })
              }
              if (context.channel.archivedAt !== null) {
                return yield* new ChannelArchived({ message: "The channel is archived" })
              }
              if (!ChatPolicy.canWrite(context)) {
                return yield* new Forbidden({ message: "Only those in the channel edit their messages" })
              }
              const photosChanged =
                attachmentIds !== undefined && [...new Set(attachmentIds)].join() !== message.attachmentIds.join()
              if (message.body === body && !photosChanged) return message
              const withPhotos =
                attachmentIds !== undefined && photosChanged
                  ? yield* extras.replaceAttachments(user.userId, message, attachmentIds)
                  : message
              const edited = message.body === body ? withPhotos : yield* repo.edit(withPhotos, text)
              yield* stream.updated(yield* views.message(edited))
              return edited
            })
          )
          yield* historyCache.invalidate(row.channelId)
          return yield* views.message(row)
        }),

        remove: Effect.fn("Messages.remove")(function* (user, id) {
          const actor = Actor.of(user)
          const channelId = yield* transaction(
            Effect.gen(function* () {
              const { message, context } = yield* see(actor, yield* repo.lock(id))
              if (message.deletedAt !== null) return message.channelId
              if (message.authorId !== user.userId && !ChatPolicy.canManage(context)) {
                return yield* new Forbidden({ message: "Only its author and the channel's admins delete a message" })
              }
              yield* repo.markDeleted(id)
              yield* extras.deleted(message)
              yield* stream.deleted({ channelId: message.channelId, messageId: id, threadRootId: message.threadRootId })
              return message.channelId
            })
          )
          yield* historyCache.invalidate(channelId)
        }),

        edits: Effect.fn("Messages.edits")(function* (user, id) {
          const { message, context } = yield* see(Actor.of(user), yield* repo.find(id))
          if (message.authorId !== user.userId && !ChatPolicy.canManage(context)) {
            return yield* new Forbidden({
              message: "Only its author and the channel's admins see a message's earlier texts"
            })
          }
          const rows = yield* repo.edits(id)
          return rows.map(
            (row) =>
              new MessageEditModel({
                body: row.body,
                entities: row.entities,
                replacedAt: DateTime.fromDateUnsafe(row.replacedAt)
              })
          )
        })
      })
    })
  )
}
