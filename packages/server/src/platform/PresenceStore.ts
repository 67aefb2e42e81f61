import { Clock, Context, Duration, Effect, Layer, Schema } from "effect"
import { Redis } from "effect/persistence"

export class PresenceStoreError extends Schema.TaggedError<PresenceStoreError>()("PresenceStoreError", {
  cause: Schema.Defect()
}) {}

/** Where one user stands: connected (and whether they said they are away), or when they were last connected. */
export interface PresenceEntry {
  readonly userId: string
  readonly status: "online" | "away" | "offline"
  /** Epoch millis of their last connection when offline (null if never seen, or longer ago than `seenRetention`). */
  readonly lastSeenAt: number | null
}

/** How long a user's last-seen time is kept once they are offline. */
const seenRetention = Duration.days(90)

/**
 * Who is connected, across every process sharing the Redis of `REDIS_URL` (or within this process
 * otherwise), kept by heartbeats with a TTL. Each process `refresh`es the users it holds a connection
 * of more often than `ttl`; a process that dies stops refreshing, and whoever `sweep`s after the TTL
 * takes its users offline. Every change of a user between offline and connected is answered (or
 * returned) to exactly one caller across processes, so whoever publishes it is unique.
 *
 * Times come from the callers' `Clock`, in epoch millis; every method takes the same `ttl`.
 */
export class PresenceStore extends Context.Service<
  PresenceStore,
  {
    /** Marks the users connected to `instance` as of now. Returns those who were offline (each to one caller). */
    readonly refresh: (
      instance: string,
      userIds: ReadonlyArray<string>,
      ttl: Duration.Duration
    ) => Effect.Effect<ReadonlyArray<string>, PresenceStoreError>
    /**
     * `instance` holds no connection of the user any more. True when that took them offline (no other
     * instance refreshed them within `ttl`): their last-seen time becomes now.
     */
    readonly disconnect: (
      instance: string,
      userId: string,
      ttl: Duration.Duration
    ) => Effect.Effect<boolean, PresenceStoreError>
    /**
     * Takes offline up to `limit` users whom no instance refreshed within `ttl`, each to one caller,
     * with their last-seen time (their last refresh).
     */
    readonly sweep: (
      ttl: Duration.Duration,
      limit: number
    ) => Effect.Effect<ReadonlyArray<{ readonly userId: string; readonly lastSeenAt: number }>, PresenceStoreError>
    /**
     * Sets whether a connected user is away. Returns their status if it changed; nothing for a user
     * who is not connected (the status is forgotten when they go offline).
     */
    readonly setAway: (
      userId: string,
      away: boolean
    ) => Effect.Effect<"online" | "away" | undefined, PresenceStoreError>
    /** The users' entries, in the order asked. */
    readonly get: (
      userIds: ReadonlyArray<string>,
      ttl: Duration.Duration
    ) => Effect.Effect<ReadonlyArray<PresenceEntry>, PresenceStoreError>
  }
