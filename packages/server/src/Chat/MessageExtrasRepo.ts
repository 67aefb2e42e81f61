import { UserId } from "@moim/domain/Accounts/User"
import type { ChannelId, MessageId } from "@moim/domain/Chat/Chat"
import { MessageReaction, maxPinsPerChannel, reactionUsersShown } from "@moim/domain/Chat/ChatMessageExtras"
import type { MediaId } from "@moim/domain/Media/Media"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"
import { unreadCap } from "./ChannelsRepo.ts"
import { columns, MessageRow } from "./MessagesRepo.ts"

/** A thread's first message with where one person stands with it. */
export const ThreadRow = Schema.Struct({
  ...MessageRow.fields,
  following: Schema.Boolean,
  unreadCount: Schema.Int
})
export type ThreadRow = typeof ThreadRow.Type

const FollowedRow = Schema.Struct({ rootId: Schema.String, activity: Schema.Date })

const decodeMessage = Rows.first(MessageRow)
const decodeMessages = Rows.all(MessageRow)
const decodeThreads = Rows.all(ThreadRow)
const decodeFollowed = Rows.all(FollowedRow)
const decodeReactions = Rows.first(Schema.Struct({ reactions: Schema.Array(MessageReaction) }))
const decodeCount = Rows.first(Schema.Struct({ count: Schema.Int }))
const decodeSeq = Rows.first(Schema.Struct({ seq: Schema.FiniteFromString }))
const decodeUserIds = Rows.all(Schema.Struct({ userId: UserId }))

/**
 * What messages carry beside their text, on the `chat_messages` rows and in `chat_reactions` and
 * `chat_thread_follows`: reactions (the summary rewritten under the message's row lock), pins,
 * attachment ids, and who follows which thread and how far they read it.
 */
export class MessageExtrasRepo extends Context.Service<
  MessageExtrasRepo,
  {
    /** Records the reaction; false if the person had reacted so already. */
    readonly addReaction: (messageId: MessageId, emoji: string, userId: UserId) => Effect.Effect<boolean>
    /** Takes the reaction back; false if there was none. */
    readonly removeReaction: (messageId: MessageId, emoji: string, userId: UserId) => Effect.Effect<boolean>
    /** Rewrites the (locked) message's summary from its reactions, and answers it. */
    readonly refreshReactions: (messageId: MessageId) => Effect.Effect<ReadonlyArray<MessageReaction>>
    readonly pinCount: (channelId: ChannelId) => Effect.Effect<number>
    readonly pin: (messageId: MessageId, by: UserId) => Effect.Effect<MessageRow>
    readonly unpin: (messageId: MessageId) => Effect.Effect<MessageRow>
    /** The channel's pinned messages, the most recently pinned first. */
    readonly pinned: (channelId: ChannelId) => Effect.Effect<ReadonlyArray<MessageRow>>
    readonly setAttachments: (messageId: MessageId, ids: ReadonlyArray<MediaId>) => Effect.Effect<MessageRow>
    /** A deleted message keeps none of its reactions, pin or attachments. */
    readonly clear: (messageId: MessageId) => Effect.Effect<void>
    /** The `seq` of the thread's newest reply (0 without replies). */
    readonly newestReplySeq: (rootId: MessageId) => Effect.Effect<number>
    /** The replier follows the thread and has read up to their reply. */
    readonly replied: (rootId: MessageId, channelId: ChannelId, userId: UserId, seq: number) => Effect.Effect<void>
    /** Its first message's author follows a thread once it has replies, unless they stopped following it. */
    readonly started: (rootId: MessageId, channelId: ChannelId, userId: UserId) => Effect.Effect<void>
    /** Follows (having read `readSeq` when new) or stops following. */
    readonly setFollowing: (
      rootId: MessageId,
      channelId: ChannelId,
      userId: UserId,
      following: boolean,
      readSeq: number
    ) => Effect.Effect<void>
    /** Moves the read position forward to `seq`; never back. */
    readonly markRead: (rootId: MessageId, channelId: ChannelId, userId: UserId, seq: number) => Effect.Effect<void>
    /** Those who follow the thread. */
    readonly followers: (rootId: MessageId) => Effect.Effect<ReadonlyArray<UserId>>
    /** The threads as the user stands with them, in no particular order. */
    readonly threads: (rootIds: ReadonlyArray<string>, userId: UserId) => Effect.Effect<ReadonlyArray<ThreadRow>>
    /** The threads the user follows, most recently active first, after the position. */
    readonly followed: (
      userId: UserId,
      after: TimePosition | null,
      limit: number
    ) => Effect.Effect<ReadonlyArray<typeof FollowedRow.Type>>
  }
