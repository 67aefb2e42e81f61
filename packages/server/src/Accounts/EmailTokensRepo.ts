import { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

export type EmailTokenPurpose = "verify_email" | "reset_password"

const UsedToken = Schema.Struct({ userId: UserId, email: Schema.String })
const decodeUsed = Rows.first(UsedToken)

/** The `email_tokens` table: single-use tokens sent by email (verification, password reset), stored hashed. */
export class EmailTokensRepo extends Context.Service<
  EmailTokensRepo,
  {
    readonly insert: (token: {
      readonly tokenHash: string
      readonly userId: UserId
      readonly purpose: EmailTokenPurpose
      readonly email: string
      readonly expiresInSeconds: number
    }) => Effect.Effect<void>
    /** Uses a token once: unknown, expired, used or wrong-purpose tokens give nothing. */
    readonly consume: (
      tokenHash: string,
      purpose: EmailTokenPurpose
    ) => Effect.Effect<Option.Option<{ readonly userId: UserId; readonly email: string }>>
    readonly deleteForUser: (userId: UserId) => Effect.Effect<void>
    /** Removes up to `limit` tokens that expired, or were used, more than `graceSeconds` ago. */
    readonly purgeExpired: (graceSeconds: number, limit: number) => Effect.Effect<number>
  }
>()("@moim/server/Accounts/EmailTokensRepo") {
  static readonly layer = Layer.effect(
    EmailTokensRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return EmailTokensRepo.of({
        purgeExpired: Effect.fn("EmailTokensRepo.purgeExpired")(function* (graceSeconds, limit) {
          const rows = yield* sql`
            DELETE FROM email_tokens WHERE token_hash IN (
              SELECT token_hash FROM email_tokens
              WHERE least(expires_at, coalesce(used_at, 'infinity')) < now() - make_interval(secs => ${graceSeconds})
              LIMIT ${limit}
            ) RETURNING 1`
          return rows.length
        }, Effect.orDie),

        insert: Effect.fn("EmailTokensRepo.insert")(function* (token) {
          yield* sql`
            INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
            VALUES (${token.tokenHash}, ${token.userId}, ${token.purpose}, ${token.email}, now(),
              now() + make_interval(secs => ${token.expiresInSeconds}))`
        }, Effect.orDie),

        consume: Effect.fn("EmailTokensRepo.consume")(function* (tokenHash, purpose) {
          return yield* sql`
            UPDATE email_tokens SET used_at = now()
            WHERE token_hash = ${tokenHash} AND purpose = ${purpose} AND used_at IS NULL AND expires_at > now()
            RETURNING user_id, email`.pipe(Effect.flatMap(decodeUsed))
        }, Effect.orDie),

        deleteForUser: Effect.fn("EmailTokensRepo.deleteForUser")(function* (userId) {
          yield* sql`DELETE FROM email_tokens WHERE user_id = ${userId}`
        }, Effect.orDie)
      })
    })
  )
}
