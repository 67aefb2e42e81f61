import type { SessionId } from "@moim/domain/Accounts/Session"
import type { UserId, UserRole, UserStatus } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import type { ClientInfo as ClientInfoService } from "../http/ClientInfo.ts"

export interface UserRow {
  readonly id: UserId
  readonly email: string | null
  readonly passwordHash: string | null
  readonly nickname: string
  readonly bio: string
  readonly avatarKey: string | null
  readonly interests: ReadonlyArray<string>
  readonly role: UserRole
  readonly status: UserStatus
  readonly emailVerifiedAt: Date | null
  readonly suspendedAt: Date | null
  readonly suspensionReason: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
}

export interface SessionRow {
  readonly id: SessionId
  readonly userId: UserId
  readonly deviceName: string | null
  readonly userAgent: string | null
  readonly lastIp: string | null
  readonly createdAt: Date
  readonly lastUsedAt: Date
}

export interface SessionAuthRow {
  readonly userId: UserId
  readonly role: UserRole
  readonly status: UserStatus
  readonly revoked: boolean
  readonly expired: boolean
  readonly stale: boolean
}

export interface ProfileRow {
  readonly id: UserId
  readonly nickname: string
  readonly bio: string
  readonly avatarKey: string | null
  readonly interests: ReadonlyArray<string>
  readonly createdAt: Date
}

export interface SearchRow extends ProfileRow {
  readonly score: string
}

export type EmailTokenPurpose = "verify_email" | "reset_password"

export type ClientInfo = ClientInfoService["Service"]

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (match) => `\\${match}`)

/** The accounts tables: users, device sessions, refresh tokens and emailed tokens. */
export class AccountsRepo extends Context.Service<AccountsRepo, Effect.Success<typeof makeRepo>>()(
  "@moim/server/Accounts/AccountsRepo"
) {
  static readonly layer = Layer.effect(
    AccountsRepo,
    Effect.suspend(() => makeRepo)
  )
}

