import {
  IncorrectPassword,
  InvalidCredentials,
  InvalidToken,
  SessionNotFound,
  SessionRevoked
} from "@moim/domain/Accounts/AccountErrors"
import type { UpdateMePayload } from "@moim/domain/Accounts/AccountsApi"
import { AuthResult, Session, SessionId } from "@moim/domain/Accounts/Session"
import {
  AdminUserView,
  EmailAlreadyRegistered,
  PublicProfile,
  User,
  UserId,
  UserNotFound
} from "@moim/domain/Accounts/User"
import { SendEmail } from "@moim/domain/Jobs/SendEmail"
import { AccountSuspended, Forbidden, Unauthorized } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { AvatarContentType } from "@moim/domain/Kit/ImageUpload"
import { defaultPageSize } from "@moim/domain/Kit/Page"
import { Context, DateTime, Duration, Effect, Layer, Option, Schema } from "effect"
import { SecureRandom } from "effect/crypto"
import { SqlClient } from "effect/sql"
import { Cursors, PositionField } from "../platform/Cursors.ts"
import { ImageUploads } from "../platform/ImageUploads.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { AccessTokens } from "./AccessTokens.ts"
import { AccountsConfig } from "./AccountsConfig.ts"
import { AccountsRepo, type ClientInfo, type ProfileRow, type UserRow } from "./AccountsRepo.ts"
import { OpaqueToken } from "./OpaqueToken.ts"
import { Passwords } from "./Passwords.ts"

type Actor = CurrentUser["Service"]

const SearchPosition = Schema.Struct({ score: PositionField.number, id: PositionField.id })
const NewestPosition = Schema.Struct({ createdAt: PositionField.time, id: PositionField.id })
const utc = (date: Date) => DateTime.fromDateUnsafe(date)
const nullableUtc = (date: Date | null) => (date === null ? null : utc(date))

/**
 * Accounts and authentication: one service behind both the REST groups and the RPCs, so both
 * surfaces enforce the same rules.
 */
export class Accounts extends Context.Service<Accounts, Effect.Success<typeof make>>()(
  "@moim/server/Accounts/Accounts"
) {
  static readonly layer = Layer.effect(
    Accounts,
    Effect.suspend(() => make)
  )
}