>()("@moim/server/platform/PresenceStore") {
  /** This process only. */
  static readonly layerMemory: Layer.Layer<PresenceStore> = Layer.sync(PresenceStore, () => {
    /** userId → (instance → last refresh) */
    const connections = new Map<string, Map<string, number>>()
    /** userId → their latest refresh: the users who are connected. */
    const online = new Map<string, number>()
    const away = new Set<string>()
    const seen = new Map<string, number>()

    const goOffline = (userId: string, lastSeen: number) => {
      online.delete(userId)
      connections.delete(userId)
      away.delete(userId)
      seen.set(userId, lastSeen)
    }
    const retention = Duration.toMillis(seenRetention)

    return PresenceStore.of({
      refresh: (instance, userIds) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const came: Array<string> = []
          for (const userId of userIds) {
            const held = connections.get(userId) ?? new Map<string, number>()
            held.set(instance, now)
            connections.set(userId, held)
            if (!online.has(userId)) came.push(userId)
            online.set(userId, Math.max(now, online.get(userId) ?? 0))
          }
          return came
        }),
      disconnect: (instance, userId, ttl) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const held = connections.get(userId)
          if (held !== undefined) {
            held.delete(instance)
            for (const [other, at] of held) if (at <= now - Duration.toMillis(ttl)) held.delete(other)
            if (held.size > 0) return false
          }
          if (!online.has(userId)) return false
          goOffline(userId, now)
          return true
        }),
      sweep: (ttl, limit) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const gone: Array<{ readonly userId: string; readonly lastSeenAt: number }> = []
          for (const [userId, at] of online) {
            if (gone.length >= limit) break
            if (at > now - Duration.toMillis(ttl)) continue
            goOffline(userId, at)
            gone.push({ userId, lastSeenAt: at })
          }
          return gone
        }),
      setAway: (userId, isAway) =>
        Effect.sync(() => {
          if (!online.has(userId) || away.has(userId) === isAway) return undefined
          if (isAway) away.add(userId)
          else away.delete(userId)
          return isAway ? "away" : "online"
        }),
      get: (userIds, ttl) =>
        Effect.map(Clock.currentTimeMillis, (now) =>
          userIds.map((userId): PresenceEntry => {
            const at = online.get(userId)
            if (at !== undefined && at > now - Duration.toMillis(ttl)) {
              return { userId, status: away.has(userId) ? "away" : "online", lastSeenAt: null }
            }
            const last = seen.get(userId) ?? at
            return {
              userId,
              status: "offline",
              lastSeenAt: last !== undefined && now - last <= retention ? last : null
            }
          })
        )
    })
  })

  /**
   * Shared by every process on the same Redis; keys start with `prefix`: `online` (a sorted set of
   * connected users by last refresh), `away` (a set), `conns:<user>` (a sorted set of the instances
   * holding the user, by last refresh) and `seen:<user>` (the last-seen time, kept `seenRetention`).
   * Each change is one Lua script, so the refreshes, disconnects and sweeps of several processes
   * never interleave.
   */
  static readonly layerRedis = (options?: {
    readonly prefix?: string | undefined
  }): Layer.Layer<PresenceStore, never, Redis.Redis> =>
    Layer.effect(
      PresenceStore,
      Effect.gen(function* () {
        const redis = yield* Redis.Redis
        const prefix = options?.prefix ?? "moim:presence:"
        const online = `${prefix}online`
        const away = `${prefix}away`
        const retention = Duration.toMillis(seenRetention)
        const fail = Effect.mapError((cause: Redis.RedisError) => new PresenceStoreError({ cause }))
        const refresh = redis.eval(refreshScript)
        const disconnect = redis.eval(disconnectScript)
        const sweep = redis.eval(sweepScript)
        const setAway = redis.eval(setAwayScript)
        const get = redis.eval(getScript)
        const cutoff = (ttl: Duration.Duration) =>
          Effect.map(Clock.currentTimeMillis, (now) => ({ now, cutoff: now - Duration.toMillis(ttl) }))

        return PresenceStore.of({
          refresh: (instance, userIds, ttl) =>
            userIds.length === 0
              ? Effect.succeed([])
              : Effect.flatMap(Clock.currentTimeMillis, (now) =>
                  refresh(online, prefix, instance, now, Duration.toMillis(ttl), ...userIds)
                ).pipe(fail),
          disconnect: (instance, userId, ttl) =>
            Effect.flatMap(cutoff(ttl), ({ now, cutoff }) =>
              disconnect(online, away, prefix, instance, userId, now, cutoff, retention)
            ).pipe(
              Effect.map((result) => result === 1),
              fail
            ),
          sweep: (ttl, limit) =>
            Effect.flatMap(cutoff(ttl), ({ cutoff }) => sweep(online, away, prefix, cutoff, limit, retention)).pipe(
              Effect.map((flat) => {
                const gone: Array<{ readonly userId: string; readonly lastSeenAt: number }> = []
                for (let index = 0; index + 1 < flat.length; index += 2) {
                  gone.push({ userId: flat[index] ?? "", lastSeenAt: Number(flat[index + 1]) })
                }
                return gone
              }),
              fail
            ),
          setAway: (userId, isAway) =>
            setAway(online, away, userId, isAway ? 1 : 0).pipe(
              Effect.map((result) => (result === "online" || result === "away" ? result : undefined)),
              fail
            ),
          get: (userIds, ttl) =>
            userIds.length === 0
              ? Effect.succeed([])
              : Effect.flatMap(cutoff(ttl), ({ cutoff }) => get(online, away, prefix, cutoff, ...userIds)).pipe(
                  Effect.map((rows) =>
                    userIds.map((userId, index): PresenceEntry => {
                      const [status, lastSeen] = rows[index] ?? ["offline", ""]
                      return {
                        userId,
                        status: status === "online" || status === "away" ? status : "offline",
                        lastSeenAt: lastSeen === "" ? null : Number(lastSeen)
                      }
                    })
                  ),
                  fail
                )
        })
      })
    )
}

