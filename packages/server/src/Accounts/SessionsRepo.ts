import { SessionId } from "@moim/domain/Accounts/Session"
import { UserId, UserRole, UserStatus } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { ClientInfo } from "../Access/ClientInfo.ts"
import { Rows } from "../platform/Rows.ts"
import { SessionCache } from "./SessionCache.ts"

/** A signed-in device, as listed to its owner. */
export const SessionRow = Schema.Struct({
  id: SessionId,
  userId: UserId,
  deviceName: Schema.NullOr(Schema.String),
  userAgent: Schema.NullOr(Schema.String),
  lastIp: Schema.NullOr(Schema.String),
  createdAt: Schema.Date,
  lastUsedAt: Schema.Date
})
export type SessionRow = typeof SessionRow.Type

/** What authenticating a request needs to know about its session and user. */
export const SessionAuthRow = Schema.Struct({
  userId: UserId,
  role: UserRole,
  status: UserStatus,
  revoked: Schema.Boolean,
  expired: Schema.Boolean,
  stale: Schema.Boolean,
  /** The user has two-factor authentication on (read beside the session for `REQUIRE_2FA_FOR_ADMINS`). */
  secondFactor: Schema.Boolean
})
export type SessionAuthRow = typeof SessionAuthRow.Type

const SessionRef = Schema.Struct({ sessionId: SessionId })

const decodeSessions = Rows.all(SessionRow)
const decodeAuth = Rows.first(SessionAuthRow)
const decodeSessionRef = Rows.first(SessionRef)
const decodeLastUsed = Rows.first(Schema.Struct({ lastUsedAt: Schema.Date }))

/**
 * The `sessions` and `refresh_tokens` tables: signed-in devices and their single-use refresh tokens.
 * Ending sessions also drops them from the `SessionCache` of every process.
 */
export class SessionsRepo extends Context.Service<
  SessionsRepo,
  {
    readonly insert: (session: {
      readonly id: SessionId
      readonly userId: UserId
      readonly deviceName: string | null
      readonly client: ClientInfo
      readonly expiresInSeconds: number
    }) => Effect.Effect<void>
    /** One indexed lookup per authenticated request (it reads the user's role and status beside the session). */
    readonly findForAuth: (id: SessionId) => Effect.Effect<Option.Option<SessionAuthRow>>
    /** Records use by a client, and with `extendBySeconds` pushes the expiry (on refresh). */
    readonly touch: (id: SessionId, client: ClientInfo, extendBySeconds?: number) => Effect.Effect<void>
    readonly listActive: (userId: UserId) => Effect.Effect<ReadonlyArray<SessionRow>>
    /** When the user last used any session, if they have one. */
    readonly lastUsedAt: (userId: UserId) => Effect.Effect<Option.Option<Date>>
    /** False when there is no such active session of this user. */
    readonly revoke: (userId: UserId, id: SessionId, reason: string) => Effect.Effect<boolean>
    readonly revokeAll: (
      userId: UserId,
      options: { readonly except: SessionId | null; readonly reason: string }
    ) => Effect.Effect<void>
    readonly insertRefreshToken: (tokenHash: string, sessionId: SessionId) => Effect.Effect<void>
    /** Spends a refresh token atomically: of two concurrent uses, exactly one gets the session. */
    readonly spendRefreshToken: (tokenHash: string) => Effect.Effect<Option.Option<{ readonly sessionId: SessionId }>>
    /** A refresh token's session whether or not it was spent (to detect reuse). */
    readonly findRefreshToken: (tokenHash: string) => Effect.Effect<Option.Option<{ readonly sessionId: SessionId }>>
    /**
     * Removes up to `limit` sessions that expired or were ended more than `retentionSeconds` ago,
     * with their refresh tokens; and up to `limit` refresh tokens spent more than `spentSeconds` ago.
     */
    readonly purgeEnded: (options: {
      readonly retentionSeconds: number
      readonly spentSeconds: number
      readonly limit: number
    }) => Effect.Effect<{ readonly sessions: number; readonly refreshTokens: number }>
  }
