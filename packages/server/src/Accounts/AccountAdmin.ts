import type { WeakPassword } from "@moim/domain/Accounts/AccountErrors"
import { type AdminUserView, UserId, UserNotFound } from "@moim/domain/Accounts/User"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Context, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { Actor } from "../Access/Actor.ts"
import { Transaction } from "../platform/Transaction.ts"
import { BreachedPasswords } from "./BreachedPasswords.ts"
import { Passwords } from "./Passwords.ts"
import { SessionsRepo } from "./SessionsRepo.ts"
import { UsersRepo } from "./UsersRepo.ts"
import { UserViews } from "./UserViews.ts"

/** Site administration of accounts: suspensions, and the first admin from the command line. */
export class AccountAdmin extends Context.Service<
  AccountAdmin,
  {
    /** The user can no longer sign in or refresh; their sessions end at once. */
    readonly suspend: (
      actor: CurrentUser["Service"],
      userId: UserId,
      reason: string | null
    ) => Effect.Effect<AdminUserView, UserNotFound | Forbidden>
    readonly unsuspend: (
      actor: CurrentUser["Service"],
      userId: UserId
    ) => Effect.Effect<AdminUserView, UserNotFound | Forbidden>
    /**
     * Creates a site admin, or promotes the account with that email (keeping its password); for
     * `npm run moim -- create-admin`. A new admin's password is checked like any new password.
     */
    readonly createAdmin: (input: {
      readonly email: string
      readonly password: string
      readonly nickname: string
    }) => Effect.Effect<{ readonly userId: UserId; readonly created: boolean }, WeakPassword>
  }
>()("@moim/server/Accounts/AccountAdmin") {
  static readonly layer = Layer.effect(
    AccountAdmin,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const users = yield* UsersRepo
      const sessions = yield* SessionsRepo
      const passwords = yield* Passwords
      const breached = yield* BreachedPasswords
      const views = yield* UserViews

      const setSuspension = Effect.fn("AccountAdmin.setSuspension")(function* (
        actor: CurrentUser["Service"],
        userId: UserId,
        suspension: { readonly reason: string | null } | null
      ) {
        yield* Actor.requireSiteAdmin(Actor.of(actor))
        if (userId === actor.userId)
          return yield* new Forbidden({ message: "You cannot suspend or unsuspend yourself" })
        const updated = yield* transaction(
          Effect.gen(function* () {
            const row = yield* users.setSuspension(userId, suspension)
            if (Option.isSome(row) && suspension !== null) {
              yield* sessions.revokeAll(userId, { except: null, reason: "suspended" })
            }
            return row
          })
        )
        if (Option.isNone(updated)) return yield* new UserNotFound({ message: "No such user" })
        return views.admin(updated.value)
      })

      return AccountAdmin.of({
        suspend: (actor, userId, reason) => setSuspension(actor, userId, { reason }),
        unsuspend: (actor, userId) => setSuspension(actor, userId, null),
        createAdmin: Effect.fn("AccountAdmin.createAdmin")(function* (input) {
          const existing = yield* users.findByEmail(input.email)
          if (Option.isSome(existing)) {
            yield* users.makeAdmin(existing.value.id)
            return { userId: existing.value.id, created: false }
          }
          yield* breached.check(input.password)
          const passwordHash = yield* passwords.hash(input.password)
          const inserted = yield* users.insert({
            id: UserId.make(SecureRandom.uuidV7Unsafe()),
            email: input.email,
            passwordHash,
            nickname: input.nickname,
            role: "admin"
          })
          if (Option.isNone(inserted)) {
            return yield* Effect.die(new Error("The email was registered concurrently; try again"))
          }
          yield* users.markEmailVerified(inserted.value.id, input.email)
          return { userId: inserted.value.id, created: true }
        })
      })
    })
  )
}
