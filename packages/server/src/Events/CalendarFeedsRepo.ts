import { UserId } from "@moim/domain/Accounts/User"
import { CalendarFeedId } from "@moim/domain/Events/CalendarFeed"
import { GroupId } from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

export const CalendarFeedRow = Schema.Struct({
  id: CalendarFeedId,
  userId: UserId,
  groupId: Schema.NullOr(GroupId),
  includeGroups: Schema.Boolean,
  createdAt: Schema.Date,
  rotatedAt: Schema.Date
})
export type CalendarFeedRow = typeof CalendarFeedRow.Type

const decodeFeed = Rows.first(CalendarFeedRow)
const decodeFeeds = Rows.all(CalendarFeedRow)
const columns = "id, user_id, group_id, include_groups, created_at, rotated_at"

/** The `calendar_feeds` table: feeds by owner, found by the SHA-256 hash of their token. */
export class CalendarFeedsRepo extends Context.Service<
  CalendarFeedsRepo,
  {
    readonly insert: (feed: {
      readonly id: CalendarFeedId
      readonly userId: UserId
      readonly groupId: GroupId | null
      readonly includeGroups: boolean
      readonly tokenHash: string
    }) => Effect.Effect<CalendarFeedRow>
    readonly byTokenHash: (tokenHash: string) => Effect.Effect<Option.Option<CalendarFeedRow>>
    readonly ofUser: (userId: UserId) => Effect.Effect<ReadonlyArray<CalendarFeedRow>>
    /** A new token hash for the owner's feed; none when it is not theirs. */
    readonly rotate: (
      id: CalendarFeedId,
      userId: UserId,
      tokenHash: string
    ) => Effect.Effect<Option.Option<CalendarFeedRow>>
    /** Deletes the owner's feed; whether there was one. */
    readonly remove: (id: CalendarFeedId, userId: UserId) => Effect.Effect<boolean>
  }
>()("@moim/server/Events/CalendarFeedsRepo") {
  static readonly layer = Layer.effect(
    CalendarFeedsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)
      return CalendarFeedsRepo.of({
        insert: Effect.fn("CalendarFeedsRepo.insert")(function* (feed) {
          const row = yield* sql`
            INSERT INTO calendar_feeds (id, user_id, group_id, include_groups, token_hash, created_at, rotated_at)
            VALUES (${feed.id}, ${feed.userId}, ${feed.groupId}, ${feed.includeGroups}, ${feed.tokenHash}, now(), now())
            RETURNING ${selected}`.pipe(Effect.flatMap(decodeFeed))
          if (row._tag === "None") return yield* Effect.die(new Error("A feed just written is missing"))
          return row.value
        }, Effect.orDie),

        byTokenHash: Effect.fn("CalendarFeedsRepo.byTokenHash")(function* (tokenHash) {
          return yield* sql`SELECT ${selected} FROM calendar_feeds WHERE token_hash = ${tokenHash}`.pipe(
            Effect.flatMap(decodeFeed)
          )
        }, Effect.orDie),

        ofUser: Effect.fn("CalendarFeedsRepo.ofUser")(function* (userId) {
          return yield* sql`
            SELECT ${selected} FROM calendar_feeds WHERE user_id = ${userId}
            ORDER BY created_at, id`.pipe(Effect.flatMap(decodeFeeds))
        }, Effect.orDie),

        rotate: Effect.fn("CalendarFeedsRepo.rotate")(function* (id, userId, tokenHash) {
          return yield* sql`
            UPDATE calendar_feeds SET token_hash = ${tokenHash}, rotated_at = now()
            WHERE id = ${id} AND user_id = ${userId}
            RETURNING ${selected}`.pipe(Effect.flatMap(decodeFeed))
        }, Effect.orDie),

        remove: Effect.fn("CalendarFeedsRepo.remove")(function* (id, userId) {
          const rows = yield* sql`
            DELETE FROM calendar_feeds WHERE id = ${id} AND user_id = ${userId} RETURNING id`
          return rows.length > 0
        }, Effect.orDie)
      })
    })
  )
}
