import { Clock, Context, Duration, Effect, Layer, Metric, Option, Schedule, Schema } from "effect"
import { Redis } from "effect/persistence"

/** A cache namespace bound to one value schema and TTL; see `Cache.namespace`. */
export interface CacheNamespace<A> {
  readonly get: (key: string) => Effect.Effect<Option.Option<A>>
  readonly set: (key: string, value: A) => Effect.Effect<void>
  readonly getOrSet: <E, R>(key: string, compute: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly invalidate: (key: string) => Effect.Effect<void>
  /** Drops every key of the namespace at once. */
  readonly invalidateAll: Effect.Effect<void>
}

/**
 * A key/value cache with TTLs, grouped in namespaces (`"posts:list"`): one key or a whole
 * namespace can be invalidated, the latter in O(1), which is what list pages cached under many
 * keys need after a write.
 *
 * Invalidation is race-safe: `getOrSet` stores what it computed only if neither the key nor its
 * namespace was invalidated (or `set`) since its read, so a slow reader cannot put back a value
 * that a concurrent write just invalidated. Prefer invalidate + `getOrSet` to `set`.
 *
 * The cache is an optimisation, so a failing store (Redis down) never fails a caller: reads miss,
 * writes are skipped, invalidations are retried briefly and then logged (the entry then lives at
 * most its TTL). Hits, misses and store errors are counted per namespace.
 */
export class Cache extends Context.Service<
  Cache,
  {
    readonly get: (namespace: string, key: string) => Effect.Effect<Option.Option<string>>
    readonly set: (namespace: string, key: string, value: string, ttl: Duration.Input) => Effect.Effect<void>
    readonly getOrSet: <E, R>(
      namespace: string,
      key: string,
      ttl: Duration.Input,
      compute: Effect.Effect<string, E, R>
    ) => Effect.Effect<string, E, R>
    readonly invalidate: (namespace: string, key: string) => Effect.Effect<void>
    readonly invalidateNamespace: (namespace: string) => Effect.Effect<void>
    /** Typed access to one namespace: values are stored as the schema's JSON encoding. */
    readonly namespace: <A, I>(options: {
      readonly name: string
      readonly schema: Schema.Codec<A, I>
      readonly ttl: Duration.Input
    }) => CacheNamespace<A>
  }
>()("@moim/server/platform/Cache") {
  static readonly hits = Metric.counter("moim_cache_hits_total", {
    description: "Cache lookups answered from the cache, by namespace",
    incremental: true
  })
  static readonly misses = Metric.counter("moim_cache_misses_total", {
    description: "Cache lookups that found nothing, by namespace",
    incremental: true
  })
  static readonly errors = Metric.counter("moim_cache_errors_total", {
    description: "Cache store operations that failed, by namespace",
    incremental: true
  })

  /** Process-local, at most `capacity` entries (least recently used go first). */
  static readonly layerMemory = (options?: MemoryOptions): Layer.Layer<Cache> =>
    Layer.effect(
      Cache,
      Effect.gen(function* () {
        const limits = limitsOf(options)
        return make(yield* makeMemoryStore(limits, options?.capacity ?? 10_000), limits)
      })
    )

  /** Shared by every process on the same Redis; keys start with `prefix`. */
  static readonly layerRedis = (options?: RedisOptions): Layer.Layer<Cache, never, Redis.Redis> =>
    Layer.effect(
      Cache,
      Effect.gen(function* () {
        const limits = limitsOf(options)
        return make(yield* makeRedisStore(limits, options?.prefix ?? "moim:cache:"), limits)
      })
    )
}

interface LimitOptions {
  /** Entries never live longer than this, whatever TTL they are given. Default 1 day. */
  readonly maxTtl?: Duration.Input | undefined
}

interface MemoryOptions extends LimitOptions {
  readonly capacity?: number | undefined
}

interface RedisOptions extends LimitOptions {
  readonly prefix?: string | undefined
}

interface Limits {
  readonly maxTtlMillis: number
  /** How long namespace state outlives the last entry written under it. */
  readonly retentionMillis: number
}

/**
 * How long an invalidation is remembered for `getOrSet`s in flight. A `getOrSet` whose compute
 * took more than half of this does not store its value, so it can never miss an invalidation
 * that has already been forgotten.
 */
const guardMillis = 60_000

const limitsOf = (options: LimitOptions | undefined): Limits => {
  const maxTtlMillis = Math.max(1, Math.ceil(Duration.toMillis(Duration.fromInputUnsafe(options?.maxTtl ?? "1 day"))))
  return { maxTtlMillis, retentionMillis: maxTtlMillis + guardMillis }
}

interface Lookup {
  readonly value: Option.Option<string>
  /** Identifies the state of the key and namespace at this read; see `Store.write`. */
  readonly stamp: string
}

/** What an adapter provides; `make` adds metrics, typing and failure handling on top. */
interface Store {
  readonly read: (namespace: string, key: string) => Effect.Effect<Lookup, Redis.RedisError>
  /**
   * With a `stamp`, writes only if the key and namespace are still as they were at that read.
   * Without, writes unconditionally and supersedes reads in flight, like an invalidation.
   */
  readonly write: (
    namespace: string,
    key: string,
    value: string,
    ttlMillis: number,
    stamp: string | undefined
  ) => Effect.Effect<void, Redis.RedisError>
  readonly invalidate: (namespace: string, key: string) => Effect.Effect<void, Redis.RedisError>
  readonly invalidateNamespace: (namespace: string) => Effect.Effect<void, Redis.RedisError>
}

interface Codec<A> {
  readonly decode: (raw: string) => Effect.Effect<Option.Option<A>>
  readonly encode: (value: A) => Effect.Effect<Option.Option<string>>
}

const rawCodec: Codec<string> = {
  decode: (raw) => Effect.succeed(Option.some(raw)),
  encode: (value) => Effect.succeed(Option.some(value))
}

const make = (store: Store, limits: Limits): Cache["Service"] => {
  const counted = (metric: Metric.Counter<number>, namespace: string) =>
    Metric.update(Metric.withAttributes(metric, { namespace }), 1)

  const storeFailed = (namespace: string, operation: string) => (error: Redis.RedisError) =>
    counted(Cache.errors, namespace).pipe(
      Effect.andThen(Effect.logWarning(`Cache ${operation} failed`, error)),
      Effect.annotateLogs({ namespace })
    )

  const ttlMillis = (ttl: Duration.Input) =>
    Math.min(limits.maxTtlMillis, Math.max(1, Math.ceil(Duration.toMillis(Duration.fromInputUnsafe(ttl)))))

  /** `None` when the store failed: then the caller must not write back either. */
  const lookup = <A>(
    namespace: string,
    key: string,
    codec: Codec<A>
  ): Effect.Effect<Option.Option<{ readonly stamp: string; readonly value: Option.Option<A> }>> =>
    store.read(namespace, key).pipe(
      Effect.flatMap(({ stamp, value }) =>
        Option.match(value, {
          onNone: () => Effect.succeed(Option.none<A>()),
          onSome: codec.decode
        }).pipe(Effect.map((value) => Option.some({ stamp, value })))
      ),
      Effect.tap((found) =>
        counted(Option.isSome(found) && Option.isSome(found.value.value) ? Cache.hits : Cache.misses, namespace)
      ),
      Effect.catch((error) => storeFailed(namespace, "read")(error).pipe(Effect.as(Option.none())))
    )

  const write = <A>(
    namespace: string,
    key: string,
    value: A,
    ttl: Duration.Input,
    codec: Codec<A>,
    stamp: string | undefined
  ) =>
    codec.encode(value).pipe(
      Effect.flatMap(
        Option.match({
          onNone: () => Effect.void,
          onSome: (raw) => store.write(namespace, key, raw, ttlMillis(ttl), stamp)
        })
      ),
      Effect.catch(storeFailed(namespace, "write"))
    )

  const getWith = <A>(namespace: string, key: string, codec: Codec<A>) =>
    lookup(namespace, key, codec).pipe(
      Effect.map(Option.flatMap((found) => found.value)),
      Effect.withSpan("Cache.get", { attributes: { namespace } })
    )

  const setWith = <A>(namespace: string, key: string, value: A, ttl: Duration.Input, codec: Codec<A>) =>
    write(namespace, key, value, ttl, codec, undefined).pipe(
      Effect.withSpan("Cache.set", { attributes: { namespace } })
    )

  const getOrSetWith = <A, E, R>(
    namespace: string,
    key: string,
    ttl: Duration.Input,
    compute: Effect.Effect<A, E, R>,
    codec: Codec<A>
  ): Effect.Effect<A, E, R> =>
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const found = yield* lookup(namespace, key, codec)
      if (Option.isSome(found) && Option.isSome(found.value.value)) return found.value.value.value
      const value = yield* compute
      const elapsed = (yield* Clock.currentTimeMillis) - startedAt
      if (Option.isSome(found) && elapsed < guardMillis / 2) {
        yield* write(namespace, key, value, ttl, codec, found.value.stamp)
      }
      return value
    }).pipe(Effect.withSpan("Cache.getOrSet", { attributes: { namespace } }))

  // An invalidation that is lost leaves stale data for a whole TTL, so ride out short blips.
  const retryInvalidation = <A>(namespace: string, effect: Effect.Effect<A, Redis.RedisError>) =>
    effect.pipe(
      Effect.retry({ schedule: Schedule.exponential("50 millis"), times: 3 }),
      Effect.catch(storeFailed(namespace, "invalidation")),
      Effect.asVoid
    )

  const invalidate = Effect.fn("Cache.invalidate")(function* (namespace: string, key: string) {
    yield* retryInvalidation(namespace, store.invalidate(namespace, key))
  })

  const invalidateNamespace = Effect.fn("Cache.invalidateNamespace")(function* (namespace: string) {
    yield* retryInvalidation(namespace, store.invalidateNamespace(namespace))
  })

  const namespace = <A, I>(options: {
    readonly name: string
    readonly schema: Schema.Codec<A, I>
    readonly ttl: Duration.Input
  }): CacheNamespace<A> => {
    const json = Schema.fromJsonString(options.schema)
    const decode = Schema.decodeEffect(json)
    const encode = Schema.encodeEffect(json)
    // A stored value that no longer decodes (its schema changed in a deploy) is a miss.
    const codec: Codec<A> = {
      decode: (raw) =>
        decode(raw).pipe(
          Effect.map(Option.some),
          Effect.catch((error) =>
            Effect.logWarning("Cache entry does not decode; ignoring it", error).pipe(
              Effect.annotateLogs({ namespace: options.name }),
              Effect.as(Option.none())
            )
          )
        ),
      encode: (value) =>
        encode(value).pipe(
          Effect.map(Option.some),
          Effect.catch((error) =>
            Effect.logWarning("Value does not encode; not caching it", error).pipe(
              Effect.annotateLogs({ namespace: options.name }),
              Effect.as(Option.none())
            )
          )
        )
    }
    return {
      get: (key) => getWith(options.name, key, codec),
      set: (key, value) => setWith(options.name, key, value, options.ttl, codec),
      getOrSet: (key, compute) => getOrSetWith(options.name, key, options.ttl, compute, codec),
      invalidate: (key) => invalidate(options.name, key),
      invalidateAll: invalidateNamespace(options.name)
    }
  }

  return Cache.of({
    get: (namespace, key) => getWith(namespace, key, rawCodec),
    set: (namespace, key, value, ttl) => setWith(namespace, key, value, ttl, rawCodec),
    getOrSet: (namespace, key, ttl, compute) => getOrSetWith(namespace, key, ttl, compute, rawCodec),
    invalidate,
    invalidateNamespace,
    namespace
  })
}