const makeRepo = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const first = <A>(rows: ReadonlyArray<A>) => Option.fromNullishOr(rows[0])

  const insertUser = Effect.fn("AccountsRepo.insertUser")(function* (user: {
    readonly id: UserId
    readonly email: string
    readonly passwordHash: string
    readonly nickname: string
    readonly role?: UserRole
  }) {
    const rows = yield* sql<UserRow>`
      INSERT INTO users (id, email, password_hash, nickname, role, created_at, updated_at)
      VALUES (${user.id}, ${user.email}, ${user.passwordHash}, ${user.nickname}, ${user.role ?? "user"}, now(), now())
      ON CONFLICT (email) WHERE email IS NOT NULL DO NOTHING
      RETURNING *`
    return first(rows)
  }, Effect.orDie)

  const findUserByEmail = Effect.fn("AccountsRepo.findUserByEmail")(function* (email: string) {
    return first(yield* sql<UserRow>`SELECT * FROM users WHERE email = ${email}`)
  }, Effect.orDie)

  const findUserById = Effect.fn("AccountsRepo.findUserById")(function* (id: UserId) {
    return first(yield* sql<UserRow>`SELECT * FROM users WHERE id = ${id}`)
  }, Effect.orDie)

  const updateProfile = Effect.fn("AccountsRepo.updateProfile")(function* (
    id: UserId,
    changes: {
      readonly nickname?: string | undefined
      readonly bio?: string | undefined
      readonly interests?: ReadonlyArray<string> | undefined
      readonly avatarKey?: string | null | undefined
    }
  ) {
    const rows = yield* sql<UserRow>`
      UPDATE users SET
        nickname = coalesce(${changes.nickname ?? null}, nickname),
        bio = coalesce(${changes.bio ?? null}, bio),
        interests = coalesce(${changes.interests === undefined ? null : [...changes.interests]}::text[], interests),
        avatar_key = CASE WHEN ${changes.avatarKey !== undefined} THEN ${changes.avatarKey ?? null} ELSE avatar_key END,
        updated_at = now()
      WHERE id = ${id} AND status <> 'deleted'
      RETURNING *`
    return first(rows)
  }, Effect.orDie)

  const setPassword = Effect.fn("AccountsRepo.setPassword")(function* (id: UserId, passwordHash: string) {
    yield* sql`UPDATE users SET password_hash = ${passwordHash}, updated_at = now() WHERE id = ${id}`
  }, Effect.orDie)

  const markEmailVerified = Effect.fn("AccountsRepo.markEmailVerified")(function* (id: UserId, email: string) {
    const rows = yield* sql<{ id: UserId }>`
      UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
      WHERE id = ${id} AND email = ${email} RETURNING id`
    return rows.length > 0
  }, Effect.orDie)

  /**
   * Group invitations sent to an email address reach the account that proves it owns the address
   * (verification or password reset), never merely one that signed up with it.
   */
  const claimEmailInvitations = Effect.fn("AccountsRepo.claimEmailInvitations")(function* (id: UserId, email: string) {
    yield* sql`
      UPDATE group_invitations i SET invitee_id = ${id}
      WHERE i.email = ${email} AND i.invitee_id IS NULL AND i.status = 'pending'
        AND NOT EXISTS (
          SELECT 1 FROM group_invitations o
          WHERE o.group_id = i.group_id AND o.invitee_id = ${id} AND o.status = 'pending'
        )`
  }, Effect.orDie)

  const setSuspension = Effect.fn("AccountsRepo.setSuspension")(function* (
    id: UserId,
    suspension: { readonly reason: string | null } | null
  ) {
    const rows = yield* suspension === null
      ? sql<UserRow>`
          UPDATE users SET status = 'active', suspended_at = NULL, suspension_reason = NULL, updated_at = now()
          WHERE id = ${id} AND status <> 'deleted' RETURNING *`
      : sql<UserRow>`
          UPDATE users SET status = 'suspended', suspended_at = now(), suspension_reason = ${suspension.reason},
            updated_at = now()
          WHERE id = ${id} AND status <> 'deleted' RETURNING *`
    return first(rows)
  }, Effect.orDie)

  /** Erases what identifies the person; the row stays so their content can show a deleted author. */
  const eraseUser = Effect.fn("AccountsRepo.eraseUser")(function* (id: UserId) {
    yield* sql`
      UPDATE users SET status = 'deleted', email = NULL, password_hash = NULL, nickname = 'Deleted user', bio = '',
        avatar_key = NULL, interests = '{}', email_verified_at = NULL, deleted_at = now(), updated_at = now()
      WHERE id = ${id}`
    yield* sql`DELETE FROM email_tokens WHERE user_id = ${id}`
  }, Effect.orDie)

  const findProfile = Effect.fn("AccountsRepo.findProfile")(function* (id: UserId) {
    return first(
      yield* sql<ProfileRow>`
        SELECT id, nickname, bio, avatar_key, interests, created_at FROM users
        WHERE id = ${id} AND status <> 'deleted'`
    )
  }, Effect.orDie)

  const searchProfiles = Effect.fn("AccountsRepo.searchProfiles")(function* (options: {
    readonly q: string
    readonly limit: number
    readonly after: { readonly score: string; readonly id: string } | null
  }) {
    const q = options.q.toLowerCase()
    const prefix = `${escapeLike(q)}%`
    const after = options.after
    return yield* sql<SearchRow>`
      SELECT * FROM (
        SELECT id, nickname, bio, avatar_key, interests, created_at,
          greatest(similarity(lower(nickname), ${q}), CASE WHEN lower(nickname) LIKE ${prefix} THEN 0.99 ELSE 0 END)::real AS score
        FROM users
        WHERE status = 'active' AND (lower(nickname) % ${q} OR lower(nickname) LIKE ${prefix})
      ) matches
      WHERE ${after === null ? sql`true` : sql`(score < ${after.score}::real OR (score = ${after.score}::real AND id > ${after.id}::uuid))`}
      ORDER BY score DESC, id ASC
      LIMIT ${options.limit}`.pipe(Effect.map((rows) => rows.map((row) => ({ ...row, score: String(row.score) }))))
  }, Effect.orDie)

  const listNewestProfiles = Effect.fn("AccountsRepo.listNewestProfiles")(function* (options: {
    readonly limit: number
    readonly after: { readonly createdAt: string; readonly id: string } | null
  }) {
    const after = options.after
    return yield* sql<ProfileRow>`
      SELECT id, nickname, bio, avatar_key, interests, created_at FROM users
      WHERE status = 'active'
        AND ${after === null ? sql`true` : sql`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`}
      ORDER BY created_at DESC, id DESC
      LIMIT ${options.limit}`
  }, Effect.orDie)

  const insertSession = Effect.fn("AccountsRepo.insertSession")(function* (session: {
    readonly id: SessionId
    readonly userId: UserId
    readonly deviceName: string | null
    readonly client: ClientInfo
    readonly expiresInSeconds: number
  }) {
    yield* sql`
      INSERT INTO sessions (id, user_id, device_name, user_agent, last_ip, created_at, last_used_at, expires_at)
      VALUES (${session.id}, ${session.userId}, ${session.deviceName}, ${session.client.userAgent},
        ${session.client.ip}, now(), now(), now() + make_interval(secs => ${session.expiresInSeconds}))`
  }, Effect.orDie)

  /** What authenticating a request needs, in one indexed lookup. */
  const findSessionForAuth = Effect.fn("AccountsRepo.findSessionForAuth")(function* (id: SessionId) {
    return first(
      yield* sql<SessionAuthRow>`
        SELECT s.user_id, u.role, u.status, s.revoked_at IS NOT NULL AS revoked, s.expires_at <= now() AS expired,
          s.last_used_at < now() - interval '1 minute' AS stale
        FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = ${id}`
    )
  }, Effect.orDie)

  const touchSession = Effect.fn("AccountsRepo.touchSession")(function* (
    id: SessionId,
    client: ClientInfo,
    extendBySeconds?: number
  ) {
    yield* sql`
      UPDATE sessions SET last_used_at = now(), last_ip = coalesce(${client.ip}, last_ip),
        user_agent = coalesce(${client.userAgent}, user_agent),
        expires_at = CASE WHEN ${extendBySeconds ?? null}::int IS NULL THEN expires_at
          ELSE now() + make_interval(secs => ${extendBySeconds ?? 0}) END
      WHERE id = ${id}`
  }, Effect.orDie)

  const listSessions = Effect.fn("AccountsRepo.listSessions")(function* (userId: UserId) {
    return yield* sql<SessionRow>`
      SELECT id, user_id, device_name, user_agent, last_ip, created_at, last_used_at FROM sessions
      WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > now()
      ORDER BY last_used_at DESC LIMIT 200`
  }, Effect.orDie)

  const revokeSession = Effect.fn("AccountsRepo.revokeSession")(function* (
    userId: UserId,
    id: SessionId,
    reason: string
  ) {
    const rows = yield* sql<{ id: SessionId }>`
      UPDATE sessions SET revoked_at = now(), revoked_reason = ${reason}
      WHERE id = ${id} AND user_id = ${userId} AND revoked_at IS NULL RETURNING id`
    return rows.length > 0
  }, Effect.orDie)

  const revokeSessions = Effect.fn("AccountsRepo.revokeSessions")(function* (
    userId: UserId,
    options: { readonly except: SessionId | null; readonly reason: string }
  ) {
    yield* sql`
      UPDATE sessions SET revoked_at = now(), revoked_reason = ${options.reason}
      WHERE user_id = ${userId} AND revoked_at IS NULL
        AND ${options.except === null ? sql`true` : sql`id <> ${options.except}`}`
  }, Effect.orDie)

  const insertRefreshToken = Effect.fn("AccountsRepo.insertRefreshToken")(function* (
    tokenHash: string,
    sessionId: SessionId
  ) {
    yield* sql`INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (${tokenHash}, ${sessionId}, now())`
  }, Effect.orDie)

  /** Spends a refresh token atomically: of two concurrent uses, exactly one gets the session. */
  const spendRefreshToken = Effect.fn("AccountsRepo.spendRefreshToken")(function* (tokenHash: string) {
    return first(
      yield* sql<{ sessionId: SessionId }>`
        UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = ${tokenHash} AND spent_at IS NULL
        RETURNING session_id`
    )
  }, Effect.orDie)

  const findRefreshToken = Effect.fn("AccountsRepo.findRefreshToken")(function* (tokenHash: string) {
    return first(
      yield* sql<{ sessionId: SessionId; spentAt: Date | null }>`
        SELECT session_id, spent_at FROM refresh_tokens WHERE token_hash = ${tokenHash}`
    )
  }, Effect.orDie)

  const insertEmailToken = Effect.fn("AccountsRepo.insertEmailToken")(function* (token: {
    readonly tokenHash: string
    readonly userId: UserId
    readonly purpose: EmailTokenPurpose
    readonly email: string
    readonly expiresInSeconds: number
  }) {
    yield* sql`
      INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
      VALUES (${token.tokenHash}, ${token.userId}, ${token.purpose}, ${token.email}, now(),
        now() + make_interval(secs => ${token.expiresInSeconds}))`
  }, Effect.orDie)

  /** Uses an emailed token once: unknown, expired, used or wrong-purpose tokens give nothing. */
  const consumeEmailToken = Effect.fn("AccountsRepo.consumeEmailToken")(function* (
    tokenHash: string,
    purpose: EmailTokenPurpose
  ) {
    return first(
      yield* sql<{ userId: UserId; email: string }>`
        UPDATE email_tokens SET used_at = now()
        WHERE token_hash = ${tokenHash} AND purpose = ${purpose} AND used_at IS NULL AND expires_at > now()
        RETURNING user_id, email`
    )
  }, Effect.orDie)

  return {
    insertUser,
    findUserByEmail,
    findUserById,
    updateProfile,
    setPassword,
    markEmailVerified,
    claimEmailInvitations,
    setSuspension,
    eraseUser,
    findProfile,
    searchProfiles,
    listNewestProfiles,
    insertSession,
    findSessionForAuth,
    touchSession,
    listSessions,
    revokeSession,
    revokeSessions,
    insertRefreshToken,
    spendRefreshToken,
    findRefreshToken,
    insertEmailToken,
    consumeEmailToken
  }
})
