import { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"
import type { ConnectionRow } from "./GraphRepo.ts"

const decodeConnections = Rows.all(Schema.Struct({ userId: UserId, since: Schema.Date }))
const decodeIds = Rows.all(Schema.Struct({ userId: UserId }))

/** The `blocks` table: who blocked whom. */
export class BlocksRepo extends Context.Service<
  BlocksRepo,
  {
    /** False when the block was there already. */
    readonly insert: (blockerId: UserId, blockedId: UserId) => Effect.Effect<boolean>
    readonly remove: (blockerId: UserId, blockedId: UserId) => Effect.Effect<void>
    /** Of `others`, those the user blocked or who blocked the user. */
    readonly hiddenAmong: (userId: UserId, others: ReadonlyArray<UserId>) => Effect.Effect<ReadonlySet<UserId>>
    readonly list: (options: {
      readonly blockerId: UserId
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<ConnectionRow>>
  }
>()("@moim/server/Social/BlocksRepo") {
  static readonly layer = Layer.effect(
    BlocksRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return BlocksRepo.of({
        insert: Effect.fn("BlocksRepo.insert")(function* (blockerId, blockedId) {
          const rows = yield* sql`
            INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (${blockerId}, ${blockedId}, now())
            ON CONFLICT DO NOTHING RETURNING blocker_id`
          return rows.length > 0
        }, Effect.orDie),
        remove: Effect.fn("BlocksRepo.remove")(function* (blockerId, blockedId) {
          yield* sql`DELETE FROM blocks WHERE blocker_id = ${blockerId} AND blocked_id = ${blockedId}`
        }, Effect.orDie),
        hiddenAmong: Effect.fn("BlocksRepo.hiddenAmong")(function* (userId, others) {
          if (others.length === 0) return new Set<UserId>()
          const ids = [...new Set(others)]
          const rows = yield* sql`
            SELECT blocked_id AS user_id FROM blocks WHERE blocker_id = ${userId} AND blocked_id = ANY(${ids}::uuid[])
            UNION
            SELECT blocker_id FROM blocks WHERE blocked_id = ${userId} AND blocker_id = ANY(${ids}::uuid[])`.pipe(
            Effect.flatMap(decodeIds)
          )
          return new Set(rows.map((row) => row.userId))
        }, Effect.orDie),
        list: Effect.fn("BlocksRepo.list")(function* (options) {
          const after = options.after
          return yield* sql`
            SELECT blocked_id AS user_id, created_at AS since FROM blocks
            WHERE blocker_id = ${options.blockerId}
              AND ${after === null ? sql`true` : sql`(created_at, blocked_id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY created_at DESC, blocked_id DESC LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeConnections))
        }, Effect.orDie)
      })
    })
  )
}
