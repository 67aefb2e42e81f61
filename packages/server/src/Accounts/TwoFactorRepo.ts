import { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

/** An account's TOTP enrolment (its secret still encrypted). */
export const TwoFactorRow = Schema.Struct({
  userId: UserId,
  secretCiphertext: Schema.String,
  createdAt: Schema.Date,
  confirmedAt: Schema.NullOr(Schema.Date),
  lastStep: Schema.NullOr(Schema.Int)
})
export type TwoFactorRow = typeof TwoFactorRow.Type

/** A sign-in waiting for its second factor. */
export const ChallengeRow = Schema.Struct({
  tokenHash: Schema.String,
  userId: UserId,
  deviceName: Schema.NullOr(Schema.String),
  attempts: Schema.Int,
  expiresAt: Schema.Date
})
export type ChallengeRow = typeof ChallengeRow.Type

const decodeTwoFactor = Rows.first(TwoFactorRow)
const decodeChallenge = Rows.first(ChallengeRow)
const decodeCount = Rows.first(Schema.Struct({ count: Schema.Int }))

/**
 * The `two_factor`, `two_factor_recovery_codes` and `two_factor_challenges` tables. Spending a TOTP
 * step, a recovery code or a challenge is one conditional statement each, so two requests racing
 * with the same code cannot both succeed.
 */
export class TwoFactorRepo extends Context.Service<
  TwoFactorRepo,
  {
    readonly find: (userId: UserId) => Effect.Effect<Option.Option<TwoFactorRow>>
    /** A new unconfirmed secret in place of an unconfirmed one; none when a confirmed one exists. */
    readonly startEnrolment: (
      userId: UserId,
      secretCiphertext: string,
      now: Date
    ) => Effect.Effect<Option.Option<TwoFactorRow>>
    /** Marks the enrolment confirmed with the step of its first code; false when it was not pending. */
    readonly confirm: (userId: UserId, step: number, now: Date) => Effect.Effect<boolean>
    /** Records `step` as used, if it is later than the last used step: false when it was not. */
    readonly spendStep: (userId: UserId, step: number) => Effect.Effect<boolean>
    readonly remove: (userId: UserId) => Effect.Effect<void>
    readonly replaceRecoveryCodes: (userId: UserId, codeHashes: ReadonlyArray<string>) => Effect.Effect<void>
    /** Deletes the code if it is one of the user's: true when it was. */
    readonly spendRecoveryCode: (userId: UserId, codeHash: string) => Effect.Effect<boolean>
    readonly countRecoveryCodes: (userId: UserId) => Effect.Effect<number>
    readonly insertChallenge: (challenge: {
      readonly tokenHash: string
      readonly userId: UserId
      readonly deviceName: string | null
      readonly expiresAt: Date
    }) => Effect.Effect<void>
    readonly findChallenge: (tokenHash: string) => Effect.Effect<Option.Option<ChallengeRow>>
    /** The challenge, locked until the caller's transaction ends. */
    readonly lockChallenge: (tokenHash: string) => Effect.Effect<Option.Option<ChallengeRow>>
    readonly countChallengeAttempt: (tokenHash: string) => Effect.Effect<void>
    readonly removeChallenge: (tokenHash: string) => Effect.Effect<void>
    readonly removeChallengesOf: (userId: UserId) => Effect.Effect<void>
    readonly removeExpiredChallenges: (before: Date) => Effect.Effect<void>
    /** Removes up to `limit` challenges that expired more than `graceSeconds` ago. */
    readonly purgeExpiredChallenges: (graceSeconds: number, limit: number) => Effect.Effect<number>
  }
>()("@moim/server/Accounts/TwoFactorRepo") {
  static readonly layer = Layer.effect(
    TwoFactorRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return TwoFactorRepo.of({
        find: Effect.fn("TwoFactorRepo.find")(function* (userId) {
          return yield* sql`SELECT * FROM two_factor WHERE user_id = ${userId}`.pipe(Effect.flatMap(decodeTwoFactor))
        }, Effect.orDie),

        startEnrolment: Effect.fn("TwoFactorRepo.startEnrolment")(function* (userId, secretCiphertext, now) {
          return yield* sql`
            INSERT INTO two_factor (user_id, secret_ciphertext, created_at, confirmed_at, last_step)
            VALUES (${userId}, ${secretCiphertext}, ${now}, NULL, NULL)
            ON CONFLICT (user_id) DO UPDATE SET
              secret_ciphertext = excluded.secret_ciphertext, created_at = excluded.created_at, last_step = NULL
            WHERE two_factor.confirmed_at IS NULL
            RETURNING *`.pipe(Effect.flatMap(decodeTwoFactor))
        }, Effect.orDie),

        confirm: Effect.fn("TwoFactorRepo.confirm")(function* (userId, step, now) {
          const rows = yield* sql`
            UPDATE two_factor SET confirmed_at = ${now}, last_step = ${step}
            WHERE user_id = ${userId} AND confirmed_at IS NULL RETURNING 1`
          return rows.length > 0
        }, Effect.orDie),

        spendStep: Effect.fn("TwoFactorRepo.spendStep")(function* (userId, step) {
          const rows = yield* sql`
            UPDATE two_factor SET last_step = ${step}
            WHERE user_id = ${userId} AND (last_step IS NULL OR last_step < ${step}) RETURNING 1`
          return rows.length > 0
        }, Effect.orDie),

        remove: Effect.fn("TwoFactorRepo.remove")(function* (userId) {
          yield* sql`DELETE FROM two_factor_recovery_codes WHERE user_id = ${userId}`
          yield* sql`DELETE FROM two_factor WHERE user_id = ${userId}`
        }, Effect.orDie),

        replaceRecoveryCodes: Effect.fn("TwoFactorRepo.replaceRecoveryCodes")(function* (userId, codeHashes) {
          yield* sql`DELETE FROM two_factor_recovery_codes WHERE user_id = ${userId}`
          yield* Effect.forEach(
            codeHashes,
            (codeHash) =>
              sql`INSERT INTO two_factor_recovery_codes (user_id, code_hash) VALUES (${userId}, ${codeHash})`,
            { discard: true }
          )
        }, Effect.orDie),

        spendRecoveryCode: Effect.fn("TwoFactorRepo.spendRecoveryCode")(function* (userId, codeHash) {
          const rows = yield* sql`
            DELETE FROM two_factor_recovery_codes WHERE user_id = ${userId} AND code_hash = ${codeHash} RETURNING 1`
          return rows.length > 0
        }, Effect.orDie),

        countRecoveryCodes: Effect.fn("TwoFactorRepo.countRecoveryCodes")(function* (userId) {
          const row = yield* sql`
            SELECT count(*)::int AS count FROM two_factor_recovery_codes WHERE user_id = ${userId}`.pipe(
            Effect.flatMap(decodeCount)
          )
          return Option.match(row, { onNone: () => 0, onSome: (found) => found.count })
        }, Effect.orDie),

        insertChallenge: Effect.fn("TwoFactorRepo.insertChallenge")(function* (challenge) {
          yield* sql`
            INSERT INTO two_factor_challenges (token_hash, user_id, device_name, attempts, expires_at)
            VALUES (${challenge.tokenHash}, ${challenge.userId}, ${challenge.deviceName}, 0, ${challenge.expiresAt})`
        }, Effect.orDie),

        findChallenge: Effect.fn("TwoFactorRepo.findChallenge")(function* (tokenHash) {
          return yield* sql`SELECT * FROM two_factor_challenges WHERE token_hash = ${tokenHash}`.pipe(
            Effect.flatMap(decodeChallenge)
          )
        }, Effect.orDie),

        lockChallenge: Effect.fn("TwoFactorRepo.lockChallenge")(function* (tokenHash) {
          return yield* sql`SELECT * FROM two_factor_challenges WHERE token_hash = ${tokenHash} FOR UPDATE`.pipe(
            Effect.flatMap(decodeChallenge)
          )
        }, Effect.orDie),

        countChallengeAttempt: Effect.fn("TwoFactorRepo.countChallengeAttempt")(function* (tokenHash) {
          yield* sql`
            UPDATE two_factor_challenges SET attempts = least(attempts + 1, 5) WHERE token_hash = ${tokenHash}`
        }, Effect.orDie),

        removeChallenge: Effect.fn("TwoFactorRepo.removeChallenge")(function* (tokenHash) {
          yield* sql`DELETE FROM two_factor_challenges WHERE token_hash = ${tokenHash}`
        }, Effect.orDie),

        removeChallengesOf: Effect.fn("TwoFactorRepo.removeChallengesOf")(function* (userId) {
          yield* sql`DELETE FROM two_factor_challenges WHERE user_id = ${userId}`
        }, Effect.orDie),

        purgeExpiredChallenges: Effect.fn("TwoFactorRepo.purgeExpiredChallenges")(function* (graceSeconds, limit) {
          const rows = yield* sql`
            DELETE FROM two_factor_challenges WHERE token_hash IN (
              SELECT token_hash FROM two_factor_challenges
              WHERE expires_at < now() - make_interval(secs => ${graceSeconds}) LIMIT ${limit}
            ) RETURNING 1`
          return rows.length
        }, Effect.orDie),

        removeExpiredChallenges: Effect.fn("TwoFactorRepo.removeExpiredChallenges")(function* (before) {
          yield* sql`DELETE FROM two_factor_challenges WHERE expires_at < ${before}`
        }, Effect.orDie)
      })
    })
  )
}
