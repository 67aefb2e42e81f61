import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomInt } from "node:crypto"
import {
  IncorrectSecondFactorCode,
  RecoveryCodes,
  SecondFactorChallengeExpired,
  SecondFactorRequired,
  TwoFactorAlreadyEnabled,
  TwoFactorEnrollment,
  TwoFactorNotEnabled,
  TwoFactorStatus
} from "@moim/domain/Accounts/TwoFactor"
import type { UserId } from "@moim/domain/Accounts/User"
import { Unauthorized } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Clock, Context, DateTime, Effect, Layer, Option, Result } from "effect"
import { ServerSecret } from "../platform/ServerSecret.ts"
import { Transaction } from "../platform/Transaction.ts"
import { AccountsConfig } from "./AccountsConfig.ts"
import { OpaqueToken } from "./OpaqueToken.ts"
import { SessionCache } from "./SessionCache.ts"
import { Totp } from "./Totp.ts"
import { TwoFactorRepo, type TwoFactorRow } from "./TwoFactorRepo.ts"
import { UsersRepo } from "./UsersRepo.ts"

type Actor = CurrentUser["Service"]

const issuer = "Moim"
const challengeTtlMillis = 5 * 60 * 1000
const challengeTries = 5
const recoveryCodeCount = 10
/** No digits, and no letters easily read as others (i, l, o): 23 letters, 12 of them, about 54 bits. */
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz"

const currentDate = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis))

/** What a sign-in challenge leads to once its code is right. */
export interface RedeemedChallenge {
  readonly userId: UserId
  readonly deviceName: string | null
}

/**
 * Two-factor authentication with an authenticator app (TOTP, RFC 6238) and ten single-use recovery
 * codes. The TOTP secret is stored encrypted (AES-256-GCM under the "two-factor-secrets" key derived
 * from `MOIM_SECRET`, bound to its account), since the server must read it back to check codes.
 * Recovery codes are stored as HMAC-SHA256 under the "two-factor-recovery" key: they are random
 * (about 54 bits each), so a keyed hash is already beyond guessing offline without the key, and
 * unlike a password they need no slow hash to make up for a small space of likely values.
 */
export class TwoFactor extends Context.Service<
  TwoFactor,
  {
    readonly status: (actor: Actor) => Effect.Effect<TwoFactorStatus>
    /** A new secret, not in force until confirmed; replaces an unconfirmed one. */
    readonly start: (actor: Actor) => Effect.Effect<TwoFactorEnrollment, TwoFactorAlreadyEnabled | Unauthorized>
    /** A first code turns it on; answers the recovery codes, shown once. */
    readonly confirm: (
      actor: Actor,
      code: string
    ) => Effect.Effect<RecoveryCodes, IncorrectSecondFactorCode | TwoFactorNotEnabled | TwoFactorAlreadyEnabled>
    /** With a code of the app or a recovery code: forgets the secret and the recovery codes. */
    readonly disable: (
      actor: Actor,
      code: string
    ) => Effect.Effect<void, IncorrectSecondFactorCode | TwoFactorNotEnabled>
    readonly regenerateRecoveryCodes: (
      actor: Actor,
      code: string
    ) => Effect.Effect<RecoveryCodes, IncorrectSecondFactorCode | TwoFactorNotEnabled>
    readonly enabled: (userId: UserId) => Effect.Effect<boolean>
    /** Whose sign-in a challenge is, while it is live: for the per-account limit on tries. */
    readonly challengeOwner: (challenge: string) => Effect.Effect<Option.Option<UserId>>
    /** A sign-in challenge for a user whose password was right. */
    readonly challenge: (userId: UserId, deviceName: string | null) => Effect.Effect<SecondFactorRequired>
    /**
     * Tries a code against a challenge, inside the caller's transaction. The refusal is returned
     * rather than failed so that the transaction commits the try it counts; a right code spends the
     * challenge.
     */
    readonly redeem: (
      challenge: string,
      code: string
    ) => Effect.Effect<Result.Result<RedeemedChallenge, IncorrectSecondFactorCode | SecondFactorChallengeExpired>>
  }