/**
 * Mirrors the Redis data model in maps: a namespace has a version (bumped to drop all its keys)
 * and a sequence that numbers per-key invalidations; entries live under their namespace version.
 */
const makeMemoryStore = Effect.fnUntraced(function* (limits: Limits, capacity: number) {
  // Map iteration follows insertion order; re-inserting on use makes the first key the least
  // recently used.
  const entries = new Map<string, { readonly value: string; readonly expiresAt: number }>()
  const namespaces = new Map<string, { version: number; sequence: number; expiresAt: number }>()
  const markers = new Map<string, { readonly generation: number; readonly expiresAt: number }>()

  const entryKey = (namespace: string, version: number, key: string) => `${namespace}\u0000${version}\u0000${key}`
  const markerKey = (namespace: string, key: string) => `${namespace}\u0000${key}`

  const live = <V extends { readonly expiresAt: number }>(map: Map<string, V>, key: string, now: number) => {
    const value = map.get(key)
    if (value === undefined || value.expiresAt > now) return value
    map.delete(key)
    return undefined
  }

  const namespaceState = (namespace: string, now: number) => {
    const state = live(namespaces, namespace, now) ?? { version: 0, sequence: 0, expiresAt: 0 }
    state.expiresAt = now + limits.retentionMillis
    namespaces.set(namespace, state)
    return state
  }

  const versionOf = (namespace: string, now: number) => live(namespaces, namespace, now)?.version ?? 0

  const stampOf = (namespace: string, key: string, now: number) =>
    `${versionOf(namespace, now)}:${live(markers, markerKey(namespace, key), now)?.generation ?? 0}`

  const mark = (namespace: string, key: string, now: number) => {
    const state = namespaceState(namespace, now)
    state.sequence += 1
    markers.set(markerKey(namespace, key), { generation: state.sequence, expiresAt: now + guardMillis })
  }

  const atNow = <A>(f: (now: number) => A) =>
    Effect.clockWith((clock) => Effect.sync(() => f(clock.currentTimeMillisUnsafe())))

  const sweep = atNow((now) => {
    for (const map of [entries, namespaces, markers]) {
      for (const [key, value] of map) if (value.expiresAt <= now) map.delete(key)
    }
  })
  yield* sweep.pipe(Effect.repeat(Schedule.spaced("1 minute")), Effect.forkScoped)

  return {
    read: (namespace, key) =>
      atNow((now): Lookup => {
        const id = entryKey(namespace, versionOf(namespace, now), key)
        const entry = live(entries, id, now)
        if (entry !== undefined) {
          entries.delete(id)
          entries.set(id, entry)
        }
        return { value: Option.fromNullishOr(entry?.value), stamp: stampOf(namespace, key, now) }
      }),
    write: (namespace, key, value, ttlMillis, stamp) =>
      atNow((now) => {
        if (stamp === undefined) mark(namespace, key, now)
        else if (stamp !== stampOf(namespace, key, now)) return
        const id = entryKey(namespace, namespaceState(namespace, now).version, key)
        entries.delete(id)
        entries.set(id, { value, expiresAt: now + ttlMillis })
        for (const oldest of entries.keys()) {
          if (entries.size <= capacity) break
          entries.delete(oldest)
        }
      }),
    invalidate: (namespace, key) =>
      atNow((now) => {
        entries.delete(entryKey(namespace, versionOf(namespace, now), key))
        mark(namespace, key, now)
      }),
    invalidateNamespace: (namespace) =>
      atNow((now) => {
        namespaceState(namespace, now).version += 1
      })
  } satisfies Store
})

