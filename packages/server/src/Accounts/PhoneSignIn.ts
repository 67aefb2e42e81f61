import {
  type IncorrectPhoneCode,
  NicknameRequired,
  PhoneCodeExpired,
  type PhoneCodeSent,
  type SmsNotSent
} from "@moim/domain/Accounts/Phone"
import type { AuthResult } from "@moim/domain/Accounts/Session"
import type { SecondFactorRequired } from "@moim/domain/Accounts/TwoFactor"
import { UserId } from "@moim/domain/Accounts/User"
import { AccountSuspended } from "@moim/domain/Kit/AccessErrors"
import type { RateLimited } from "@moim/domain/Kit/RateLimited"
import { Clock, Context, Effect, Layer, Option, Result } from "effect"
import { SecureRandom } from "effect/crypto"
import { ActivityLog } from "../Access/ActivityLog.ts"
import type { ClientInfo } from "../Access/ClientInfo.ts"
import { Transaction } from "../platform/Transaction.ts"
import { PhoneCodes } from "./PhoneCodes.ts"
import { PhoneDirectory } from "./PhoneDirectory.ts"
import { PhoneNumbersRepo } from "./PhoneNumbersRepo.ts"
import { PhoneOwnership } from "./PhoneOwnership.ts"
import { Sessions } from "./Sessions.ts"
import { TwoFactor } from "./TwoFactor.ts"
import { type UserRow, UsersRepo } from "./UsersRepo.ts"

type Refusal = IncorrectPhoneCode | PhoneCodeExpired | NicknameRequired | AccountSuspended

/**
 * Signing in with a code texted to a verified number, or signing up with a number that has no
 * account yet (then with a nickname; the account has no email or password until its owner adds them).
 */
export class PhoneSignIn extends Context.Service<
  PhoneSignIn,
  {
    /** Texts a sign-in code; the same whether or not the number has an account. */
    readonly requestCode: (e164: string) => Effect.Effect<PhoneCodeSent, RateLimited | SmsNotSent>
    readonly signIn: (
      input: {
        readonly e164: string
        readonly code: string
        readonly nickname?: string | undefined
        readonly deviceName?: string | undefined
      },
      client: ClientInfo
    ) => Effect.Effect<AuthResult | SecondFactorRequired, Refusal>
  }
>()("@moim/server/Accounts/PhoneSignIn") {
  static readonly layer = Layer.effect(
    PhoneSignIn,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const codes = yield* PhoneCodes
      const twoFactor = yield* TwoFactor
      const phones = yield* PhoneNumbersRepo
      const users = yield* UsersRepo
      const sessions = yield* Sessions
      const directory = yield* PhoneDirectory
      const ownership = yield* PhoneOwnership
      const activity = yield* ActivityLog

      /**
       * A new account for the number, which it holds verified from now on. Fails, rolling the
       * account back, when another account verified the number since the code was checked.
       */
      const signUp = Effect.fn("PhoneSignIn.signUp")(function* (e164: string, nickname: string) {
        const inserted = yield* users.insert({
          id: UserId.make(SecureRandom.uuidV7Unsafe()),
          email: null,
          passwordHash: null,
          nickname
        })
        if (Option.isNone(inserted)) return yield* Effect.die(new Error("an account without email was refused"))
        const contactHash = directory.hash(e164)
        const claim = yield* phones.claim({
          userId: inserted.value.id,
          e164,
          contactHash,
          verifiedAt: new Date(yield* Clock.currentTimeMillis)
        })
        if (claim === "taken") {
          return yield* new PhoneCodeExpired({
            message: "Another account verified this number a moment ago: ask for a new code to sign in"
          })
        }
        yield* ownership.proven(inserted.value.id, { e164, contactHash })
        return inserted.value
      })

      /** The account holding the number, if it may sign in. */
      const holderOf = Effect.fn("PhoneSignIn.holderOf")(function* (userId: UserId) {
        const row = yield* users.findById(userId)
        if (Option.isNone(row)) return yield* Effect.die(new Error("the number's account is gone"))
        return row.value
      })

      return PhoneSignIn.of({
        requestCode: (e164) => codes.send({ purpose: "sign_in", e164 }, e164),

        signIn: Effect.fn("PhoneSignIn.signIn")(function* (input, client) {
          // Refusals are returned, not failed, so that the transaction commits the try they count.
          let signedUp = false
          const outcome = yield* transaction(
            Effect.gen(function* (): Effect.fn.Return<
              Result.Result<AuthResult | SecondFactorRequired, Refusal>,
              PhoneCodeExpired
            > {
              const verified = yield* codes.verify({ purpose: "sign_in", e164: input.e164 }, input.code)
              if (Result.isFailure(verified)) return Result.fail(verified.failure)
              const holder = yield* phones.findHolder(input.e164)
              let user: UserRow
              if (Option.isSome(holder)) {
                if (holder.value.status === "suspended") {
                  return Result.fail(new AccountSuspended({ message: "This account is suspended" }))
                }
                user = yield* holderOf(holder.value.userId)
              } else if (input.nickname === undefined) {
                // The code stays valid: the client asks for a nickname and sends it with the same code.
                return Result.fail(
                  new NicknameRequired({
                    message: "This number has no account yet: send a nickname with the same code to create one"
                  })
                )
              } else {
                user = yield* signUp(input.e164, input.nickname)
                signedUp = true
              }
              yield* codes.consume(verified.success)
              // The texted code is one factor; an account that asks for its app's code asks here too.
              if (!signedUp && (yield* twoFactor.enabled(user.id))) {
                return Result.succeed(yield* twoFactor.challenge(user.id, input.deviceName ?? null))
              }
              return Result.succeed(yield* sessions.startVerified(user, input.deviceName ?? null, client))
            })
          )
          const result = yield* Effect.fromResult(outcome)
          if ("user" in result) yield* activity.record({ kind: signedUp ? "signup" : "login", userId: result.user.id })
          return result
        })
      })
    })
  )
}
