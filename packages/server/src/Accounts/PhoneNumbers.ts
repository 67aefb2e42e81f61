import {
  type IncorrectPhoneCode,
  LastSignInMethod,
  type PhoneCodeExpired,
  type PhoneCodeSent,
  PhoneNumberNotFound,
  PhoneNumberTaken,
  type SmsNotSent
} from "@moim/domain/Accounts/Phone"
import type { User } from "@moim/domain/Accounts/User"
import { Unauthorized } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { RateLimited } from "@moim/domain/Kit/RateLimited"
import { Clock, Context, Effect, Layer, Option, Result } from "effect"
import { Transaction } from "../platform/Transaction.ts"
import { OidcIdentitiesRepo } from "./OidcIdentitiesRepo.ts"
import { PhoneCodes } from "./PhoneCodes.ts"
import { PhoneDirectory } from "./PhoneDirectory.ts"
import { PhoneNumbersRepo, type VerifiedPhoneRow } from "./PhoneNumbersRepo.ts"
import { PhoneOwnership } from "./PhoneOwnership.ts"
import { UsersRepo } from "./UsersRepo.ts"
import { UserViews } from "./UserViews.ts"

type Actor = CurrentUser["Service"]

/**
 * Your account's phone number: adding one (a texted code proves it is yours), and removing it unless
 * it is the only way the account can sign in. A number belongs to one account at a time.
 */
export class PhoneNumbers extends Context.Service<
  PhoneNumbers,
  {
    /** Texts a code to the number; verifying it makes the number yours. */
    readonly add: (actor: Actor, e164: string) => Effect.Effect<PhoneCodeSent, RateLimited | SmsNotSent>
    /** With the code texted by `add`, the number becomes the account's, in place of its last one. */
    readonly verify: (
      actor: Actor,
      code: string
    ) => Effect.Effect<User, IncorrectPhoneCode | PhoneCodeExpired | PhoneNumberTaken | Unauthorized>
    readonly remove: (actor: Actor) => Effect.Effect<void, PhoneNumberNotFound | LastSignInMethod | Unauthorized>
  }
>()("@moim/server/Accounts/PhoneNumbers") {
  static readonly layer = Layer.effect(
    PhoneNumbers,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const codes = yield* PhoneCodes
      const phones = yield* PhoneNumbersRepo
      const users = yield* UsersRepo
      const views = yield* UserViews
      const directory = yield* PhoneDirectory
      const ownership = yield* PhoneOwnership
      const identities = yield* OidcIdentitiesRepo

      const requireUser = Effect.fn("PhoneNumbers.requireUser")(function* (actor: Actor) {
        const user = yield* users.findById(actor.userId)
        if (Option.isNone(user)) return yield* new Unauthorized({ message: "This account no longer exists" })
        return user.value
      })

      return PhoneNumbers.of({
        add: (actor, e164) => codes.send({ purpose: "add_number", userId: actor.userId }, e164),

        verify: Effect.fn("PhoneNumbers.verify")(function* (actor, code) {
          const user = yield* requireUser(actor)
          // Refusals are returned, not failed, so that the transaction commits the try they count.
          const outcome = yield* transaction(
            Effect.gen(function* (): Effect.fn.Return<
              Result.Result<Option.Option<VerifiedPhoneRow>, IncorrectPhoneCode | PhoneCodeExpired | PhoneNumberTaken>
            > {
              const verified = yield* codes.verify({ purpose: "add_number", userId: actor.userId }, code)
              if (Result.isFailure(verified)) return Result.fail(verified.failure)
              const e164 = verified.success.e164
              yield* codes.consume(verified.success)
              const contactHash = directory.hash(e164)
              const claim = yield* phones.claim({
                userId: actor.userId,
                e164,
                contactHash,
                verifiedAt: new Date(yield* Clock.currentTimeMillis)
              })
              if (claim === "taken") {
                return Result.fail(
                  new PhoneNumberTaken({ message: "Another account has verified this number; it cannot be yours too" })
                )
              }
              if (claim === "claimed") yield* ownership.proven(actor.userId, { e164, contactHash })
              return Result.succeed(yield* phones.findByUser(actor.userId))
            })
          )
          return views.user(user, yield* Effect.fromResult(outcome))
        }),

        remove: Effect.fn("PhoneNumbers.remove")(function* (actor) {
          const user = yield* requireUser(actor)
          if (Option.isNone(yield* phones.findByUser(actor.userId))) {
            return yield* new PhoneNumberNotFound({ message: "Your account has no phone number" })
          }
          const hasPassword = user.email !== null && user.passwordHash !== null
          if (!hasPassword && (yield* identities.countByUser(actor.userId)) === 0) {
            return yield* new LastSignInMethod({
              message:
                "This number is how you sign in: an account without an email and password or a linked provider keeps its number"
            })
          }
          yield* phones.remove(actor.userId)
        })
      })
    })
  )
}