>()("@moim/server/Accounts/TwoFactor") {
  static readonly layer = Layer.effect(
    TwoFactor,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const repo = yield* TwoFactorRepo
      const users = yield* UsersRepo
      const cache = yield* SessionCache
      const config = yield* AccountsConfig
      const secret = yield* ServerSecret
      const encryptionKey = secret.derive("two-factor-secrets")
      const recoveryKey = secret.derive("two-factor-recovery")

      const encrypt = (userId: UserId, plain: Uint8Array): string => {
        const iv = randomBytes(12)
        const cipher = createCipheriv("aes-256-gcm", encryptionKey, iv)
        cipher.setAAD(Buffer.from(userId))
        const body = Buffer.concat([cipher.update(plain), cipher.final()])
        return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`
      }

      const decrypt = (userId: UserId, stored: string): Uint8Array => {
        const bytes = Buffer.from(stored.slice("v1.".length), "base64url")
        const decipher = createDecipheriv("aes-256-gcm", encryptionKey, bytes.subarray(0, 12))
        decipher.setAAD(Buffer.from(userId))
        decipher.setAuthTag(bytes.subarray(12, 28))
        return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()])
      }

      const recoveryHash = (userId: UserId, code: string) =>
        createHmac("sha256", recoveryKey)
          .update(`${userId}:${code.toLowerCase().replace(/[^a-z]/g, "")}`)
          .digest("hex")

      const newRecoveryCodes = Effect.fn("TwoFactor.newRecoveryCodes")(function* (userId: UserId) {
        const codes = Array.from({ length: recoveryCodeCount }, () => {
          const letters = Array.from({ length: 12 }, () => recoveryAlphabet[randomInt(recoveryAlphabet.length)]).join(
            ""
          )
          return `${letters.slice(0, 4)}-${letters.slice(4, 8)}-${letters.slice(8)}`
        })
        yield* repo.replaceRecoveryCodes(
          userId,
          codes.map((code) => recoveryHash(userId, code))
        )
        return new RecoveryCodes({ codes })
      })

      const isTotp = (code: string) => /^\d{6}$/.test(code)

      /** Spends a TOTP code (or, when allowed, a recovery code) of a confirmed enrolment. */
      const spend = Effect.fn("TwoFactor.spend")(function* (
        row: TwoFactorRow,
        code: string,
        options: { readonly recovery: boolean }
      ) {
        const typed = code.replace(/\s/g, "")
        if (isTotp(typed)) {
          const step = Totp.match(
            decrypt(row.userId, row.secretCiphertext),
            typed,
            yield* Clock.currentTimeMillis,
            row.lastStep
          )
          return step !== undefined && (yield* repo.spendStep(row.userId, step))
        }
        return options.recovery && (yield* repo.spendRecoveryCode(row.userId, recoveryHash(row.userId, typed)))
      })

      const confirmedRow = Effect.fn("TwoFactor.confirmedRow")(function* (userId: UserId) {
        const row = yield* repo.find(userId)
        if (Option.isNone(row) || row.value.confirmedAt === null) {
          return yield* new TwoFactorNotEnabled({ message: "Two-factor authentication is not turned on" })
        }
        return row.value
      })

      const incorrect = (attemptsLeft?: number) =>
        new IncorrectSecondFactorCode({
          message:
            attemptsLeft === undefined
              ? "Wrong code, or a code already used"
              : attemptsLeft > 0
                ? `Wrong code, or a code already used; ${attemptsLeft} tries left`
                : "Wrong code, and that was the last try: sign in again",
          ...(attemptsLeft === undefined ? {} : { attemptsLeft })
        })

      return TwoFactor.of({
        status: Effect.fn("TwoFactor.status")(function* (actor) {
          const row = yield* repo.find(actor.userId)
          const confirmedAt = Option.match(row, { onNone: () => null, onSome: (found) => found.confirmedAt })
          return new TwoFactorStatus({
            enabled: confirmedAt !== null,
            enabledAt: confirmedAt === null ? null : DateTime.fromDateUnsafe(confirmedAt),
            recoveryCodesLeft: confirmedAt === null ? 0 : yield* repo.countRecoveryCodes(actor.userId),
            required: config.requireSecondFactorForAdmins && actor.role === "admin"
          })
        }),

        start: Effect.fn("TwoFactor.start")(function* (actor) {
          const user = yield* users.findById(actor.userId)
          if (Option.isNone(user)) return yield* new Unauthorized({ message: "This account no longer exists" })
          const key = randomBytes(20)
          const started = yield* repo.startEnrolment(actor.userId, encrypt(actor.userId, key), yield* currentDate)
          if (Option.isNone(started)) {
            return yield* new TwoFactorAlreadyEnabled({ message: "Two-factor authentication is already turned on" })
          }
          const accountName = user.value.email ?? user.value.nickname
          return new TwoFactorEnrollment({
            secret: Totp.base32(key),
            otpauthUri: Totp.uri({ secret: key, issuer, accountName }),
            issuer,
            accountName,
            algorithm: "SHA1",
            digits: 6,
            periodSeconds: 30
          })
        }),

        confirm: Effect.fn("TwoFactor.confirm")(function* (actor, code) {
          const row = yield* repo.find(actor.userId)
          if (Option.isNone(row)) {
            return yield* new TwoFactorNotEnabled({ message: "Start with POST /me/two-factor first" })
          }
          if (row.value.confirmedAt !== null) {
            return yield* new TwoFactorAlreadyEnabled({ message: "Two-factor authentication is already turned on" })
          }
          const typed = code.replace(/\s/g, "")
          const millis = yield* Clock.currentTimeMillis
          const step = isTotp(typed)
            ? Totp.match(decrypt(actor.userId, row.value.secretCiphertext), typed, millis, null)
            : undefined
          if (step === undefined) return yield* incorrect()
          const codes = yield* transaction(
            Effect.gen(function* () {
              if (!(yield* repo.confirm(actor.userId, step, new Date(millis)))) return Option.none()
              return Option.some(yield* newRecoveryCodes(actor.userId))
            })
          )
          if (Option.isNone(codes)) {
            return yield* new TwoFactorAlreadyEnabled({ message: "Two-factor authentication is already turned on" })
          }
          // Cached sessions of this user carry "no second factor" (what admin operations look at).
          yield* cache.invalidate({ userId: actor.userId })
          return codes.value
        }),

        disable: Effect.fn("TwoFactor.disable")(function* (actor, code) {
          const row = yield* confirmedRow(actor.userId)
          if (!(yield* spend(row, code, { recovery: true }))) return yield* incorrect()
          yield* transaction(
            Effect.gen(function* () {
              yield* repo.remove(actor.userId)
              yield* repo.removeChallengesOf(actor.userId)
            })
          )
          yield* cache.invalidate({ userId: actor.userId })
        }),

        regenerateRecoveryCodes: Effect.fn("TwoFactor.regenerateRecoveryCodes")(function* (actor, code) {
          const row = yield* confirmedRow(actor.userId)
          if (!(yield* spend(row, code, { recovery: false }))) return yield* incorrect()
          return yield* transaction(newRecoveryCodes(actor.userId))
        }),

        enabled: Effect.fn("TwoFactor.enabled")(function* (userId) {
          const row = yield* repo.find(userId)
          return Option.isSome(row) && row.value.confirmedAt !== null
        }),

        challengeOwner: Effect.fn("TwoFactor.challengeOwner")(function* (challenge) {
          const row = yield* repo.findChallenge(OpaqueToken.hash(challenge))
          return Option.map(row, (found) => found.userId)
        }),

        challenge: Effect.fn("TwoFactor.challenge")(function* (userId, deviceName) {
          const now = yield* Clock.currentTimeMillis
          const token = OpaqueToken.generate()
          const expiresAt = new Date(now + challengeTtlMillis)
          yield* repo.removeExpiredChallenges(new Date(now))
          yield* repo.insertChallenge({ tokenHash: OpaqueToken.hash(token), userId, deviceName, expiresAt })
          return new SecondFactorRequired({
            challenge: token,
            expiresAt: DateTime.fromDateUnsafe(expiresAt),
            methods: ["totp", "recovery_code"]
          })
        }),

        redeem: Effect.fn("TwoFactor.redeem")(function* (challenge, code) {
          const now = yield* Clock.currentTimeMillis
          const expired = new SecondFactorChallengeExpired({
            message: "This sign-in challenge is no longer valid; sign in with your password again"
          })
          const tokenHash = OpaqueToken.hash(challenge)
          const row = yield* repo.lockChallenge(tokenHash)
          if (Option.isNone(row)) return Result.fail(expired)
          if (row.value.expiresAt.getTime() <= now || row.value.attempts >= challengeTries) {
            yield* repo.removeChallenge(tokenHash)
            return Result.fail(expired)
          }
          const enrolment = yield* repo.find(row.value.userId)
          if (Option.isNone(enrolment) || enrolment.value.confirmedAt === null) {
            yield* repo.removeChallenge(tokenHash)
            return Result.fail(expired)
          }
          if (yield* spend(enrolment.value, code, { recovery: true })) {
            yield* repo.removeChallenge(tokenHash)
            return Result.succeed({ userId: row.value.userId, deviceName: row.value.deviceName })
          }
          yield* repo.countChallengeAttempt(tokenHash)
          return Result.fail(incorrect(challengeTries - row.value.attempts - 1))
        })
      })
    })
  )
}