>()("@moim/server/Accounts/SessionsRepo") {
  static readonly layer = Layer.effect(
    SessionsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const cache = yield* SessionCache
      return SessionsRepo.of({
        purgeEnded: Effect.fn("SessionsRepo.purgeEnded")(function* (options) {
          const cutoff = sql`now() - make_interval(secs => ${options.retentionSeconds})`
          const ended = yield* sql<{ sessions: number; refreshTokens: number }>`
            WITH doomed AS (
              SELECT id FROM sessions
              WHERE least(expires_at, coalesce(revoked_at, 'infinity')) < ${cutoff} LIMIT ${options.limit}
            ), tokens AS (
              DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM doomed) RETURNING 1
            ), removed AS (
              DELETE FROM sessions WHERE id IN (SELECT id FROM doomed) RETURNING 1
            )
            SELECT (SELECT count(*) FROM removed)::int AS sessions, (SELECT count(*) FROM tokens)::int AS refresh_tokens`
          // A spent token is kept a while so its reuse is recognised (and ends its session).
          const spent = yield* sql`
            DELETE FROM refresh_tokens WHERE token_hash IN (
              SELECT token_hash FROM refresh_tokens
              WHERE spent_at < now() - make_interval(secs => ${options.spentSeconds}) LIMIT ${options.limit}
            ) RETURNING 1`
          return {
            sessions: ended[0]?.sessions ?? 0,
            refreshTokens: (ended[0]?.refreshTokens ?? 0) + spent.length
          }
        }, Effect.orDie),

        insert: Effect.fn("SessionsRepo.insert")(function* (session) {
          yield* sql`
            INSERT INTO sessions (id, user_id, device_name, user_agent, last_ip, created_at, last_used_at, expires_at)
            VALUES (${session.id}, ${session.userId}, ${session.deviceName}, ${session.client.userAgent},
              ${session.client.ip}, now(), now(), now() + make_interval(secs => ${session.expiresInSeconds}))`
        }, Effect.orDie),

        findForAuth: Effect.fn("SessionsRepo.findForAuth")(function* (id) {
          return yield* sql`
            SELECT s.user_id, u.role, u.status, s.revoked_at IS NOT NULL AS revoked, s.expires_at <= now() AS expired,
              s.last_used_at < now() - interval '1 minute' AS stale,
              EXISTS (SELECT 1 FROM two_factor t WHERE t.user_id = s.user_id AND t.confirmed_at IS NOT NULL)
                AS second_factor
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id = ${id}`.pipe(Effect.flatMap(decodeAuth))
        }, Effect.orDie),

        touch: Effect.fn("SessionsRepo.touch")(function* (id, client, extendBySeconds) {
          yield* sql`
            UPDATE sessions SET last_used_at = now(), last_ip = coalesce(${client.ip}, last_ip),
              user_agent = coalesce(${client.userAgent}, user_agent),
              expires_at = CASE WHEN ${extendBySeconds ?? null}::int IS NULL THEN expires_at
                ELSE now() + make_interval(secs => ${extendBySeconds ?? 0}) END
            WHERE id = ${id}`
        }, Effect.orDie),

        lastUsedAt: Effect.fn("SessionsRepo.lastUsedAt")(function* (userId) {
          const row = yield* sql`
            SELECT last_used_at FROM sessions WHERE user_id = ${userId} ORDER BY last_used_at DESC LIMIT 1`.pipe(
            Effect.flatMap(decodeLastUsed)
          )
          return Option.map(row, (found) => found.lastUsedAt)
        }, Effect.orDie),

        listActive: Effect.fn("SessionsRepo.listActive")(function* (userId) {
          return yield* sql`
            SELECT id, user_id, device_name, user_agent, last_ip, created_at, last_used_at FROM sessions
            WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > now()
            ORDER BY last_used_at DESC LIMIT 200`.pipe(Effect.flatMap(decodeSessions))
        }, Effect.orDie),

        revoke: Effect.fn("SessionsRepo.revoke")(function* (userId, id, reason) {
          const rows = yield* sql`
            UPDATE sessions SET revoked_at = now(), revoked_reason = ${reason}
            WHERE id = ${id} AND user_id = ${userId} AND revoked_at IS NULL RETURNING id`
          yield* cache.invalidate({ sessionId: id, userId })
          return rows.length > 0
        }, Effect.orDie),

        revokeAll: Effect.fn("SessionsRepo.revokeAll")(function* (userId, options) {
          yield* sql`
            UPDATE sessions SET revoked_at = now(), revoked_reason = ${options.reason}
            WHERE user_id = ${userId} AND revoked_at IS NULL
              AND ${options.except === null ? sql`true` : sql`id <> ${options.except}`}`
          // The user's status may have changed with it (suspended, deleted): every session of theirs goes.
          yield* cache.invalidate({ userId })
        }, Effect.orDie),

        insertRefreshToken: Effect.fn("SessionsRepo.insertRefreshToken")(function* (tokenHash, sessionId) {
          yield* sql`INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (${tokenHash}, ${sessionId}, now())`
        }, Effect.orDie),

        spendRefreshToken: Effect.fn("SessionsRepo.spendRefreshToken")(function* (tokenHash) {
          return yield* sql`
            UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = ${tokenHash} AND spent_at IS NULL
            RETURNING session_id`.pipe(Effect.flatMap(decodeSessionRef))
        }, Effect.orDie),

        findRefreshToken: Effect.fn("SessionsRepo.findRefreshToken")(function* (tokenHash) {
          return yield* sql`SELECT session_id FROM refresh_tokens WHERE token_hash = ${tokenHash}`.pipe(
            Effect.flatMap(decodeSessionRef)
          )
        }, Effect.orDie)
      })
    })
  )
}
