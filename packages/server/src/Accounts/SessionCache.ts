import { SessionId } from "@moim/domain/Accounts/Session"
import { UserId } from "@moim/domain/Accounts/User"
import { Config, Context, Effect, Layer, Schema, Stream } from "effect"
import { EventBus } from "../platform/EventBus.ts"
import type { SessionAuthRow } from "./SessionsRepo.ts"

/** What ends sessions: one session (logout, revoked), or every session of a user. */
const Invalidation = Schema.Union([
  Schema.Struct({ sessionId: SessionId, userId: UserId }),
  Schema.Struct({ userId: UserId })
])
type Invalidation = typeof Invalidation.Type

const channel = "sessions:invalidated"

interface Entry {
  readonly row: SessionAuthRow
  readonly until: number
}

/**
 * The sessions of recent requests, so that an authenticated request does not read its session row
 * every time: an entry is kept `SESSION_CACHE_SECONDS` (10; 0 turns the cache off), and only for
 * an active session. Ending sessions (`SessionsRepo.revoke`, `revokeAll`: logout, revoking a
 * device, suspension, deletion, a password change) drops them here and, through the `EventBus`, in
 * every other process at once. The bound: a message lost while Redis was down leaves a revoked
 * session usable on another process for at most that long, and a promotion to admin shows after it.
 *
 * An invalidation may reach another process before the transaction that ended the session commits,
 * and that process may still read the old row then; so for one cache lifetime after an
 * invalidation nothing of that user is cached again, and every request of theirs reads its row.
 */
export class SessionCache extends Context.Service<
  SessionCache,
  {
    readonly get: (id: SessionId) => SessionAuthRow | undefined
    /** Keeps an active session's row (a no-op for a user invalidated within the cache's lifetime). */
    readonly set: (id: SessionId, row: SessionAuthRow) => void
    /** Drops the session (or all of the user's) here and in every process. */
    readonly invalidate: (invalidation: Invalidation) => Effect.Effect<void>
  }
>()("@moim/server/Accounts/SessionCache") {
  static readonly layer = Layer.effect(
    SessionCache,
    Effect.gen(function* () {
      const lifetime = (yield* Config.Int("SESSION_CACHE_SECONDS").pipe(Config.withDefault(10))) * 1000
      const maxEntries = 50_000
      const entries = new Map<SessionId, Entry>()
      const recentlyInvalidated = new Map<UserId, number>()
      const topic = (yield* EventBus).topic(Invalidation)

      const drop = (invalidation: Invalidation) => {
        const now = Date.now()
        if (recentlyInvalidated.size >= maxEntries) {
          for (const [userId, until] of recentlyInvalidated) if (until <= now) recentlyInvalidated.delete(userId)
        }
        recentlyInvalidated.set(invalidation.userId, now + lifetime)
        if ("sessionId" in invalidation) {
          entries.delete(invalidation.sessionId)
          return
        }
        for (const [id, entry] of entries) if (entry.row.userId === invalidation.userId) entries.delete(id)
      }

      if (lifetime > 0) {
        const invalidations = yield* topic.subscribe(channel)
        yield* invalidations.pipe(
          Stream.runForEach((invalidation) => Effect.sync(() => drop(invalidation))),
          Effect.catchCause((cause) => Effect.logWarning("session invalidations stopped", cause)),
          Effect.forkScoped
        )
      }

      return SessionCache.of({
        get: (id) => {
          const entry = entries.get(id)
          if (entry === undefined) return undefined
          if (entry.until > Date.now()) return entry.row
          entries.delete(id)
          return undefined
        },
        set: (id, row) => {
          if (lifetime <= 0) return
          const now = Date.now()
          const invalidatedUntil = recentlyInvalidated.get(row.userId)
          if (invalidatedUntil !== undefined) {
            if (invalidatedUntil > now) return
            recentlyInvalidated.delete(row.userId)
          }
          // Oldest first out: a Map iterates in insertion order.
          if (entries.size >= maxEntries) {
            const oldest = entries.keys().next()
            if (oldest.done !== true) entries.delete(oldest.value)
          }
          entries.set(id, { row, until: now + lifetime })
        },
        invalidate: (invalidation) =>
          Effect.gen(function* () {
            drop(invalidation)
            if (lifetime > 0) {
              yield* topic
                .publish(channel, invalidation)
                .pipe(Effect.catch((error) => Effect.logWarning("a session invalidation was not published", error)))
            }
          })
      })
    })
  )
}
