import {
  IdentityId,
  IdentityNotFound,
  LinkedIdentity,
  OidcAuthorization,
  OidcCodeInvalid,
  OidcEmailTaken,
  OidcIdentityTaken,
  type OidcProviderNotFound,
  type OidcProviderUnavailable,
  OidcRedirectUriNotAllowed,
  OidcStateInvalid
} from "@moim/domain/Accounts/Oidc"
import { LastSignInMethod } from "@moim/domain/Accounts/Phone"
import type { AuthResult } from "@moim/domain/Accounts/Session"
import type { SecondFactorRequired } from "@moim/domain/Accounts/TwoFactor"
import { UserId } from "@moim/domain/Accounts/User"
import { AccountSuspended, Unauthorized } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Clock, Context, DateTime, Duration, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { ActivityLog } from "../Access/ActivityLog.ts"
import type { ClientInfo } from "../Access/ClientInfo.ts"
import { Transaction } from "../platform/Transaction.ts"
import { EmailOwnership } from "./EmailOwnership.ts"
import { type CodeRow, OidcFlowsRepo } from "./OidcFlowsRepo.ts"
import { type IdentityRow, OidcIdentitiesRepo } from "./OidcIdentitiesRepo.ts"
import { OidcProviders } from "./OidcProviders.ts"
import { OpaqueToken } from "./OpaqueToken.ts"
import { PhoneNumbersRepo } from "./PhoneNumbersRepo.ts"
import { Sessions } from "./Sessions.ts"
import { TwoFactor } from "./TwoFactor.ts"
import { type UserRow, UsersRepo } from "./UsersRepo.ts"

type Actor = CurrentUser["Service"]
type StartError = OidcProviderNotFound | OidcRedirectUriNotAllowed | OidcProviderUnavailable

/** A sign-in waits 10 minutes for the provider; its one-time code 60 seconds for the app. */
const stateTtl = Duration.minutes(10)
const codeTtl = Duration.seconds(60)

/** A nickname from the provider's claims, within the 2 to 40 characters every nickname has. */
const nicknameFrom = (code: CodeRow): string => {
  const candidates = [code.name, code.email?.split("@")[0] ?? null]
  for (const candidate of candidates) {
    const trimmed = Array.from(candidate?.replace(/\s+/g, " ").trim() ?? "")
      .slice(0, 40)
      .join("")
      .trim()
    if (trimmed.length >= 2) return trimmed
  }
  return "New member"
}

const toView = (row: IdentityRow) =>
  new LinkedIdentity({
    id: row.id,
    provider: row.provider,
    email: row.email,
    createdAt: DateTime.fromDateUnsafe(row.createdAt),
    lastUsedAt: row.lastUsedAt === null ? null : DateTime.fromDateUnsafe(row.lastUsedAt)
  })

/** Where the browser goes next: the app's redirect URI with these parameters added. */
const redirectTo = (redirectUri: string, params: Record<string, string>) => {
  const url = new URL(redirectUri)
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value)
  return url.href
}

/**
 * Signing in (or up) with an OpenID provider, and linking providers to an account. A sign-in is
 * started by the app, finished at the provider, checked by Moim's callback (`complete`), and spent
 * by the app with a one-time code: `exchange` signs in, `link` links for the user who started it.
 * Accounts are never merged by email: a provider's email that an account has is refused.
 */
export class OidcSignIn extends Context.Service<
  OidcSignIn,
  {
    /** The provider's page for a new sign-in (`actor` null) or a link to the actor's account. */
    readonly start: (
      provider: string,
      redirectUri: string,
      actor: Actor | null
    ) => Effect.Effect<OidcAuthorization, StartError>
    /**
     * The provider's callback: spends its `state` and answers where to send the browser (the app's
     * redirect URI with `code` or `error`). Without a live state there is nowhere to send it.
     */
    readonly complete: (provider: string, query: string) => Effect.Effect<string, OidcStateInvalid>
    readonly exchange: (
      input: { readonly code: string; readonly deviceName?: string | undefined },
      client: ClientInfo
    ) => Effect.Effect<AuthResult | SecondFactorRequired, OidcCodeInvalid | OidcEmailTaken | AccountSuspended>
    readonly link: (actor: Actor, code: string) => Effect.Effect<LinkedIdentity, OidcCodeInvalid | OidcIdentityTaken>
    readonly list: (actor: Actor) => Effect.Effect<ReadonlyArray<LinkedIdentity>>
    readonly unlink: (
      actor: Actor,
      id: IdentityId
    ) => Effect.Effect<void, IdentityNotFound | LastSignInMethod | Unauthorized>
  }
