import { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

const decodeCount = Rows.first(Schema.Struct({ count: Schema.Int }))
const decodeOwners = Rows.all(Schema.Struct({ ownerId: UserId }))

/** The `contact_hashes` table: keyed hashes of the numbers each user uploaded, never the numbers. */
export class ContactsRepo extends Context.Service<
  ContactsRepo,
  {
    /** Keeps the hashes (those kept already change nothing); how many the owner keeps now. */
    readonly insert: (ownerId: UserId, hashes: ReadonlyArray<string>) => Effect.Effect<number>
    readonly count: (ownerId: UserId) => Effect.Effect<number>
    readonly removeAll: (ownerId: UserId) => Effect.Effect<void>
    /** Who has this hash among their contacts. */
    readonly owners: (hash: string) => Effect.Effect<ReadonlyArray<UserId>>
  }
>()("@moim/server/Social/ContactsRepo") {
  static readonly layer = Layer.effect(
    ContactsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const count = Effect.fn("ContactsRepo.count")(function* (ownerId: UserId) {
        const row = yield* sql`SELECT count(*)::int AS count FROM contact_hashes WHERE owner_id = ${ownerId}`.pipe(
          Effect.flatMap(decodeCount)
        )
        return Option.match(row, { onNone: () => 0, onSome: (found) => found.count })
      }, Effect.orDie)
      return ContactsRepo.of({
        insert: Effect.fn("ContactsRepo.insert")(function* (ownerId, hashes) {
          if (hashes.length > 0) {
            yield* sql`
              INSERT INTO contact_hashes (owner_id, hash, created_at)
              SELECT ${ownerId}, hash, now() FROM unnest(${[...new Set(hashes)]}::text[]) AS h (hash)
              ON CONFLICT DO NOTHING`
          }
          return yield* count(ownerId)
        }, Effect.orDie),
        count,
        removeAll: Effect.fn("ContactsRepo.removeAll")(function* (ownerId) {
          yield* sql`DELETE FROM contact_hashes WHERE owner_id = ${ownerId}`
        }, Effect.orDie),
        owners: Effect.fn("ContactsRepo.owners")(function* (hash) {
          const rows = yield* sql`SELECT owner_id FROM contact_hashes WHERE hash = ${hash}`.pipe(
            Effect.flatMap(decodeOwners)
          )
          return rows.map((row) => row.ownerId)
        }, Effect.orDie)
      })
    })
  )
}
