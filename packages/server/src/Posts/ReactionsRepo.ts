import { UserId } from "@moim/domain/Accounts/User"
import { Emoji, type ReactionSummary } from "@moim/domain/Posts/Post"
import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

export type ReactionSubjectKind = "post" | "comment"

const ReactionRow = Schema.Struct({ userId: UserId, emoji: Emoji, createdAt: Schema.Date })
export type ReactionRow = typeof ReactionRow.Type

const CountRow = Schema.Struct({ subjectId: Schema.String, emoji: Emoji, count: Schema.Int })
const MineRow = Schema.Struct({ subjectId: Schema.String, emoji: Emoji })

const decodeReactions = Rows.all(ReactionRow)
const decodeCounts = Rows.all(CountRow)
const decodeMine = Rows.all(MineRow)
const decodeEmoji = Rows.first(Schema.Struct({ emoji: Emoji }))

const emptyCounts = (): { -readonly [E in Emoji]: number } => ({ like: 0, love: 0, laugh: 0, wow: 0, sad: 0, angry: 0 })

/**
 * The `reactions` and `reaction_counts` tables: one reaction per person per post or comment, and
 * each item's count per emoji, changed in the same transaction as the reaction, so counts stay
 * exact however many react at once (each change locks the reaction row, then the count row).
 */