/**
 * Keys of namespace `ns` (all in one cluster hash slot through the `{ns}` tag):
 * - `<prefix>{ns}:meta`, a hash: `v` the namespace version, `s` the invalidation sequence. It
 *   outlives every entry written under it (`retention`), so a version never restarts from 0
 *   while entries of later versions survive.
 * - `<prefix>{ns}:e:<version>:<key>`, the entries; a version bump orphans them until their TTL.
 * - `<prefix>{ns}:m:<key>`, the sequence number of the key's last invalidation, kept for the
 *   guard window.
 * Each operation is one Lua script, so reads and conditional writes are atomic.
 */
const makeRedisStore = Effect.fnUntraced(function* (limits: Limits, prefix: string) {
  const redis = yield* Redis.Redis
  const read = redis.eval(readScript)
  const write = redis.eval(writeScript)
  const invalidate = redis.eval(invalidateScript)
  const invalidateNamespace = redis.eval(invalidateNamespaceScript)

  const base = (namespace: string) => `${prefix}{${namespace}}`
  const meta = (namespace: string) => `${base(namespace)}:meta`
  const marker = (namespace: string, key: string) => `${base(namespace)}:m:${key}`
  const entries = (namespace: string) => `${base(namespace)}:e:`

  return {
    read: (namespace, key) =>
      read(meta(namespace), marker(namespace, key), entries(namespace), key).pipe(
        Effect.map(([stamp, value]): Lookup => ({ stamp, value: Option.fromNullishOr(value) }))
      ),
    write: (namespace, key, value, ttlMillis, stamp) =>
      write(
        meta(namespace),
        marker(namespace, key),
        entries(namespace),
        key,
        value,
        ttlMillis,
        limits.retentionMillis,
        guardMillis,
        stamp ?? ""
      ).pipe(Effect.asVoid),
    invalidate: (namespace, key) =>
      invalidate(
        meta(namespace),
        marker(namespace, key),
        entries(namespace),
        key,
        limits.retentionMillis,
        guardMillis
      ).pipe(Effect.asVoid),
    invalidateNamespace: (namespace) => invalidateNamespace(meta(namespace), limits.retentionMillis).pipe(Effect.asVoid)
  } satisfies Store
})

