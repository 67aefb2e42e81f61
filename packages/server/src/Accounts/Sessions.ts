import {
  IncorrectPassword,
  InvalidCredentials,
  SessionNotFound,
  SessionRevoked,
  type WeakPassword
} from "@moim/domain/Accounts/AccountErrors"
import { AuthResult, Session, SessionId } from "@moim/domain/Accounts/Session"
import {
  type IncorrectSecondFactorCode,
  SecondFactorChallengeExpired,
  type SecondFactorRequired
} from "@moim/domain/Accounts/TwoFactor"
import { EmailAlreadyRegistered, UserId } from "@moim/domain/Accounts/User"
import { AccountSuspended, Unauthorized } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Context, DateTime, Duration, Effect, Layer, Option, Result } from "effect"
import { SecureRandom } from "effect/crypto"
import type { ClientInfo } from "../Access/ClientInfo.ts"
import { Transaction } from "../platform/Transaction.ts"
import { AccessTokens } from "./AccessTokens.ts"
import { AccountsConfig } from "./AccountsConfig.ts"
import { BreachedPasswords } from "./BreachedPasswords.ts"
import { OpaqueToken } from "./OpaqueToken.ts"
import { Passwords } from "./Passwords.ts"
import { PhoneNumbersRepo } from "./PhoneNumbersRepo.ts"
import { SessionCache } from "./SessionCache.ts"
import { type SessionAuthRow, SessionsRepo } from "./SessionsRepo.ts"
import { TwoFactor } from "./TwoFactor.ts"
import { type UserRow, UsersRepo } from "./UsersRepo.ts"
import { UserViews } from "./UserViews.ts"
import { Verification } from "./Verification.ts"

type Actor = CurrentUser["Service"]
type Client = ClientInfo

/**
 * Signing up, in and out, and the device sessions in between: a session per device, a short-lived
 * access token checked against its session on every request, and a single-use refresh token whose
 * reuse ends the whole session.
 */
export class Sessions extends Context.Service<
  Sessions,
  {
    readonly signup: (
      input: {
        readonly email: string
        readonly password: string
        readonly nickname: string
        readonly deviceName?: string | undefined
      },
      client: Client
    ) => Effect.Effect<AuthResult, EmailAlreadyRegistered | WeakPassword>
    readonly login: (
      input: { readonly email: string; readonly password: string; readonly deviceName?: string | undefined },
      client: Client
    ) => Effect.Effect<AuthResult | SecondFactorRequired, InvalidCredentials | AccountSuspended>
    /** Spends a sign-in's second-factor challenge with a code and starts the session it was for. */
    readonly completeSecondFactor: (
      input: { readonly challenge: string; readonly code: string },
      client: Client
    ) => Effect.Effect<AuthResult, IncorrectSecondFactorCode | SecondFactorChallengeExpired | AccountSuspended>
    readonly refresh: (
      refreshToken: string,
      client: Client
    ) => Effect.Effect<AuthResult, SessionRevoked | AccountSuspended>
    /**
     * Starts a session for this device for a user who proved who they are another way (a texted
     * code), inside the caller's transaction. The caller checks the account's status.
     */
    readonly startVerified: (user: UserRow, deviceName: string | null, client: Client) => Effect.Effect<AuthResult>
    readonly logout: (actor: Actor) => Effect.Effect<void>
    /** Checks an access token and its session: a revoked session or a suspended user is refused at once. */
    readonly authenticate: (token: string, client: Client) => Effect.Effect<Actor, Unauthorized | AccountSuspended>
    /**
     * The session's user, if the session is still active: for credentials that carry a session
     * rather than an access token (a stream ticket). Checked as `authenticate` checks a token.
     */
    readonly authenticateSession: (session: {
      readonly sessionId: SessionId
      readonly userId: UserId
    }) => Effect.Effect<Actor, Unauthorized | AccountSuspended>
    /** Needs the current password; ends every other session. */
    readonly changePassword: (
      actor: Actor,
      input: { readonly currentPassword: string; readonly newPassword: string }
    ) => Effect.Effect<void, IncorrectPassword | WeakPassword | Unauthorized>
    readonly list: (actor: Actor) => Effect.Effect<ReadonlyArray<Session>>
    readonly revoke: (actor: Actor, sessionId: SessionId) => Effect.Effect<void, SessionNotFound>
    readonly revokeOthers: (actor: Actor) => Effect.Effect<void>
  }