export class ReactionsRepo extends Context.Service<
  ReactionsRepo,
  {
    /** Sets the user's reaction; the counts follow. True when the user had not reacted before. */
    readonly react: (
      kind: ReactionSubjectKind,
      subjectId: string,
      userId: UserId,
      emoji: Emoji
    ) => Effect.Effect<boolean>
    /** Takes the user's reaction back, if any; the counts follow. */
    readonly unreact: (kind: ReactionSubjectKind, subjectId: string, userId: UserId) => Effect.Effect<void>
    /** The counts and the viewer's own reaction, for each item. */
    readonly summaries: (
      kind: ReactionSubjectKind,
      subjectIds: ReadonlyArray<string>,
      viewer: UserId | null
    ) => Effect.Effect<ReadonlyMap<string, ReactionSummary>>
    /** Who reacted, most recent first. */
    readonly list: (options: {
      readonly kind: ReactionSubjectKind
      readonly subjectId: string
      readonly emoji: Emoji | undefined
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<ReactionRow>>
    /** Forgets every reaction to these items (they were deleted). */
    readonly forget: (kind: ReactionSubjectKind, subjectIds: ReadonlyArray<string>) => Effect.Effect<void>
  }
>()("@moim/server/Posts/ReactionsRepo") {
  static readonly layer = Layer.effect(
    ReactionsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const count = (kind: ReactionSubjectKind, subjectId: string, emoji: Emoji, delta: 1 | -1) =>
        delta === 1
          ? sql`
              INSERT INTO reaction_counts (subject_kind, subject_id, emoji, count) VALUES (${kind}, ${subjectId}, ${emoji}, 1)
              ON CONFLICT (subject_kind, subject_id, emoji) DO UPDATE SET count = reaction_counts.count + 1`
          : sql`
              UPDATE reaction_counts SET count = greatest(count - 1, 0)
              WHERE subject_kind = ${kind} AND subject_id = ${subjectId} AND emoji = ${emoji}`

      return ReactionsRepo.of({
        react: Effect.fn("ReactionsRepo.react")(function* (kind, subjectId, userId, emoji) {
          const inserted = yield* sql`
            INSERT INTO reactions (subject_kind, subject_id, user_id, emoji, created_at)
            VALUES (${kind}, ${subjectId}, ${userId}, ${emoji}, now())
            ON CONFLICT DO NOTHING RETURNING emoji`
          if (inserted.length > 0) {
            yield* count(kind, subjectId, emoji, 1)
            return true
          }
          // The user had reacted: replace it, learning the old emoji under the row's lock.
          const previous = yield* sql`
            UPDATE reactions r SET emoji = ${emoji}, created_at = now()
            FROM (SELECT emoji FROM reactions WHERE subject_kind = ${kind} AND subject_id = ${subjectId}
                    AND user_id = ${userId} FOR UPDATE) old
            WHERE r.subject_kind = ${kind} AND r.subject_id = ${subjectId} AND r.user_id = ${userId}
              AND old.emoji <> ${emoji}
            RETURNING old.emoji`.pipe(Effect.flatMap(decodeEmoji))
          if (previous._tag === "Some") {
            // Count rows are locked in emoji order, so two people swapping emojis cannot deadlock.
            const changes: ReadonlyArray<readonly [Emoji, 1 | -1]> = [
              [previous.value.emoji, -1],
              [emoji, 1]
            ]
            for (const [changed, delta] of [...changes].sort(([a], [b]) => a.localeCompare(b))) {
              yield* count(kind, subjectId, changed, delta)
            }
          }
          return false
        }, Effect.orDie),

        unreact: Effect.fn("ReactionsRepo.unreact")(function* (kind, subjectId, userId) {
          const removed = yield* sql`
            DELETE FROM reactions WHERE subject_kind = ${kind} AND subject_id = ${subjectId} AND user_id = ${userId}
            RETURNING emoji`.pipe(Effect.flatMap(decodeEmoji))
          if (removed._tag === "Some") yield* count(kind, subjectId, removed.value.emoji, -1)
        }, Effect.orDie),

        summaries: Effect.fn("ReactionsRepo.summaries")(function* (kind, subjectIds, viewer) {
          const summaries = new Map<string, { counts: ReturnType<typeof emptyCounts>; mine: Emoji | null }>(
            subjectIds.map((id) => [id, { counts: emptyCounts(), mine: null }])
          )
          if (subjectIds.length === 0) return summaries
          const ids = [...subjectIds]
          const [counts, mine] = yield* Effect.all([
            sql`
              SELECT subject_id::text AS subject_id, emoji, count FROM reaction_counts
              WHERE subject_kind = ${kind} AND subject_id = ANY(${ids}::uuid[]) AND count > 0`.pipe(
              Effect.flatMap(decodeCounts)
            ),
            viewer === null
              ? Effect.succeed([])
              : sql`
                  SELECT subject_id::text AS subject_id, emoji FROM reactions
                  WHERE subject_kind = ${kind} AND subject_id = ANY(${ids}::uuid[]) AND user_id = ${viewer}`.pipe(
                  Effect.flatMap(decodeMine)
                )
          ])
          for (const row of counts) {
            const summary = summaries.get(row.subjectId)
            if (summary !== undefined) summary.counts[row.emoji] = row.count
          }
          for (const row of mine) {
            const summary = summaries.get(row.subjectId)
            if (summary !== undefined) summaries.set(row.subjectId, { ...summary, mine: row.emoji })
          }
          return summaries
        }, Effect.orDie),

        list: Effect.fn("ReactionsRepo.list")(function* (options) {
          const after = options.after
          return yield* sql`
            SELECT user_id, emoji, created_at FROM reactions
            WHERE subject_kind = ${options.kind} AND subject_id = ${options.subjectId}
              AND ${options.emoji === undefined ? sql`true` : sql`emoji = ${options.emoji}`}
              AND ${after === null ? sql`true` : sql`(created_at, user_id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY created_at DESC, user_id DESC
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeReactions))
        }, Effect.orDie),

        forget: Effect.fn("ReactionsRepo.forget")(function* (kind, subjectIds) {
          if (subjectIds.length === 0) return
          const ids = [...subjectIds]
          yield* sql`DELETE FROM reactions WHERE subject_kind = ${kind} AND subject_id = ANY(${ids}::uuid[])`
          yield* sql`DELETE FROM reaction_counts WHERE subject_kind = ${kind} AND subject_id = ANY(${ids}::uuid[])`
        }, Effect.orDie)
      })
    })
  )
}
