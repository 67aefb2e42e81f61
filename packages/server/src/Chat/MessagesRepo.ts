import { UserId } from "@moim/domain/Accounts/User"
import { ChannelId, MessageEntity, MessageId } from "@moim/domain/Chat/Chat"
import { MessageReaction } from "@moim/domain/Chat/ChatMessageExtras"
import { MediaId } from "@moim/domain/Media/Media"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

const Entities = Schema.Array(MessageEntity)

export const MessageRow = Schema.Struct({
  id: MessageId,
  channelId: ChannelId,
  seq: Schema.FiniteFromString,
  authorId: Schema.NullOr(UserId),
  clientMessageId: Schema.NullOr(Schema.String),
  body: Schema.String,
  entities: Entities,
  mentionedIds: Schema.Array(UserId),
  mentionsChannel: Schema.Boolean,
  threadRootId: Schema.NullOr(MessageId),
  replyCount: Schema.Int,
  lastReplyAt: Schema.NullOr(Schema.Date),
  replyParticipants: Schema.Array(UserId),
  createdAt: Schema.Date,
  editedAt: Schema.NullOr(Schema.Date),
  deletedAt: Schema.NullOr(Schema.Date),
  reactions: Schema.Array(MessageReaction),
  pinnedBy: Schema.NullOr(UserId),
  pinnedAt: Schema.NullOr(Schema.Date),
  attachmentIds: Schema.Array(MediaId)
})
export type MessageRow = typeof MessageRow.Type

export const EditRow = Schema.Struct({ body: Schema.String, entities: Entities, replacedAt: Schema.Date })
export type EditRow = typeof EditRow.Type

const decodeMessage = Rows.first(MessageRow)
const decodeMessages = Rows.all(MessageRow)
const decodeEdits = Rows.all(EditRow)

export const columns = `id, channel_id, seq::text AS seq, author_id, client_message_id, body, entities, mentioned_ids, mentions_channel,
  thread_root_id, reply_count, last_reply_at, reply_participants, created_at, edited_at, deleted_at, reactions, pinned_by,
  pinned_at, attachment_ids`

/** A message's text and what it mentions. */
export interface MessageText {
  readonly body: string
  readonly entities: ReadonlyArray<MessageEntity>
  readonly mentionedIds: ReadonlyArray<UserId>
  readonly mentionsChannel: boolean
}

/** Where a window of history is: a channel's messages, or one thread's replies. */
export type HistoryScope =
  | { readonly _tag: "channel"; readonly channelId: ChannelId }
  | { readonly _tag: "thread"; readonly rootId: MessageId }

/** How many people a thread's summary names. */
const participantsShown = 10

/** The `chat_messages` and `chat_message_edits` tables. */
export class MessagesRepo extends Context.Service<
  MessagesRepo,
  {
    readonly insert: (
      message: MessageText & {
        readonly id: MessageId
        readonly channelId: ChannelId
        readonly seq: number
        readonly authorId: UserId
        readonly clientMessageId: string | null
        readonly threadRootId: MessageId | null
        readonly attachmentIds?: ReadonlyArray<MediaId>
      }
    ) => Effect.Effect<MessageRow>
    readonly find: (id: MessageId) => Effect.Effect<Option.Option<MessageRow>>
    readonly findMany: (ids: ReadonlyArray<MessageId>) => Effect.Effect<ReadonlyArray<MessageRow>>
    readonly findBySeq: (channelId: ChannelId, seq: number) => Effect.Effect<Option.Option<MessageRow>>
    /** The message a client already sent with this id, if any. */
    readonly findByClientId: (
      channelId: ChannelId,
      authorId: UserId,
      clientMessageId: string
    ) => Effect.Effect<Option.Option<MessageRow>>
    /** The message's row, locked until the transaction ends (a thread's replies serialise on their root). */
    readonly lock: (id: MessageId) => Effect.Effect<Option.Option<MessageRow>>
    /** Up to `limit` messages of the scope before (older) or after (newer) `seq`, nearest first. */
    readonly window: (
      scope: HistoryScope,
      direction: "before" | "after",
      seq: number | null,
      limit: number
    ) => Effect.Effect<ReadonlyArray<MessageRow>>
    /** Replaces the text, keeping the earlier one as an edit. */
    readonly edit: (current: MessageRow, text: MessageText) => Effect.Effect<MessageRow>
    /** Clears the text; the row stays, so its thread holds. */
    readonly markDeleted: (id: MessageId) => Effect.Effect<MessageRow>
    /** Counts a reply on its (locked) thread root and names its author first among the participants. */
    readonly addReply: (rootId: MessageId, authorId: UserId, at: Date) => Effect.Effect<MessageRow>
    readonly edits: (id: MessageId) => Effect.Effect<ReadonlyArray<EditRow>>
    /**
     * Forgets the earlier texts of up to `limit` edits of messages deleted more than
     * `retentionSeconds` ago. The deleted messages stay, empty, as their threads' placeholders.
     */
    readonly purgeDeletedEdits: (retentionSeconds: number, limit: number) => Effect.Effect<number>
  }