>()("@moim/server/Accounts/Sessions") {
  static readonly layer = Layer.effect(
    Sessions,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const users = yield* UsersRepo
      const sessions = yield* SessionsRepo
      const cache = yield* SessionCache
      const phones = yield* PhoneNumbersRepo
      const passwords = yield* Passwords
      const breached = yield* BreachedPasswords
      const accessTokens = yield* AccessTokens
      const verification = yield* Verification
      const views = yield* UserViews
      const twoFactor = yield* TwoFactor
      const config = yield* AccountsConfig
      const refreshTtlSeconds = Math.floor(Duration.toSeconds(config.refreshTokenTtl))

      const issueTokens = Effect.fn("Sessions.issueTokens")(function* (user: UserRow, sessionId: SessionId) {
        const refreshToken = OpaqueToken.generate()
        yield* sessions.insertRefreshToken(OpaqueToken.hash(refreshToken), sessionId)
        const access = yield* accessTokens.issue(user.id, sessionId)
        return new AuthResult({
          user: views.user(user, yield* phones.findByUser(user.id)),
          accessToken: access.token,
          accessTokenExpiresAt: access.expiresAt,
          refreshToken
        })
      })

      /** Starts a device session: a new session row, its first refresh token and an access token. */
      const start = Effect.fn("Sessions.start")(function* (user: UserRow, deviceName: string | null, client: Client) {
        const sessionId = SessionId.make(SecureRandom.uuidV7Unsafe())
        yield* sessions.insert({
          id: sessionId,
          userId: user.id,
          deviceName,
          client,
          expiresInSeconds: refreshTtlSeconds
        })
        return yield* issueTokens(user, sessionId)
      })

      type RefreshOutcome =
        | { readonly _tag: "Rotated"; readonly result: AuthResult }
        | { readonly _tag: "Refused"; readonly error: SessionRevoked | AccountSuspended }

      const revoked = (message: string): RefreshOutcome => ({ _tag: "Refused", error: new SessionRevoked({ message }) })

      /** The session's row, if it belongs to the user and is still active. */
      const activeSession = Effect.fn("Sessions.activeSession")(function* (claims: {
        readonly sessionId: SessionId
        readonly userId: UserId
      }) {
        const session = yield* sessions.findForAuth(claims.sessionId)
        if (Option.isNone(session) || session.value.userId !== claims.userId) {
          return yield* new Unauthorized({ message: "The access token is invalid" })
        }
        const row = session.value
        if (row.status === "suspended") return yield* new AccountSuspended({ message: "This account is suspended" })
        if (row.status === "deleted" || row.revoked || row.expired) {
          return yield* new Unauthorized({ message: "This session has ended; sign in again" })
        }
        return row
      })

      const actorOf = (
        claims: { readonly sessionId: SessionId; readonly userId: UserId },
        row: SessionAuthRow
      ): Actor => ({
        userId: claims.userId,
        sessionId: claims.sessionId,
        role: row.role,
        ...(config.requireSecondFactorForAdmins && row.role === "admin" && !row.secondFactor
          ? { adminNeedsSecondFactor: true }
          : {})
      })

      return Sessions.of({
        signup: Effect.fn("Sessions.signup")(function* (input, client) {
          yield* breached.check(input.password)
          const passwordHash = yield* passwords.hash(input.password)
          return yield* transaction(
            Effect.gen(function* () {
              const inserted = yield* users.insert({
                id: UserId.make(SecureRandom.uuidV7Unsafe()),
                email: input.email,
                passwordHash,
                nickname: input.nickname
              })
              if (Option.isNone(inserted)) {
                return yield* new EmailAlreadyRegistered({
                  message: "An account with this email address already exists"
                })
              }
              const user = inserted.value
              yield* verification.sendVerificationEmail(user.id, input.email, user.nickname)
              return yield* start(user, input.deviceName ?? null, client)
            })
          )
        }),

        login: Effect.fn("Sessions.login")(function* (input, client) {
          const user = yield* users.findByEmail(input.email)
          const matches = yield* passwords.verify(
            Option.match(user, { onNone: () => null, onSome: (row) => row.passwordHash }),
            input.password
          )
          if (Option.isNone(user) || !matches || user.value.status === "deleted") {
            return yield* new InvalidCredentials({ message: "Wrong email or password" })
          }
          if (user.value.status === "suspended") {
            return yield* new AccountSuspended({ message: "This account is suspended" })
          }
          if (yield* twoFactor.enabled(user.value.id)) {
            return yield* twoFactor.challenge(user.value.id, input.deviceName ?? null)
          }
          return yield* transaction(start(user.value, input.deviceName ?? null, client))
        }),

        completeSecondFactor: Effect.fn("Sessions.completeSecondFactor")(function* (input, client) {
          // Refusals are returned, not failed, so that the transaction commits the try they count.
          const outcome = yield* transaction(
            Effect.gen(function* (): Effect.fn.Return<
              Result.Result<AuthResult, IncorrectSecondFactorCode | SecondFactorChallengeExpired | AccountSuspended>
            > {
              const redeemed = yield* twoFactor.redeem(input.challenge, input.code)
              if (Result.isFailure(redeemed)) return Result.fail(redeemed.failure)
              const user = yield* users.findById(redeemed.success.userId)
              if (Option.isNone(user) || user.value.status === "deleted") {
                return Result.fail(new SecondFactorChallengeExpired({ message: "This account no longer exists" }))
              }
              if (user.value.status === "suspended") {
                return Result.fail(new AccountSuspended({ message: "This account is suspended" }))
              }
              return Result.succeed(yield* start(user.value, redeemed.success.deviceName, client))
            })
          )
          if (Result.isFailure(outcome)) return yield* outcome.failure
          return outcome.success
        }),

        startVerified: start,

        refresh: Effect.fn("Sessions.refresh")(function* (refreshToken, client) {
          const tokenHash = OpaqueToken.hash(refreshToken)
          // The refusals are returned, not failed, so that the transaction commits what they record
          // (a reused token revokes its whole session).
          const outcome = yield* transaction(
            Effect.gen(function* (): Effect.fn.Return<RefreshOutcome> {
              const spent = yield* sessions.spendRefreshToken(tokenHash)
              if (Option.isNone(spent)) {
                const known = yield* sessions.findRefreshToken(tokenHash)
                if (Option.isNone(known)) return revoked("Unknown refresh token; sign in again")
                const session = yield* sessions.findForAuth(known.value.sessionId)
                if (Option.isSome(session)) {
                  yield* sessions.revoke(session.value.userId, known.value.sessionId, "refresh_token_reuse")
                }
                return revoked(
                  "This refresh token was already used; the session has been ended for safety. Sign in again"
                )
              }
              const sessionId = spent.value.sessionId
              const session = yield* sessions.findForAuth(sessionId)
              if (Option.isNone(session) || session.value.revoked || session.value.expired) {
                return revoked("This session has ended; sign in again")
              }
              if (session.value.status === "suspended") {
                return { _tag: "Refused", error: new AccountSuspended({ message: "This account is suspended" }) }
              }
              if (session.value.status === "deleted") return revoked("This account no longer exists")
              const user = yield* users.findById(session.value.userId)
              if (Option.isNone(user)) return revoked("This account no longer exists")
              yield* sessions.touch(sessionId, client, refreshTtlSeconds)
              return { _tag: "Rotated", result: yield* issueTokens(user.value, sessionId) }
            })
          )
          if (outcome._tag === "Refused") return yield* outcome.error
          return outcome.result
        }),

        logout: Effect.fn("Sessions.logout")(function* (actor) {
          yield* sessions.revoke(actor.userId, actor.sessionId, "logout")
        }),

        authenticate: Effect.fn("Sessions.authenticate")(function* (token, client) {
          const claims = yield* accessTokens.verify(token)
          const cached = cache.get(claims.sessionId)
          if (cached !== undefined && cached.userId === claims.userId) return actorOf(claims, cached)
          const row = yield* activeSession(claims)
          if (row.stale) yield* sessions.touch(claims.sessionId, client)
          // Used just now: a cached row is not stale for as long as it is kept.
          cache.set(claims.sessionId, { ...row, stale: false })
          return actorOf(claims, row)
        }),

        authenticateSession: Effect.fn("Sessions.authenticateSession")(function* (session) {
          return actorOf(session, yield* activeSession(session))
        }),

        changePassword: Effect.fn("Sessions.changePassword")(function* (actor, input) {
          const user = yield* users.findById(actor.userId)
          if (Option.isNone(user)) return yield* new Unauthorized({ message: "This account no longer exists" })
          if (!(yield* passwords.verify(user.value.passwordHash, input.currentPassword))) {
            return yield* new IncorrectPassword({ message: "The current password is wrong" })
          }
          yield* breached.check(input.newPassword)
          const passwordHash = yield* passwords.hash(input.newPassword)
          yield* transaction(
            Effect.gen(function* () {
              yield* users.setPassword(actor.userId, passwordHash)
              yield* sessions.revokeAll(actor.userId, { except: actor.sessionId, reason: "password_changed" })
            })
          )
        }),

        list: Effect.fn("Sessions.list")(function* (actor) {
          const rows = yield* sessions.listActive(actor.userId)
          return rows.map(
            (row) =>
              new Session({
                id: row.id,
                deviceName: row.deviceName,
                userAgent: row.userAgent,
                lastIp: row.lastIp,
                createdAt: DateTime.fromDateUnsafe(row.createdAt),
                lastUsedAt: DateTime.fromDateUnsafe(row.lastUsedAt),
                current: row.id === actor.sessionId
              })
          )
        }),

        revoke: Effect.fn("Sessions.revoke")(function* (actor, sessionId) {
          if (!(yield* sessions.revoke(actor.userId, sessionId, "signed_out_by_user"))) {
            return yield* new SessionNotFound({ message: "You have no active session with this id" })
          }
        }),

        revokeOthers: Effect.fn("Sessions.revokeOthers")(function* (actor) {
          yield* sessions.revokeAll(actor.userId, { except: actor.sessionId, reason: "signed_out_by_user" })
        })
      })
    })
  )
}