const refreshScript = Redis.script(
  (online: string, prefix: string, instance: string, now: number, ttl: number, ...userIds: Array<string>) => [
    online,
    prefix,
    instance,
    now,
    ttl,
    ...userIds
  ],
  {
    numberOfKeys: 1,
    lua: `
local came = {}
for i = 5, #ARGV do
  local user = ARGV[i]
  local conns = ARGV[1] .. "conns:" .. user
  redis.call("ZADD", conns, ARGV[3], ARGV[2])
  redis.call("PEXPIRE", conns, ARGV[4])
  if redis.call("ZADD", KEYS[1], "GT", ARGV[3], user) == 1 then
    table.insert(came, user)
  end
end
return came
`
  }
).withReturnType<ReadonlyArray<string>>()

const disconnectScript = Redis.script(
  (
    online: string,
    away: string,
    prefix: string,
    instance: string,
    userId: string,
    now: number,
    cutoff: number,
    retention: number
  ) => [online, away, prefix, instance, userId, now, cutoff, retention],
  {
    numberOfKeys: 2,
    lua: `
local conns = ARGV[1] .. "conns:" .. ARGV[3]
redis.call("ZREM", conns, ARGV[2])
redis.call("ZREMRANGEBYSCORE", conns, "-inf", ARGV[5])
if redis.call("ZCARD", conns) > 0 then
  return 0
end
if redis.call("ZREM", KEYS[1], ARGV[3]) == 0 then
  return 0
end
redis.call("SREM", KEYS[2], ARGV[3])
redis.call("SET", ARGV[1] .. "seen:" .. ARGV[3], ARGV[4], "PX", ARGV[6])
return 1
`
  }
).withReturnType<number>()

const sweepScript = Redis.script(
  (online: string, away: string, prefix: string, cutoff: number, limit: number, retention: number) => [
    online,
    away,
    prefix,
    cutoff,
    limit,
    retention
  ],
  {
    numberOfKeys: 2,
    lua: `
local expired = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", ARGV[2], "WITHSCORES", "LIMIT", 0, ARGV[3])
local gone = {}
for i = 1, #expired, 2 do
  local user = expired[i]
  redis.call("ZREM", KEYS[1], user)
  redis.call("SREM", KEYS[2], user)
  redis.call("DEL", ARGV[1] .. "conns:" .. user)
  redis.call("SET", ARGV[1] .. "seen:" .. user, expired[i + 1], "PX", ARGV[4])
  table.insert(gone, user)
  table.insert(gone, expired[i + 1])
end
return gone
`
  }
).withReturnType<ReadonlyArray<string>>()

const setAwayScript = Redis.script(
  (online: string, away: string, userId: string, isAway: number) => [online, away, userId, isAway],
  {
    numberOfKeys: 2,
    lua: `
if redis.call("ZSCORE", KEYS[1], ARGV[1]) == false then
  return ""
end
if ARGV[2] == "1" then
  if redis.call("SADD", KEYS[2], ARGV[1]) == 1 then return "away" end
else
  if redis.call("SREM", KEYS[2], ARGV[1]) == 1 then return "online" end
end
return ""
`
  }
).withReturnType<string>()

const getScript = Redis.script(
  (online: string, away: string, prefix: string, cutoff: number, ...userIds: Array<string>) => [
    online,
    away,
    prefix,
    cutoff,
    ...userIds
  ],
  {
    numberOfKeys: 2,
    lua: `
local result = {}
for i = 3, #ARGV do
  local user = ARGV[i]
  local at = redis.call("ZSCORE", KEYS[1], user)
  if at ~= false and tonumber(at) > tonumber(ARGV[2]) then
    if redis.call("SISMEMBER", KEYS[2], user) == 1 then
      table.insert(result, { "away", "" })
    else
      table.insert(result, { "online", "" })
    end
  else
    local seen = redis.call("GET", ARGV[1] .. "seen:" .. user)
    if seen == false then
      if at ~= false then seen = at else seen = "" end
    end
    table.insert(result, { "offline", seen })
  end
end
return result
`
  }
).withReturnType<ReadonlyArray<readonly [string, string]>>()