>()("@moim/server/Chat/MessagesRepo") {
  static readonly layer = Layer.effect(
    MessagesRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)

      const single = (rows: ReadonlyArray<unknown>) =>
        Effect.flatMap(decodeMessage(rows), (row) =>
          Option.isSome(row) ? Effect.succeed(row.value) : Effect.die(new Error("A message just written is missing"))
        )

      return MessagesRepo.of({
        purgeDeletedEdits: Effect.fn("MessagesRepo.purgeDeletedEdits")(function* (retentionSeconds, limit) {
          const rows = yield* sql`
            DELETE FROM chat_message_edits WHERE id IN (
              SELECT e.id FROM chat_message_edits e JOIN chat_messages m ON m.id = e.message_id
              WHERE m.deleted_at < now() - make_interval(secs => ${retentionSeconds}) LIMIT ${limit}
            ) RETURNING 1`
          return rows.length
        }, Effect.orDie),

        insert: Effect.fn("MessagesRepo.insert")(function* (message) {
          return yield* sql`
            INSERT INTO chat_messages (id, channel_id, seq, author_id, client_message_id, body, entities, mentioned_ids,
              mentions_channel, thread_root_id, attachment_ids, created_at)
            VALUES (${message.id}, ${message.channelId}, ${message.seq}, ${message.authorId},
              ${message.clientMessageId}, ${message.body}, ${JSON.stringify(message.entities)}::jsonb,
              ${message.mentionedIds}::uuid[], ${message.mentionsChannel}, ${message.threadRootId},
              ${message.attachmentIds ?? []}::uuid[], now())
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        find: Effect.fn("MessagesRepo.find")(function* (id) {
          return yield* sql`SELECT ${selected} FROM chat_messages WHERE id = ${id}`.pipe(Effect.flatMap(decodeMessage))
        }, Effect.orDie),

        findMany: Effect.fn("MessagesRepo.findMany")(function* (ids) {
          if (ids.length === 0) return []
          return yield* sql`SELECT ${selected} FROM chat_messages WHERE id = ANY(${ids}::uuid[])`.pipe(
            Effect.flatMap(decodeMessages)
          )
        }, Effect.orDie),

        findBySeq: Effect.fn("MessagesRepo.findBySeq")(function* (channelId, seq) {
          return yield* sql`SELECT ${selected} FROM chat_messages WHERE channel_id = ${channelId} AND seq = ${seq}`.pipe(
            Effect.flatMap(decodeMessage)
          )
        }, Effect.orDie),

        findByClientId: Effect.fn("MessagesRepo.findByClientId")(function* (channelId, authorId, clientMessageId) {
          return yield* sql`
            SELECT ${selected} FROM chat_messages
            WHERE channel_id = ${channelId} AND author_id = ${authorId} AND client_message_id = ${clientMessageId}`.pipe(
            Effect.flatMap(decodeMessage)
          )
        }, Effect.orDie),

        lock: Effect.fn("MessagesRepo.lock")(function* (id) {
          return yield* sql`SELECT ${selected} FROM chat_messages WHERE id = ${id} FOR UPDATE`.pipe(
            Effect.flatMap(decodeMessage)
          )
        }, Effect.orDie),

        window: Effect.fn("MessagesRepo.window")(function* (scope, direction, seq, limit) {
          const where =
            scope._tag === "channel"
              ? sql`channel_id = ${scope.channelId} AND thread_root_id IS NULL`
              : sql`thread_root_id = ${scope.rootId}`
          const bound = seq === null ? sql`true` : direction === "before" ? sql`seq < ${seq}` : sql`seq > ${seq}`
          const order = direction === "before" ? sql`chat_messages.seq DESC` : sql`chat_messages.seq ASC`
          return yield* sql`
            SELECT ${selected} FROM chat_messages WHERE ${where} AND ${bound} ORDER BY ${order} LIMIT ${limit}`.pipe(
            Effect.flatMap(decodeMessages)
          )
        }, Effect.orDie),

        edit: Effect.fn("MessagesRepo.edit")(function* (current, text) {
          yield* sql`
            INSERT INTO chat_message_edits (message_id, body, entities, replaced_at)
            VALUES (${current.id}, ${current.body}, ${JSON.stringify(current.entities)}::jsonb, now())`
          return yield* sql`
            UPDATE chat_messages SET body = ${text.body}, entities = ${JSON.stringify(text.entities)}::jsonb,
              mentioned_ids = ${text.mentionedIds}::uuid[], mentions_channel = ${text.mentionsChannel}, edited_at = now()
            WHERE id = ${current.id}
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        markDeleted: Effect.fn("MessagesRepo.markDeleted")(function* (id) {
          return yield* sql`
            UPDATE chat_messages SET body = '', entities = '[]', mentioned_ids = '{}', mentions_channel = false,
              deleted_at = now()
            WHERE id = ${id}
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        addReply: Effect.fn("MessagesRepo.addReply")(function* (rootId, authorId, at) {
          return yield* sql`
            UPDATE chat_messages SET reply_count = reply_count + 1, last_reply_at = ${at},
              reply_participants = (ARRAY[${authorId}::uuid] || array_remove(reply_participants, ${authorId}::uuid))[1:${participantsShown}]
            WHERE id = ${rootId}
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        edits: Effect.fn("MessagesRepo.edits")(function* (id) {
          return yield* sql`
            SELECT body, entities, replaced_at FROM chat_message_edits WHERE message_id = ${id} ORDER BY id DESC`.pipe(
            Effect.flatMap(decodeEdits)
          )
        }, Effect.orDie)
      })
    })
  )
}