const readScript = Redis.script(
  (meta: string, marker: string, entries: string, key: string) => [meta, marker, entries, key],
  {
    numberOfKeys: 2,
    lua: `
local version = redis.call("HGET", KEYS[1], "v") or "0"
local generation = redis.call("GET", KEYS[2]) or "0"
local value = redis.call("GET", ARGV[1] .. version .. ":" .. ARGV[2])
return { version .. ":" .. generation, value }
`
  }
).withReturnType<readonly [stamp: string, value: string | null]>()

const writeScript = Redis.script(
  (
    meta: string,
    marker: string,
    entries: string,
    key: string,
    value: string,
    ttlMillis: number,
    retentionMillis: number,
    guardMillis: number,
    stamp: string
  ) => [meta, marker, entries, key, value, ttlMillis, retentionMillis, guardMillis, stamp],
  {
    numberOfKeys: 2,
    lua: `
local version = redis.call("HGET", KEYS[1], "v") or "0"
if ARGV[7] == "" then
  local generation = redis.call("HINCRBY", KEYS[1], "s", 1)
  redis.call("SET", KEYS[2], generation, "PX", ARGV[6])
else
  local generation = redis.call("GET", KEYS[2]) or "0"
  if version .. ":" .. generation ~= ARGV[7] then
    return 0
  end
end
redis.call("SET", ARGV[1] .. version .. ":" .. ARGV[2], ARGV[3], "PX", ARGV[4])
redis.call("PEXPIRE", KEYS[1], ARGV[5])
return 1
`
  }
).withReturnType<number>()

const invalidateScript = Redis.script(
  (meta: string, marker: string, entries: string, key: string, retentionMillis: number, guardMillis: number) => [
    meta,
    marker,
    entries,
    key,
    retentionMillis,
    guardMillis
  ],
  {
    numberOfKeys: 2,
    lua: `
local version = redis.call("HGET", KEYS[1], "v") or "0"
redis.call("DEL", ARGV[1] .. version .. ":" .. ARGV[2])
local generation = redis.call("HINCRBY", KEYS[1], "s", 1)
redis.call("SET", KEYS[2], generation, "PX", ARGV[4])
redis.call("PEXPIRE", KEYS[1], ARGV[3])
return 1
`
  }
).withReturnType<number>()

const invalidateNamespaceScript = Redis.script((meta: string, retentionMillis: number) => [meta, retentionMillis], {
  numberOfKeys: 1,
  lua: `
redis.call("HINCRBY", KEYS[1], "v", 1)
redis.call("PEXPIRE", KEYS[1], ARGV[1])
return 1
`
}).withReturnType<number>()
