import { InvalidToken, type WeakPassword } from "@moim/domain/Accounts/AccountErrors"
import type { UserId } from "@moim/domain/Accounts/User"
import { SendEmail } from "@moim/domain/Jobs/SendEmail"
import { Unauthorized } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Context, Duration, Effect, Layer, Option } from "effect"
import { AppConfig } from "../platform/AppConfig.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { Transaction } from "../platform/Transaction.ts"
import { AccountsConfig } from "./AccountsConfig.ts"
import { BreachedPasswords } from "./BreachedPasswords.ts"
import { EmailOwnership } from "./EmailOwnership.ts"
import { EmailTokensRepo } from "./EmailTokensRepo.ts"
import { OpaqueToken } from "./OpaqueToken.ts"
import { Passwords } from "./Passwords.ts"
import { SessionsRepo } from "./SessionsRepo.ts"
import { UsersRepo } from "./UsersRepo.ts"

/**
 * Proving an email address: the verification link sent at sign-up (and on request), and password
 * reset, which proves the address too. Both use single-use tokens stored only as hashes; proving an
 * address hands over what other features addressed to it (`EmailOwnership`).
 */
export class Verification extends Context.Service<
  Verification,
  {
    /** Queues the verification email with a new token; runs inside the caller's transaction. */
    readonly sendVerificationEmail: (userId: UserId, email: string, nickname: string) => Effect.Effect<void>
    readonly verifyEmail: (token: string) => Effect.Effect<void, InvalidToken>
    readonly resendVerification: (actor: CurrentUser["Service"]) => Effect.Effect<void, Unauthorized>
    /** Emails a reset link if the address has an active account; says nothing either way. */
    readonly requestPasswordReset: (email: string) => Effect.Effect<void>
    /** Sets the password with an emailed token and ends every session. */
    readonly confirmPasswordReset: (
      token: string,
      newPassword: string
    ) => Effect.Effect<void, InvalidToken | WeakPassword>
  }
>()("@moim/server/Accounts/Verification") {
  static readonly layer = Layer.effect(
    Verification,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const users = yield* UsersRepo
      const tokens = yield* EmailTokensRepo
      const sessions = yield* SessionsRepo
      const passwords = yield* Passwords
      const breached = yield* BreachedPasswords
      const jobs = yield* JobQueue
      const ownership = yield* EmailOwnership
      const config = yield* AccountsConfig
      const { appUrl } = yield* AppConfig

      const sendVerificationEmail = Effect.fn("Verification.sendVerificationEmail")(function* (
        userId: UserId,
        email: string,
        nickname: string
      ) {
        const token = OpaqueToken.generate()
        yield* tokens.insert({
          tokenHash: OpaqueToken.hash(token),
          userId,
          purpose: "verify_email",
          email,
          expiresInSeconds: Math.floor(Duration.toSeconds(config.verificationTokenTtl))
        })
        const link = `${appUrl}/verify-email?token=${token}`
        yield* jobs.enqueue(SendEmail, {
          to: email,
          subject: "Confirm your email address for Moim",
          text: `Hello ${nickname},\n\nConfirm your email address by opening this link (valid for 48 hours):\n${link}\n\nIf you did not sign up for Moim, ignore this message.\n`
        })
      })

      /** The address is the user's: mark it verified and hand over what was addressed to it. */
      const prove = (userId: UserId, email: string) =>
        Effect.gen(function* () {
          const verified = yield* users.markEmailVerified(userId, email)
          if (verified) yield* ownership.proven(userId, email)
          return verified
        })

      return Verification.of({
        sendVerificationEmail,

        verifyEmail: Effect.fn("Verification.verifyEmail")(function* (token) {
          const verified = yield* transaction(
            Effect.gen(function* () {
              const used = yield* tokens.consume(OpaqueToken.hash(token), "verify_email")
              return Option.isNone(used) ? false : yield* prove(used.value.userId, used.value.email)
            })
          )
          if (!verified) {
            return yield* new InvalidToken({ message: "This verification link is invalid, expired or already used" })
          }
        }),

        resendVerification: Effect.fn("Verification.resendVerification")(function* (actor) {
          const user = yield* users.findById(actor.userId)
          if (Option.isNone(user)) return yield* new Unauthorized({ message: "This account no longer exists" })
          const email = user.value.email
          if (user.value.emailVerifiedAt !== null || email === null) return
          yield* transaction(sendVerificationEmail(user.value.id, email, user.value.nickname))
        }),

        requestPasswordReset: Effect.fn("Verification.requestPasswordReset")(function* (email) {
          const user = yield* users.findByEmail(email)
          if (Option.isNone(user) || user.value.status !== "active") return
          const token = OpaqueToken.generate()
          const link = `${appUrl}/reset-password?token=${token}`
          yield* transaction(
            Effect.gen(function* () {
              yield* tokens.insert({
                tokenHash: OpaqueToken.hash(token),
                userId: user.value.id,
                purpose: "reset_password",
                email,
                expiresInSeconds: Math.floor(Duration.toSeconds(config.resetTokenTtl))
              })
              yield* jobs.enqueue(SendEmail, {
                to: email,
                subject: "Reset your Moim password",
                text: `Hello ${user.value.nickname},\n\nSomeone asked to reset the password of your Moim account. To choose a new password, open this link within one hour:\n${link}\n\nIf it was not you, ignore this message; your password stays as it is.\n`
              })
            })
          )
        }),

        confirmPasswordReset: Effect.fn("Verification.confirmPasswordReset")(function* (token, newPassword) {
          // Before the token is spent, so that the link still works with a better password.
          yield* breached.check(newPassword)
          const passwordHash = yield* passwords.hash(newPassword)
          const reset = yield* transaction(
            Effect.gen(function* () {
              const used = yield* tokens.consume(OpaqueToken.hash(token), "reset_password")
              if (Option.isNone(used)) return false
              yield* users.setPassword(used.value.userId, passwordHash)
              yield* prove(used.value.userId, used.value.email)
              yield* sessions.revokeAll(used.value.userId, { except: null, reason: "password_reset" })
              return true
            })
          )
          if (!reset) return yield* new InvalidToken({ message: "This reset link is invalid, expired or already used" })
        })
      })
    })
  )
}