>()("@moim/server/Chat/MessageExtrasRepo") {
  static readonly layer = Layer.effect(
    MessageExtrasRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)
      const activity = sql.literal("COALESCE(r.last_reply_at, r.created_at)")

      const single = (rows: ReadonlyArray<unknown>) =>
        Effect.flatMap(decodeMessage(rows), (row) =>
          Option.isSome(row) ? Effect.succeed(row.value) : Effect.die(new Error("A message just written is missing"))
        )

      return MessageExtrasRepo.of({
        followers: Effect.fn("MessageExtrasRepo.followers")(function* (rootId) {
          return yield* sql`SELECT user_id FROM chat_thread_follows WHERE root_id = ${rootId} AND following`.pipe(
            Effect.flatMap(decodeUserIds),
            Effect.map((rows) => rows.map((row) => row.userId))
          )
        }, Effect.orDie),

        addReaction: Effect.fn("MessageExtrasRepo.addReaction")(function* (messageId, emoji, userId) {
          const rows = yield* sql`
            INSERT INTO chat_reactions (message_id, emoji, user_id, created_at)
            VALUES (${messageId}, ${emoji}, ${userId}, clock_timestamp())
            ON CONFLICT DO NOTHING
            RETURNING 1 AS added`
          return rows.length > 0
        }, Effect.orDie),

        removeReaction: Effect.fn("MessageExtrasRepo.removeReaction")(function* (messageId, emoji, userId) {
          const rows = yield* sql`
            DELETE FROM chat_reactions WHERE message_id = ${messageId} AND emoji = ${emoji} AND user_id = ${userId}
            RETURNING 1 AS removed`
          return rows.length > 0
        }, Effect.orDie),

        refreshReactions: Effect.fn("MessageExtrasRepo.refreshReactions")(function* (messageId) {
          const rows = yield* sql`
            UPDATE chat_messages SET reactions = COALESCE((
              SELECT jsonb_agg(
                jsonb_build_object('emoji', g.emoji, 'count', g.count, 'userIds', to_jsonb(g.user_ids))
                ORDER BY g.first_at, g.emoji)
              FROM (
                SELECT emoji, count(*)::int AS count, min(created_at) AS first_at,
                  (array_agg(user_id ORDER BY created_at, user_id))[1:${reactionUsersShown}] AS user_ids
                FROM chat_reactions WHERE message_id = ${messageId}
                GROUP BY emoji
              ) g
            ), '[]'::jsonb)
            WHERE id = ${messageId}
            RETURNING reactions`.pipe(Effect.flatMap(decodeReactions))
          return Option.match(rows, { onNone: () => [], onSome: (row) => row.reactions })
        }, Effect.orDie),

        pinCount: Effect.fn("MessageExtrasRepo.pinCount")(function* (channelId) {
          const row = yield* sql`
            SELECT count(*)::int AS count FROM chat_messages
            WHERE channel_id = ${channelId} AND pinned_at IS NOT NULL`.pipe(Effect.flatMap(decodeCount))
          return Option.match(row, { onNone: () => 0, onSome: (found) => found.count })
        }, Effect.orDie),

        pin: Effect.fn("MessageExtrasRepo.pin")(function* (messageId, by) {
          // The pin's time to the microsecond, so that pins made one after the other list in their order.
          return yield* sql`
            UPDATE chat_messages SET pinned_by = ${by}, pinned_at = clock_timestamp() WHERE id = ${messageId}
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        unpin: Effect.fn("MessageExtrasRepo.unpin")(function* (messageId) {
          return yield* sql`
            UPDATE chat_messages SET pinned_by = NULL, pinned_at = NULL WHERE id = ${messageId}
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        pinned: Effect.fn("MessageExtrasRepo.pinned")(function* (channelId) {
          return yield* sql`
            SELECT ${selected} FROM chat_messages WHERE channel_id = ${channelId} AND pinned_at IS NOT NULL
            ORDER BY pinned_at DESC, id DESC
            LIMIT ${maxPinsPerChannel}`.pipe(Effect.flatMap(decodeMessages))
        }, Effect.orDie),

        setAttachments: Effect.fn("MessageExtrasRepo.setAttachments")(function* (messageId, ids) {
          return yield* sql`
            UPDATE chat_messages SET attachment_ids = ${ids}::uuid[] WHERE id = ${messageId}
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        clear: Effect.fn("MessageExtrasRepo.clear")(function* (messageId) {
          yield* sql`DELETE FROM chat_reactions WHERE message_id = ${messageId}`
          yield* sql`
            UPDATE chat_messages SET reactions = '[]', pinned_by = NULL, pinned_at = NULL, attachment_ids = '{}'
            WHERE id = ${messageId}`
        }, Effect.orDie),

        newestReplySeq: Effect.fn("MessageExtrasRepo.newestReplySeq")(function* (rootId) {
          const row = yield* sql`
            SELECT COALESCE(max(seq), 0)::text AS seq FROM chat_messages WHERE thread_root_id = ${rootId}`.pipe(
            Effect.flatMap(decodeSeq)
          )
          return Option.match(row, { onNone: () => 0, onSome: (found) => found.seq })
        }, Effect.orDie),

        replied: Effect.fn("MessageExtrasRepo.replied")(function* (rootId, channelId, userId, seq) {
          yield* sql`
            INSERT INTO chat_thread_follows (root_id, user_id, channel_id, following, last_read_seq, created_at)
            VALUES (${rootId}, ${userId}, ${channelId}, true, ${seq}, now())
            ON CONFLICT (root_id, user_id) DO UPDATE SET following = true,
              last_read_seq = GREATEST(chat_thread_follows.last_read_seq, excluded.last_read_seq)`
        }, Effect.orDie),

        started: Effect.fn("MessageExtrasRepo.started")(function* (rootId, channelId, userId) {
          yield* sql`
            INSERT INTO chat_thread_follows (root_id, user_id, channel_id, following, last_read_seq, created_at)
            VALUES (${rootId}, ${userId}, ${channelId}, true, 0, now())
            ON CONFLICT (root_id, user_id) DO UPDATE SET following = true
            WHERE chat_thread_follows.following IS NULL`
        }, Effect.orDie),

        setFollowing: Effect.fn("MessageExtrasRepo.setFollowing")(function* (
          rootId,
          channelId,
          userId,
          following,
          readSeq
        ) {
          yield* sql`
            INSERT INTO chat_thread_follows (root_id, user_id, channel_id, following, last_read_seq, created_at)
            VALUES (${rootId}, ${userId}, ${channelId}, ${following}, ${readSeq}, now())
            ON CONFLICT (root_id, user_id) DO UPDATE SET following = excluded.following`
        }, Effect.orDie),

        markRead: Effect.fn("MessageExtrasRepo.markRead")(function* (rootId, channelId, userId, seq) {
          yield* sql`
            INSERT INTO chat_thread_follows (root_id, user_id, channel_id, following, last_read_seq, created_at)
            VALUES (${rootId}, ${userId}, ${channelId}, NULL, ${seq}, now())
            ON CONFLICT (root_id, user_id) DO UPDATE
            SET last_read_seq = GREATEST(chat_thread_follows.last_read_seq, excluded.last_read_seq)`
        }, Effect.orDie),

        threads: Effect.fn("MessageExtrasRepo.threads")(function* (rootIds, userId) {
          if (rootIds.length === 0) return []
          // Unread: replies by others after the last one read, deleted ones aside, up to `unreadCap`.
          return yield* sql`
            SELECT m.*, COALESCE(f.following, false) AS following,
              (SELECT count(*)::int FROM (
                SELECT 1 FROM chat_messages x
                WHERE x.thread_root_id = m.id AND x.seq > COALESCE(f.last_read_seq, 0) AND x.deleted_at IS NULL
                  AND x.author_id IS DISTINCT FROM ${userId}::uuid
                ORDER BY x.seq
                LIMIT ${unreadCap}
              ) unread) AS unread_count
            FROM (SELECT ${selected} FROM chat_messages WHERE id = ANY(${rootIds}::uuid[])) m
            LEFT JOIN chat_thread_follows f ON f.root_id = m.id AND f.user_id = ${userId}`.pipe(
            Effect.flatMap(decodeThreads)
          )
        }, Effect.orDie),

        followed: Effect.fn("MessageExtrasRepo.followed")(function* (userId, after, limit) {
          return yield* sql`
            SELECT f.root_id, ${activity} AS activity
            FROM chat_thread_follows f JOIN chat_messages r ON r.id = f.root_id
            WHERE f.user_id = ${userId} AND f.following
              AND ${
                after === null ? sql`true` : sql`(${activity}, r.id) < (${after.at}::timestamptz, ${after.id}::uuid)`
              }
            ORDER BY ${activity} DESC, r.id DESC
            LIMIT ${limit}`.pipe(Effect.flatMap(decodeFollowed))
        }, Effect.orDie)
      })
    })
  )
}
