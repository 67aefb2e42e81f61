import { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

/** Whose code it is: a number's, to sign in with, or an account's, for the number it is adding. */
export type PhoneCodeKey =
  | { readonly purpose: "sign_in"; readonly e164: string }
  | { readonly purpose: "add_number"; readonly userId: UserId }

/** A code texted and not yet used (only its HMAC is stored). */
export const PhoneCodeRow = Schema.Struct({
  id: Schema.String,
  e164: Schema.String,
  purpose: Schema.Literals(["sign_in", "add_number"]),
  userId: Schema.NullOr(UserId),
  codeHash: Schema.String,
  attempts: Schema.Int,
  sentAt: Schema.Date,
  expiresAt: Schema.Date
})
export type PhoneCodeRow = typeof PhoneCodeRow.Type

const decodeCode = Rows.first(PhoneCodeRow)

/** The `phone_codes` table: pending texted codes, one per number for signing in and one per account for adding a number. */
export class PhoneCodesRepo extends Context.Service<
  PhoneCodesRepo,
  {
    /**
     * Stores a new code in place of the key's last one, unless that one was sent after
     * `cooldownSince`: then none, and nothing changes.
     */
    readonly replace: (code: {
      readonly id: string
      readonly key: PhoneCodeKey
      readonly e164: string
      readonly codeHash: string
      readonly sentAt: Date
      readonly expiresAt: Date
      readonly cooldownSince: Date
    }) => Effect.Effect<Option.Option<PhoneCodeRow>>
    readonly find: (key: PhoneCodeKey) => Effect.Effect<Option.Option<PhoneCodeRow>>
    /** The key's code, locked until the caller's transaction ends. */
    readonly lock: (key: PhoneCodeKey) => Effect.Effect<Option.Option<PhoneCodeRow>>
    readonly countAttempt: (id: string) => Effect.Effect<void>
    readonly remove: (id: string) => Effect.Effect<void>
    /** Drops the codes that stopped working before `before`. */
    readonly removeExpired: (before: Date) => Effect.Effect<void>
    readonly removeForUser: (userId: UserId) => Effect.Effect<void>
    /** Removes up to `limit` codes that expired more than `graceSeconds` ago. */
    readonly purgeExpired: (graceSeconds: number, limit: number) => Effect.Effect<number>
  }
>()("@moim/server/Accounts/PhoneCodesRepo") {
  static readonly layer = Layer.effect(
    PhoneCodesRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const whereKey = (key: PhoneCodeKey) =>
        key.purpose === "sign_in"
          ? sql`purpose = 'sign_in' AND e164 = ${key.e164}`
          : sql`purpose = 'add_number' AND user_id = ${key.userId}`

      return PhoneCodesRepo.of({
        purgeExpired: Effect.fn("PhoneCodesRepo.purgeExpired")(function* (graceSeconds, limit) {
          const rows = yield* sql`
            DELETE FROM phone_codes WHERE id IN (
              SELECT id FROM phone_codes WHERE expires_at < now() - make_interval(secs => ${graceSeconds}) LIMIT ${limit}
            ) RETURNING 1`
          return rows.length
        }, Effect.orDie),

        replace: Effect.fn("PhoneCodesRepo.replace")(function* (code) {
          const userId = code.key.purpose === "add_number" ? code.key.userId : null
          const conflict =
            code.key.purpose === "sign_in"
              ? sql`(e164) WHERE purpose = 'sign_in'`
              : sql`(user_id) WHERE purpose = 'add_number'`
          return yield* sql`
            INSERT INTO phone_codes (id, e164, purpose, user_id, code_hash, attempts, sent_at, expires_at)
            VALUES (${code.id}, ${code.e164}, ${code.key.purpose}, ${userId}, ${code.codeHash}, 0, ${code.sentAt},
              ${code.expiresAt})
            ON CONFLICT ${conflict} DO UPDATE SET
              id = excluded.id, e164 = excluded.e164, code_hash = excluded.code_hash, attempts = 0,
              sent_at = excluded.sent_at, expires_at = excluded.expires_at
            WHERE phone_codes.sent_at <= ${code.cooldownSince}
            RETURNING *`.pipe(Effect.flatMap(decodeCode))
        }, Effect.orDie),

        find: Effect.fn("PhoneCodesRepo.find")(function* (key) {
          return yield* sql`SELECT * FROM phone_codes WHERE ${whereKey(key)}`.pipe(Effect.flatMap(decodeCode))
        }, Effect.orDie),

        lock: Effect.fn("PhoneCodesRepo.lock")(function* (key) {
          return yield* sql`SELECT * FROM phone_codes WHERE ${whereKey(key)} FOR UPDATE`.pipe(
            Effect.flatMap(decodeCode)
          )
        }, Effect.orDie),

        countAttempt: Effect.fn("PhoneCodesRepo.countAttempt")(function* (id) {
          yield* sql`UPDATE phone_codes SET attempts = least(attempts + 1, 5) WHERE id = ${id}`
        }, Effect.orDie),

        remove: Effect.fn("PhoneCodesRepo.remove")(function* (id) {
          yield* sql`DELETE FROM phone_codes WHERE id = ${id}`
        }, Effect.orDie),

        removeExpired: Effect.fn("PhoneCodesRepo.removeExpired")(function* (before) {
          yield* sql`DELETE FROM phone_codes WHERE expires_at < ${before}`
        }, Effect.orDie),

        removeForUser: Effect.fn("PhoneCodesRepo.removeForUser")(function* (userId) {
          yield* sql`DELETE FROM phone_codes WHERE user_id = ${userId}`
        }, Effect.orDie)
      })
    })
  )
}