const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const repo = yield* AccountsRepo
  const passwords = yield* Passwords
  const accessTokens = yield* AccessTokens
  const jobs = yield* JobQueue
  const images = yield* ImageUploads
  const config = yield* AccountsConfig
  const cursors = yield* Cursors
  const refreshTtlSeconds = Math.floor(Duration.toSeconds(config.refreshTokenTtl))

  const avatarUrl = (userId: UserId, avatarKey: string | null) =>
    images.url(`/api/v1/users/${userId}/avatar`, avatarKey)

  const toUser = (row: UserRow) =>
    new User({
      id: row.id,
      email: row.email ?? "",
      nickname: row.nickname,
      bio: row.bio,
      avatarUrl: avatarUrl(row.id, row.avatarKey),
      interests: row.interests,
      role: row.role,
      status: row.status,
      emailVerifiedAt: nullableUtc(row.emailVerifiedAt),
      createdAt: utc(row.createdAt),
      updatedAt: utc(row.updatedAt)
    })

  const toProfile = (row: ProfileRow) =>
    new PublicProfile({
      id: row.id,
      nickname: row.nickname,
      bio: row.bio,
      avatarUrl: avatarUrl(row.id, row.avatarKey),
      interests: row.interests,
      createdAt: utc(row.createdAt)
    })

  const toAdminView = (row: UserRow) =>
    new AdminUserView({
      id: row.id,
      email: row.email,
      nickname: row.nickname,
      role: row.role,
      status: row.status,
      suspendedAt: nullableUtc(row.suspendedAt),
      suspensionReason: row.suspensionReason,
      createdAt: utc(row.createdAt)
    })

  const requireUser = (userId: UserId) =>
    repo.findUserById(userId).pipe(
      Effect.flatMap(
        Option.match({
          onNone: () => Effect.fail(new Unauthorized({ message: "This account no longer exists" })),
          onSome: Effect.succeed
        })
      )
    )

  const sendVerificationEmail = Effect.fn("Accounts.sendVerificationEmail")(function* (
    userId: UserId,
    email: string,
    nickname: string
  ) {
    const token = OpaqueToken.generate()
    yield* repo.insertEmailToken({
      tokenHash: OpaqueToken.hash(token),
      userId,
      purpose: "verify_email",
      email,
      expiresInSeconds: Math.floor(Duration.toSeconds(config.verificationTokenTtl))
    })
    const link = `${config.appUrl}/verify-email?token=${token}`
    yield* jobs.enqueue(SendEmail, {
      to: email,
      subject: "Confirm your email address for Moim",
      text: `Hello ${nickname},\n\nConfirm your email address by opening this link (valid for 48 hours):\n${link}\n\nIf you did not sign up for Moim, ignore this message.\n`
    })
  })

  /** Starts a device session: a new session row, its first refresh token and an access token. */
  const startSession = Effect.fn("Accounts.startSession")(function* (
    user: UserRow,
    deviceName: string | null,
    client: ClientInfo
  ) {
    const sessionId = SessionId.make(SecureRandom.uuidV7Unsafe())
    yield* repo.insertSession({
      id: sessionId,
      userId: user.id,
      deviceName,
      client,
      expiresInSeconds: refreshTtlSeconds
    })
    return yield* issueTokens(user, sessionId)
  })

  const issueTokens = Effect.fn("Accounts.issueTokens")(function* (user: UserRow, sessionId: SessionId) {
    const refreshToken = OpaqueToken.generate()
    yield* repo.insertRefreshToken(OpaqueToken.hash(refreshToken), sessionId)
    const access = yield* accessTokens.issue(user.id, sessionId)
    return new AuthResult({
      user: toUser(user),
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken
    })
  })

  const signup = Effect.fn("Accounts.signup")(function* (
    input: {
      readonly email: string
      readonly password: string
      readonly nickname: string
      readonly deviceName?: string | undefined
    },
    client: ClientInfo
  ) {
    const passwordHash = yield* passwords.hash(input.password)
    return yield* sql
      .withTransaction(
        Effect.gen(function* () {
          const inserted = yield* repo.insertUser({
            id: UserId.make(SecureRandom.uuidV7Unsafe()),
            email: input.email,
            passwordHash,
            nickname: input.nickname
          })
          if (Option.isNone(inserted)) {
            return yield* new EmailAlreadyRegistered({ message: "An account with this email address already exists" })
          }
          const user = inserted.value
          yield* sendVerificationEmail(user.id, input.email, user.nickname)
          return yield* startSession(user, input.deviceName ?? null, client)
        })
      )
      .pipe(Effect.catchTag("SqlError", Effect.die))
  })

  const login = Effect.fn("Accounts.login")(function* (
    input: { readonly email: string; readonly password: string; readonly deviceName?: string | undefined },
    client: ClientInfo
  ) {
    const user = yield* repo.findUserByEmail(input.email)
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
    return yield* sql.withTransaction(startSession(user.value, input.deviceName ?? null, client)).pipe(Effect.orDie)
  })

  type RefreshOutcome =
    | { readonly _tag: "Rotated"; readonly result: AuthResult }
    | { readonly _tag: "Refused"; readonly error: SessionRevoked | AccountSuspended }

  const refresh = Effect.fn("Accounts.refresh")(function* (refreshToken: string, client: ClientInfo) {
    const tokenHash = OpaqueToken.hash(refreshToken)
    const revoked = (message: string): RefreshOutcome => ({ _tag: "Refused", error: new SessionRevoked({ message }) })
    // The refusals are returned, not failed, so that the transaction commits what they record
    // (a reused token revokes its whole session).
    const outcome = yield* sql
      .withTransaction(
        Effect.gen(function* (): Effect.fn.Return<RefreshOutcome> {
          const spent = yield* repo.spendRefreshToken(tokenHash)
          if (Option.isNone(spent)) {
            const known = yield* repo.findRefreshToken(tokenHash)
            if (Option.isNone(known)) return revoked("Unknown refresh token; sign in again")
            const session = yield* repo.findSessionForAuth(known.value.sessionId)
            if (Option.isSome(session)) {
              yield* repo.revokeSession(session.value.userId, known.value.sessionId, "refresh_token_reuse")
            }
            return revoked("This refresh token was already used; the session has been ended for safety. Sign in again")
          }
          const sessionId = spent.value.sessionId
          const session = yield* repo.findSessionForAuth(sessionId)
          if (Option.isNone(session) || session.value.revoked || session.value.expired) {
            return revoked("This session has ended; sign in again")
          }
          if (session.value.status === "suspended") {
            return { _tag: "Refused", error: new AccountSuspended({ message: "This account is suspended" }) }
          }
          if (session.value.status === "deleted") return revoked("This account no longer exists")
          const user = yield* repo.findUserById(session.value.userId)
          if (Option.isNone(user)) return revoked("This account no longer exists")
          yield* repo.touchSession(sessionId, client, refreshTtlSeconds)
          return { _tag: "Rotated", result: yield* issueTokens(user.value, sessionId) }
        })
      )
      .pipe(Effect.orDie)
    if (outcome._tag === "Refused") return yield* outcome.error
    return outcome.result
  })

  const logout = Effect.fn("Accounts.logout")(function* (actor: Actor) {
    yield* repo.revokeSession(actor.userId, actor.sessionId, "logout")
  })

  /** Checks an access token and its session on every request: a revoked session or a suspended user is refused at once. */
  const authenticate = Effect.fn("Accounts.authenticate")(function* (token: string, client: ClientInfo) {
    const claims = yield* accessTokens.verify(token)
    const session = yield* repo.findSessionForAuth(claims.sessionId)
    if (Option.isNone(session) || session.value.userId !== claims.userId) {
      return yield* new Unauthorized({ message: "The access token is invalid" })
    }
    const row = session.value
    if (row.status === "suspended") return yield* new AccountSuspended({ message: "This account is suspended" })
    if (row.status === "deleted" || row.revoked || row.expired) {
      return yield* new Unauthorized({ message: "This session has ended; sign in again" })
    }
    if (row.stale) yield* repo.touchSession(claims.sessionId, client)
    return { userId: claims.userId, sessionId: claims.sessionId, role: row.role }
  })

  const verifyEmail = Effect.fn("Accounts.verifyEmail")(function* (token: string) {
    const verified = yield* sql
      .withTransaction(
        Effect.gen(function* () {
          const used = yield* repo.consumeEmailToken(OpaqueToken.hash(token), "verify_email")
          if (Option.isNone(used)) return false
          const verified = yield* repo.markEmailVerified(used.value.userId, used.value.email)
          if (verified) yield* repo.claimEmailInvitations(used.value.userId, used.value.email)
          return verified
        })
      )
      .pipe(Effect.orDie)
    if (!verified)
      return yield* new InvalidToken({ message: "This verification link is invalid, expired or already used" })
  })

  const resendVerification = Effect.fn("Accounts.resendVerification")(function* (actor: Actor) {
    const user = yield* requireUser(actor.userId)
    if (user.emailVerifiedAt !== null || user.email === null) return
    const email = user.email
    yield* sql.withTransaction(sendVerificationEmail(user.id, email, user.nickname)).pipe(Effect.orDie)
  })

  const requestPasswordReset = Effect.fn("Accounts.requestPasswordReset")(function* (email: string) {
    const user = yield* repo.findUserByEmail(email)
    if (Option.isNone(user) || user.value.status !== "active") return
    const token = OpaqueToken.generate()
    const link = `${config.appUrl}/reset-password?token=${token}`
    yield* sql
      .withTransaction(
        Effect.gen(function* () {
          yield* repo.insertEmailToken({
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
      .pipe(Effect.orDie)
  })

  const confirmPasswordReset = Effect.fn("Accounts.confirmPasswordReset")(function* (
    token: string,
    newPassword: string
  ) {
    const passwordHash = yield* passwords.hash(newPassword)
    const reset = yield* sql
      .withTransaction(
        Effect.gen(function* () {
          const used = yield* repo.consumeEmailToken(OpaqueToken.hash(token), "reset_password")
          if (Option.isNone(used)) return false
          yield* repo.setPassword(used.value.userId, passwordHash)
          if (yield* repo.markEmailVerified(used.value.userId, used.value.email)) {
            yield* repo.claimEmailInvitations(used.value.userId, used.value.email)
          }
          yield* repo.revokeSessions(used.value.userId, { except: null, reason: "password_reset" })
          return true
        })
      )
      .pipe(Effect.orDie)
    if (!reset) return yield* new InvalidToken({ message: "This reset link is invalid, expired or already used" })
  })

  const changePassword = Effect.fn("Accounts.changePassword")(function* (
    actor: Actor,
    input: { readonly currentPassword: string; readonly newPassword: string }
  ) {
    const user = yield* requireUser(actor.userId)
    if (!(yield* passwords.verify(user.passwordHash, input.currentPassword))) {
      return yield* new IncorrectPassword({ message: "The current password is wrong" })
    }
    const passwordHash = yield* passwords.hash(input.newPassword)
    yield* sql
      .withTransaction(
        Effect.gen(function* () {
          yield* repo.setPassword(user.id, passwordHash)
          yield* repo.revokeSessions(user.id, { except: actor.sessionId, reason: "password_changed" })
        })
      )
      .pipe(Effect.orDie)
  })

  const getMe = Effect.fn("Accounts.getMe")(function* (actor: Actor) {
    return toUser(yield* requireUser(actor.userId))
  })

  const avatarPrefix = (userId: UserId) => `uploads/avatars/${userId}/`

  const createAvatarUpload = Effect.fn("Accounts.createAvatarUpload")(function* (
    actor: Actor,
    contentType: typeof AvatarContentType.Type
  ) {
    return yield* images.start(avatarPrefix(actor.userId), contentType)
  })

  const updateMe = Effect.fn("Accounts.updateMe")(function* (actor: Actor, input: typeof UpdateMePayload.Type) {
    const before = yield* requireUser(actor.userId)
    const avatarKey = input.avatarUploadKey
    if (avatarKey !== undefined && avatarKey !== null) yield* images.verify(avatarPrefix(actor.userId), avatarKey)
    const updated = yield* repo.updateProfile(actor.userId, {
      nickname: input.nickname,
      bio: input.bio,
      interests: input.interests,
      avatarKey
    })
    if (Option.isNone(updated)) return yield* new Unauthorized({ message: "This account no longer exists" })
    if (avatarKey !== undefined && before.avatarKey !== null && before.avatarKey !== avatarKey) {
      yield* images.remove(before.avatarKey)
    }
    return toUser(updated.value)
  })

  const deleteMe = Effect.fn("Accounts.deleteMe")(function* (actor: Actor) {
    const user = yield* requireUser(actor.userId)
    yield* sql
      .withTransaction(
        Effect.gen(function* () {
          yield* repo.eraseUser(actor.userId)
          yield* repo.revokeSessions(actor.userId, { except: null, reason: "account_deleted" })
        })
      )
      .pipe(Effect.orDie)
    if (user.avatarKey !== null) yield* images.remove(user.avatarKey)
  })

  const listSessions = Effect.fn("Accounts.listSessions")(function* (actor: Actor) {
    const rows = yield* repo.listSessions(actor.userId)
    return rows.map(
      (row) =>
        new Session({
          id: row.id,
          deviceName: row.deviceName,
          userAgent: row.userAgent,
          lastIp: row.lastIp,
          createdAt: utc(row.createdAt),
          lastUsedAt: utc(row.lastUsedAt),
          current: row.id === actor.sessionId
        })
    )
  })

  const revokeSession = Effect.fn("Accounts.revokeSession")(function* (actor: Actor, sessionId: SessionId) {
    if (!(yield* repo.revokeSession(actor.userId, sessionId, "signed_out_by_user"))) {
      return yield* new SessionNotFound({ message: "You have no active session with this id" })
    }
  })

  const revokeOtherSessions = Effect.fn("Accounts.revokeOtherSessions")(function* (actor: Actor) {
    yield* repo.revokeSessions(actor.userId, { except: actor.sessionId, reason: "signed_out_by_user" })
  })

  const getProfile = Effect.fn("Accounts.getProfile")(function* (userId: UserId) {
    const row = yield* repo.findProfile(userId)
    if (Option.isNone(row)) return yield* new UserNotFound({ message: "No such user" })
    return toProfile(row.value)
  })

  const searchProfiles = Effect.fn("Accounts.searchProfiles")(function* (input: {
    readonly q?: string | undefined
    readonly limit?: number | undefined
    readonly cursor?: string | undefined
  }) {
    const limit = input.limit ?? defaultPageSize
    const q = input.q?.trim()
    if (q !== undefined && q.length > 0) {
      const scope = `users:search:${q}`
      const after = yield* cursors.decode(SearchPosition, scope, input.cursor)
      const rows = yield* repo.searchProfiles({ q, limit: limit + 1, after })
      return cursors.page(scope, rows, limit, toProfile, (row) => ({ score: row.score, id: row.id }))
    }
    const after = yield* cursors.decode(NewestPosition, "users:newest", input.cursor)
    const rows = yield* repo.listNewestProfiles({ limit: limit + 1, after })
    return cursors.page("users:newest", rows, limit, toProfile, (row) => ({
      createdAt: row.createdAt.toISOString(),
      id: row.id
    }))
  })

  const avatarDownloadUrl = Effect.fn("Accounts.avatarDownloadUrl")(function* (userId: UserId) {
    const row = yield* repo.findProfile(userId)
    if (Option.isNone(row) || row.value.avatarKey === null) return Option.none<string>()
    return Option.some(yield* images.downloadUrl(row.value.avatarKey))
  })

  const requireAdmin = (actor: Actor) =>
    actor.role === "admin" ? Effect.void : Effect.fail(new Forbidden({ message: "Only site admins may do this" }))

  const setSuspension = Effect.fn("Accounts.setSuspension")(function* (
    actor: Actor,
    userId: UserId,
    suspension: { readonly reason: string | null } | null
  ) {
    yield* requireAdmin(actor)
    if (userId === actor.userId) return yield* new Forbidden({ message: "You cannot suspend or unsuspend yourself" })
    const updated = yield* sql
      .withTransaction(
        Effect.gen(function* () {
          const row = yield* repo.setSuspension(userId, suspension)
          if (Option.isSome(row) && suspension !== null) {
            yield* repo.revokeSessions(userId, { except: null, reason: "suspended" })
          }
          return row
        })
      )
      .pipe(Effect.orDie)
    if (Option.isNone(updated)) return yield* new UserNotFound({ message: "No such user" })
    return toAdminView(updated.value)
  })

  /** Creates a site admin, or promotes the existing account with that email; for the command line. */
  const createAdmin = Effect.fn("Accounts.createAdmin")(function* (input: {
    readonly email: string
    readonly password: string
    readonly nickname: string
  }) {
    const existing = yield* repo.findUserByEmail(input.email)
    if (Option.isSome(existing)) {
      yield* sql`UPDATE users SET role = 'admin', updated_at = now() WHERE id = ${existing.value.id}`.pipe(Effect.orDie)
      return { userId: existing.value.id, created: false }
    }
    const passwordHash = yield* passwords.hash(input.password)
    const inserted = yield* repo.insertUser({
      id: UserId.make(SecureRandom.uuidV7Unsafe()),
      email: input.email,
      passwordHash,
      nickname: input.nickname,
      role: "admin"
    })
    if (Option.isNone(inserted)) return yield* Effect.die(new Error("The email was registered concurrently; try again"))
    yield* repo.markEmailVerified(inserted.value.id, input.email)
    return { userId: inserted.value.id, created: true }
  })

  return {
    signup,
    login,
    refresh,
    logout,
    authenticate,
    verifyEmail,
    resendVerification,
    requestPasswordReset,
    confirmPasswordReset,
    changePassword,
    getMe,
    updateMe,
    deleteMe,
    createAvatarUpload,
    listSessions,
    revokeSession,
    revokeOtherSessions,
    getProfile,
    searchProfiles,
    avatarDownloadUrl,
    suspend: (actor: Actor, userId: UserId, reason: string | null) => setSuspension(actor, userId, { reason }),
    unsuspend: (actor: Actor, userId: UserId) => setSuspension(actor, userId, null),
    createAdmin
  }
})