>()("@moim/server/Accounts/OidcSignIn") {
  static readonly layer = Layer.effect(
    OidcSignIn,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const providers = yield* OidcProviders
      const flows = yield* OidcFlowsRepo
      const identities = yield* OidcIdentitiesRepo
      const users = yield* UsersRepo
      const phones = yield* PhoneNumbersRepo
      const sessions = yield* Sessions
      const twoFactor = yield* TwoFactor
      const ownership = yield* EmailOwnership
      const activity = yield* ActivityLog

      const now = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis))

      /** Spends a one-time code: refused when unknown, used or expired. */
      const spendCode = Effect.fn("OidcSignIn.spendCode")(function* (code: string) {
        const row = yield* flows.spendCode(OpaqueToken.hash(code))
        if (Option.isNone(row) || row.value.expiresAt.getTime() <= (yield* Clock.currentTimeMillis)) {
          return yield* new OidcCodeInvalid({
            message: "This sign-in code is unknown, expired or already used: sign in with the provider again"
          })
        }
        return row.value
      })

      /** A new account for the identity, with the provider's email only when the provider verified it. */
      const signUp = Effect.fn("OidcSignIn.signUp")(function* (code: CodeRow, at: Date) {
        const email = code.emailVerified ? code.email : null
        const emailTaken = new OidcEmailTaken({
          message:
            "An account with this email exists: sign in with your password, then link this provider from your account"
        })
        if (email !== null && Option.isSome(yield* users.findByEmail(email))) return yield* emailTaken
        const inserted = yield* users.insert({
          id: UserId.make(SecureRandom.uuidV7Unsafe()),
          email,
          passwordHash: null,
          nickname: nicknameFrom(code)
        })
        if (Option.isNone(inserted)) return yield* emailTaken
        let user: UserRow = inserted.value
        if (email !== null && (yield* users.markEmailVerified(user.id, email))) {
          yield* ownership.proven(user.id, email)
          user = Option.getOrElse(yield* users.findById(user.id), () => user)
        }
        const linked = yield* identities.link({
          id: IdentityId.make(SecureRandom.uuidV7Unsafe()),
          userId: user.id,
          provider: code.provider,
          subject: code.subject,
          email: code.email,
          now: at
        })
        if (linked._tag === "taken") {
          return yield* new OidcCodeInvalid({ message: "This provider account signed up a moment ago: sign in again" })
        }
        yield* identities.touch(linked.row.id, at)
        return user
      })

      return OidcSignIn.of({
        start: Effect.fn("OidcSignIn.start")(function* (provider, redirectUri, actor) {
          // Checked before the provider is asked anything: a refused request costs no discovery.
          if (providers.isConfigured(provider) && !providers.isAllowedRedirect(redirectUri)) {
            return yield* new OidcRedirectUriNotAllowed({
              message: "This redirect URI is not one of the app redirect URIs the server allows"
            })
          }
          const authorization = yield* providers.authorize(provider)
          const at = yield* now
          yield* flows.insertState(
            {
              stateHash: OpaqueToken.hash(authorization.state),
              provider,
              nonce: authorization.nonce,
              codeVerifier: authorization.codeVerifier,
              redirectUri,
              userId: actor === null ? null : actor.userId,
              expiresAt: new Date(at.getTime() + Duration.toMillis(stateTtl))
            },
            at
          )
          return new OidcAuthorization({ authorizationUrl: authorization.url })
        }),

        complete: Effect.fn("OidcSignIn.complete")(function* (provider, query) {
          const state = new URLSearchParams(query).get("state")
          const spent =
            state === null || state.length > 512 ? Option.none() : yield* flows.spendState(OpaqueToken.hash(state))
          const at = yield* now
          if (
            state === null ||
            Option.isNone(spent) ||
            spent.value.provider !== provider ||
            spent.value.expiresAt.getTime() <= at.getTime()
          ) {
            return yield* new OidcStateInvalid({
              message: "This sign-in is unknown, expired or already finished: start again from the app"
            })
          }
          const flow = spent.value
          const outcome = yield* providers
            .complete(provider, query, { state, nonce: flow.nonce, codeVerifier: flow.codeVerifier })
            .pipe(Effect.result)
          if (outcome._tag === "Failure") {
            yield* Effect.logInfo("OpenID sign-in refused").pipe(
              Effect.annotateLogs({ provider, error: outcome.failure.error, reason: outcome.failure.message })
            )
            return redirectTo(flow.redirectUri, {
              error: outcome.failure.error,
              error_description: outcome.failure.message
            })
          }
          const identity = outcome.success
          const code = OpaqueToken.generate()
          yield* flows.insertCode(
            {
              codeHash: OpaqueToken.hash(code),
              provider: identity.provider,
              subject: identity.subject,
              email: identity.email,
              emailVerified: identity.emailVerified,
              name: identity.name,
              userId: flow.userId,
              expiresAt: new Date(at.getTime() + Duration.toMillis(codeTtl))
            },
            at
          )
          return redirectTo(flow.redirectUri, { code })
        }),

        exchange: Effect.fn("OidcSignIn.exchange")(function* (input, client) {
          const code = yield* spendCode(input.code)
          if (code.userId !== null) {
            return yield* new OidcCodeInvalid({
              message: "This code finishes a link: send it to POST /me/identities with the account's token"
            })
          }
          const at = yield* now
          let signedUp = false
          const result = yield* transaction(
            Effect.gen(function* () {
              const holder = yield* identities.findHolder(code.provider, code.subject)
              if (Option.isNone(holder)) {
                const user = yield* signUp(code, at)
                signedUp = true
                return yield* sessions.startVerified(user, input.deviceName ?? null, client)
              }
              if (holder.value.status === "suspended") {
                return yield* new AccountSuspended({ message: "This account is suspended" })
              }
              const user = yield* users.findById(holder.value.userId)
              if (Option.isNone(user)) return yield* Effect.die(new Error("the identity's account is gone"))
              yield* identities.touch(holder.value.id, at)
              // The provider is one factor; an account that asks for its app's code asks here too.
              if (yield* twoFactor.enabled(user.value.id)) {
                return yield* twoFactor.challenge(user.value.id, input.deviceName ?? null)
              }
              return yield* sessions.startVerified(user.value, input.deviceName ?? null, client)
            })
          )
          if ("user" in result) yield* activity.record({ kind: signedUp ? "signup" : "login", userId: result.user.id })
          return result
        }),

        link: Effect.fn("OidcSignIn.link")(function* (actor, input) {
          const code = yield* spendCode(input)
          if (code.userId !== actor.userId) {
            return yield* new OidcCodeInvalid({ message: "This code was not made by a link you started" })
          }
          const linked = yield* identities.link({
            id: IdentityId.make(SecureRandom.uuidV7Unsafe()),
            userId: actor.userId,
            provider: code.provider,
            subject: code.subject,
            email: code.email,
            now: yield* now
          })
          if (linked._tag === "taken") {
            return yield* new OidcIdentityTaken({
              message: "This provider account already signs in to another account: unlink it there first"
            })
          }
          return toView(linked.row)
        }),

        list: Effect.fn("OidcSignIn.list")(function* (actor) {
          return (yield* identities.listByUser(actor.userId)).map(toView)
        }),

        unlink: Effect.fn("OidcSignIn.unlink")(function* (actor, id) {
          yield* transaction(
            Effect.gen(function* () {
              // Locked, so two unlinks at once cannot each leave the other as the last way in.
              const user = yield* users.lockById(actor.userId)
              if (Option.isNone(user) || user.value.status === "deleted") {
                return yield* new Unauthorized({ message: "This account no longer exists" })
              }
              const owned = yield* identities.listByUser(actor.userId)
              if (!owned.some((identity) => identity.id === id)) {
                return yield* new IdentityNotFound({ message: "You have no linked identity with this id" })
              }
              const hasPassword = user.value.email !== null && user.value.passwordHash !== null
              const hasPhone = Option.isSome(yield* phones.findByUser(actor.userId))
              if (!hasPassword && !hasPhone && owned.length <= 1) {
                return yield* new LastSignInMethod({
                  message:
                    "This provider is your last way to sign in: set a password, add a phone number or link another provider first"
                })
              }
              yield* identities.remove(actor.userId, id)
            })
          )
        })
      })
    })
  )
}
