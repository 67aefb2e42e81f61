import { UserId, UserStatus } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

/** An account's verified number. */
export const VerifiedPhoneRow = Schema.Struct({
  userId: UserId,
  e164: Schema.String,
  verifiedAt: Schema.Date
})
export type VerifiedPhoneRow = typeof VerifiedPhoneRow.Type

/** Who holds a number, and whether they may sign in. */
const HolderRow = Schema.Struct({ userId: UserId, status: UserStatus })

const ContactRow = Schema.Struct({ userId: UserId, contactHash: Schema.String })

const decodePhone = Rows.first(VerifiedPhoneRow)
const decodeHolder = Rows.first(HolderRow)
const decodeContacts = Rows.all(ContactRow)
const decodeUserId = Rows.first(Schema.Struct({ userId: UserId }))

/** The `phone_numbers` table: each account's verified number, unique among accounts, with its contact hash. */
export class PhoneNumbersRepo extends Context.Service<
  PhoneNumbersRepo,
  {
    readonly findByUser: (userId: UserId) => Effect.Effect<Option.Option<VerifiedPhoneRow>>
    /** The account that verified this number (deleted accounts hold none). */
    readonly findHolder: (
      e164: string
    ) => Effect.Effect<Option.Option<{ readonly userId: UserId; readonly status: UserStatus }>>
    /**
     * Makes the number the user's, in place of theirs: `claimed`, or `held` when it already was, or
     * `taken` when another account holds it. Run it in a transaction: of two accounts claiming one
     * number at once, one gets it.
     */
    readonly claim: (phone: {
      readonly userId: UserId
      readonly e164: string
      readonly contactHash: string
      readonly verifiedAt: Date
    }) => Effect.Effect<"claimed" | "held" | "taken">
    /** False when the user had no number. */
    readonly remove: (userId: UserId) => Effect.Effect<boolean>
    /** The active accounts whose numbers have these contact hashes. */
    readonly findByContactHashes: (
      hashes: ReadonlyArray<string>
    ) => Effect.Effect<ReadonlyArray<{ readonly userId: UserId; readonly contactHash: string }>>
  }
>()("@moim/server/Accounts/PhoneNumbersRepo") {
  static readonly layer = Layer.effect(
    PhoneNumbersRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient

      return PhoneNumbersRepo.of({
        findByUser: Effect.fn("PhoneNumbersRepo.findByUser")(function* (userId) {
          return yield* sql`SELECT user_id, e164, verified_at FROM phone_numbers WHERE user_id = ${userId}`.pipe(
            Effect.flatMap(decodePhone)
          )
        }, Effect.orDie),

        findHolder: Effect.fn("PhoneNumbersRepo.findHolder")(function* (e164) {
          return yield* sql`
            SELECT p.user_id, u.status FROM phone_numbers p JOIN users u ON u.id = p.user_id
            WHERE p.e164 = ${e164} AND u.status <> 'deleted'`.pipe(Effect.flatMap(decodeHolder))
        }, Effect.orDie),

        claim: Effect.fn("PhoneNumbersRepo.claim")(function* (phone) {
          const holder = yield* sql`SELECT user_id FROM phone_numbers WHERE e164 = ${phone.e164} FOR UPDATE`.pipe(
            Effect.flatMap(decodeUserId)
          )
          if (Option.isSome(holder)) return holder.value.userId === phone.userId ? "held" : "taken"
          yield* sql`DELETE FROM phone_numbers WHERE user_id = ${phone.userId}`
          // A claim of the same number committed meanwhile wins: nothing is inserted.
          const inserted = yield* sql`
            INSERT INTO phone_numbers (user_id, e164, contact_hash, verified_at)
            VALUES (${phone.userId}, ${phone.e164}, ${phone.contactHash}, ${phone.verifiedAt})
            ON CONFLICT DO NOTHING
            RETURNING user_id`
          return inserted.length > 0 ? "claimed" : "taken"
        }, Effect.orDie),

        remove: Effect.fn("PhoneNumbersRepo.remove")(function* (userId) {
          const rows = yield* sql`DELETE FROM phone_numbers WHERE user_id = ${userId} RETURNING user_id`
          return rows.length > 0
        }, Effect.orDie),

        findByContactHashes: Effect.fn("PhoneNumbersRepo.findByContactHashes")(function* (hashes) {
          if (hashes.length === 0) return []
          return yield* sql`
            SELECT p.user_id, p.contact_hash FROM phone_numbers p JOIN users u ON u.id = p.user_id
            WHERE p.contact_hash = ANY(${[...hashes]}::text[]) AND u.status = 'active'`.pipe(
            Effect.flatMap(decodeContacts)
          )
        }, Effect.orDie)
      })
    })
  )
}
