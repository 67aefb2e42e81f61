import { Context, Duration, Effect, Layer, Schedule } from "effect"
import { RateLimiter, type Redis } from "effect/persistence"

/** The outcome of one `RateLimit.check`, with what the `RateLimit-*` and `Retry-After` headers need. */
export interface RateLimitDecision {
  readonly allowed: boolean
  readonly limit: number
  readonly window: Duration.Duration
  /** Requests left in the current window (0 when refused). */
  readonly remaining: number
  /** Until the counter has fully reset, assuming no further requests. */
  readonly resetAfter: Duration.Duration
  /** Until a request will be allowed again; zero when allowed. */
  readonly retryAfter: Duration.Duration
}

export interface RateLimitOptions {
  /** What is limited, e.g. `"login:ip:203.0.113.7"`; limits with different settings need different keys. */
  readonly key: string
  readonly limit: number
  readonly window: Duration.Input
  readonly algorithm?: "fixed-window" | "token-bucket" | undefined
  readonly tokens?: number | undefined
}

/**
 * Rate limits on Effect's `RateLimiter`, shared by all processes through Redis when `REDIS_URL`
 * is set, process-local otherwise. Every layer also provides `RateLimiter.RateLimiter` itself.
 *
 * On Redis, a limit of 40 or more per window is taken in leases: for a key in steady use, one
 * command takes a second's worth of its requests (at most a twentieth of the limit), and the process
 * hands them out to the key's next requests during that second. A busy key therefore reaches Redis
 * about once a second instead of on every request, and a key used now and then once per request, as
 * before. Across `n` processes the limit can be passed, or fallen short of, by at most a lease less
 * one token per process (5% of the limit each); smaller limits (sign-in attempts, texted codes) are
 * counted one by one, exactly.
 *
 * `check` never fails: when the store is unavailable it lets the request through (logged), so a
 * Redis outage degrades protection instead of refusing all traffic; readiness reports the outage.
 */
export class RateLimit extends Context.Service<
  RateLimit,
  {
    /** Takes `tokens` (default 1) from `key` unless that would exceed the limit. */
    readonly check: (options: RateLimitOptions) => Effect.Effect<RateLimitDecision>
  }
>()("@moim/server/platform/RateLimit") {
  /** The headers of a response to a rate-limited request: `RateLimit-*`, and `Retry-After` when refused. */
  static readonly headers = (decision: RateLimitDecision): Record<string, string> => {
    const headers: Record<string, string> = {
      "ratelimit-limit": String(decision.limit),
      "ratelimit-remaining": String(Math.max(0, Math.floor(decision.remaining))),
      "ratelimit-reset": String(seconds(decision.resetAfter)),
      "ratelimit-policy": `${decision.limit};w=${seconds(decision.window)}`
    }
    if (!decision.allowed) headers["retry-after"] = String(RateLimit.retryAfterSeconds(decision))
    return headers
  }

  /** Whole seconds for `Retry-After` and the `RateLimited` error; at least 1. */
  static readonly retryAfterSeconds = (decision: RateLimitDecision): number => Math.max(1, seconds(decision.retryAfter))

  static readonly layer: Layer.Layer<RateLimit, never, RateLimiter.RateLimiter> = Layer.effect(
    RateLimit,
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.RateLimiter
      return RateLimit.of({ check: makeCheck(limiter) })
    })
  )

  /** `layer` with leases (see above), for a store shared through Redis. */
  static readonly layerLeased: Layer.Layer<RateLimit, never, RateLimiter.RateLimiter> = Layer.effect(
    RateLimit,
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.RateLimiter
      return RateLimit.of({ check: yield* makeLeasedCheck(makeCheck(limiter)) })
    })
  )

  static readonly layerMemory: Layer.Layer<RateLimit | RateLimiter.RateLimiter> = RateLimit.layer.pipe(
    Layer.provideMerge(RateLimiter.layer),
    Layer.provide(Layer.effect(RateLimiter.RateLimiterStore, makeMemoryStore()))
  )

  static readonly layerRedis = (options?: {
    readonly prefix?: string | undefined
  }): Layer.Layer<RateLimit | RateLimiter.RateLimiter, never, Redis.Redis> =>
    RateLimit.layerLeased.pipe(
      Layer.provideMerge(RateLimiter.layer),
      Layer.provide(RateLimiter.layerStoreRedis({ prefix: options?.prefix ?? "moim:ratelimit:" }))
    )
}

const seconds = (duration: Duration.Duration) => Math.max(0, Math.ceil(Duration.toSeconds(duration)))

/** One `consume` on the store, as a decision; never fails (see `RateLimit`). */
function makeCheck(limiter: RateLimiter.RateLimiter) {
  return Effect.fn("RateLimit.check")(function* (options: RateLimitOptions) {
    const window = Duration.fromInputUnsafe(options.window)
    return yield* limiter
      .consume({
        key: options.key,
        limit: options.limit,
        window,
        algorithm: options.algorithm,
        tokens: options.tokens,
        onExceeded: "fail"
      })
      .pipe(
        Effect.map(
          (result): RateLimitDecision => ({
            allowed: true,
            limit: result.limit,
            window,
            remaining: result.remaining,
            resetAfter: result.resetAfter,
            retryAfter: Duration.zero
          })
        ),
        Effect.catchReason("RateLimiterError", "RateLimitExceeded", (exceeded) =>
          Effect.succeed<RateLimitDecision>({
            allowed: false,
            limit: exceeded.limit,
            window,
            remaining: 0,
            resetAfter: exceeded.retryAfter,
            retryAfter: exceeded.retryAfter
          })
        ),
        Effect.catch((error) =>
          Effect.logWarning("Rate limit store unavailable; allowing the request", error).pipe(
            Effect.annotateLogs({ key: options.key }),
            Effect.as<RateLimitDecision>({
              allowed: true,
              limit: options.limit,
              window,
              remaining: options.limit,
              resetAfter: Duration.zero,
              retryAfter: Duration.zero
            })
          )
        )
      )
  })
}

/** Limits below this many per window are not leased. */
const smallestLeasedLimit = 40

/** How long a lease's tokens may be handed out after they were taken from the store. */
const leaseMillis = 1000

interface Lease {
  /** Tokens taken from the store and not handed out yet. */
  tokens: number
  /** How many were taken, and when (local clock, milliseconds). */
  readonly size: number
  readonly takenAt: number
  /** What the store said was left when the lease was taken. */
  readonly remaining: number
  readonly limit: number
  readonly window: Duration.Duration
  readonly resetAt: number
}

/**
 * `check` in leases (see `RateLimit`): a fixed-window request for one token on a limit of at least
 * 40 is answered from the key's lease while it has tokens and is under a second old. Otherwise it
 * takes a new lease sized to what the key used in the last one, a second's worth at that rate (at
 * least one, at most a twentieth of the limit), or one token when the store refuses a whole lease. A
 * key used once in a while is thus counted one request at a time, and a lease's unused tokens (which
 * count against the client until the store gives them back) stay few.
 */
function makeLeasedCheck(check: (options: RateLimitOptions) => Effect.Effect<RateLimitDecision>) {
  return Effect.gen(function* () {
    const leases = new Map<string, Lease>()
    yield* Effect.clockWith((clock) =>
      Effect.sync(() => {
        const now = clock.currentTimeMillisUnsafe()
        for (const [key, lease] of leases) if (lease.takenAt + leaseMillis <= now) leases.delete(key)
      })
    ).pipe(Effect.repeat(Schedule.spaced("1 minute")), Effect.forkScoped)

    /** A second's worth of the key's requests at the rate it used its last lease. */
    const nextSize = (lease: Lease | undefined, limit: number, now: number) => {
      if (lease === undefined || lease.limit !== limit) return 1
      const used = lease.size - lease.tokens
      const elapsed = lease.tokens === 0 ? Math.max(1, now - lease.takenAt) : leaseMillis
      return Math.max(1, Math.min(Math.floor(limit / 20), Math.ceil((used * leaseMillis) / elapsed)))
    }

    return (options: RateLimitOptions): Effect.Effect<RateLimitDecision> => {
      if (
        options.limit < smallestLeasedLimit ||
        (options.tokens ?? 1) !== 1 ||
        (options.algorithm ?? "fixed-window") !== "fixed-window"
      ) {
        return check(options)
      }
      return Effect.clockWith((clock) => {
        const now = clock.currentTimeMillisUnsafe()
        const lease = leases.get(options.key)
        if (
          lease !== undefined &&
          lease.tokens > 0 &&
          now < lease.takenAt + leaseMillis &&
          lease.limit === options.limit
        ) {
          lease.tokens -= 1
          return Effect.succeed<RateLimitDecision>({
            allowed: true,
            limit: lease.limit,
            window: lease.window,
            remaining: lease.remaining + lease.tokens,
            resetAfter: Duration.millis(Math.max(0, lease.resetAt - now)),
            retryAfter: Duration.zero
          })
        }
        const size = nextSize(lease, options.limit, now)
        const take = (tokens: number) =>
          Effect.map(check({ ...options, tokens }), (taken) => {
            if (taken.allowed) {
              leases.set(options.key, {
                tokens: tokens - 1,
                size: tokens,
                takenAt: now,
                remaining: taken.remaining,
                limit: taken.limit,
                window: taken.window,
                resetAt: now + Duration.toMillis(taken.resetAfter)
              })
            }
            return { ...taken, remaining: taken.allowed ? taken.remaining + tokens - 1 : taken.remaining }
          })
        return size === 1
          ? take(1)
          : Effect.flatMap(take(size), (taken) => (taken.allowed ? Effect.succeed(taken) : take(1)))
      })
    }
  })
}

/**
 * The same counters as Effect's `RateLimiter.layerStoreMemory` (whose semantics this follows), but
 * expired counters are swept: that store keeps every key it has seen, so limits keyed by client
 * address or account name would grow without bound. Adaptive limits (for outgoing calls) are
 * delegated to it unchanged.
 */
function makeMemoryStore() {
  return Effect.gen(function* () {
    const adaptive = yield* Effect.provide(Effect.service(RateLimiter.RateLimiterStore), RateLimiter.layerStoreMemory)
    const windows = new Map<string, { count: number; expiresAt: number }>()
    const buckets = new Map<string, { tokens: number; lastRefill: number; expiresAt: number }>()

    yield* Effect.clockWith((clock) =>
      Effect.sync(() => {
        const now = clock.currentTimeMillisUnsafe()
        for (const map of [windows, buckets]) {
          for (const [key, value] of map) if (value.expiresAt <= now) map.delete(key)
        }
      })
    ).pipe(Effect.repeat(Schedule.spaced("1 minute")), Effect.forkScoped)

    return RateLimiter.RateLimiterStore.of({
      fixedWindow: (options) =>
        Effect.clockWith((clock) =>
          Effect.sync(() => {
            const refillMillis = Duration.toMillis(options.refillRate)
            const now = clock.currentTimeMillisUnsafe()
            let counter = windows.get(options.key)
            if (counter === undefined || counter.expiresAt <= now) {
              counter = { count: 0, expiresAt: now }
              windows.set(options.key, counter)
            }
            if (options.limit !== undefined && counter.count + options.tokens > options.limit) {
              return [counter.count + options.tokens, counter.expiresAt - now] as const
            }
            counter.count += options.tokens
            counter.expiresAt += refillMillis * options.tokens
            return [counter.count, counter.expiresAt - now] as const
          })
        ),
      tokenBucket: (options) =>
        Effect.clockWith((clock) =>
          Effect.sync(() => {
            const refillMillis = Duration.toMillis(options.refillRate)
            const now = clock.currentTimeMillisUnsafe()
            let bucket = buckets.get(options.key)
            if (bucket === undefined || bucket.expiresAt <= now) {
              bucket = { tokens: options.limit, lastRefill: now, expiresAt: now }
              buckets.set(options.key, bucket)
            }
            const refilled = Math.floor((now - bucket.lastRefill) / refillMillis)
            if (refilled > 0) {
              bucket.tokens = Math.min(options.limit, bucket.tokens + refilled)
              bucket.lastRefill += refilled * refillMillis
            }
            if (bucket.tokens >= options.limit) bucket.lastRefill = now
            const next = bucket.tokens - options.tokens
            if (options.allowOverflow || next >= 0) bucket.tokens = next
            const elapsed = Math.max(0, now - bucket.lastRefill)
            // Full again after this long; from then on the counter is no different from a new one.
            bucket.expiresAt =
              now + Math.max(1, Math.ceil(Math.ceil(options.limit - bucket.tokens) * refillMillis - elapsed))
            return [next, elapsed] as const
          })
        ),
      adaptiveConsume: adaptive.adaptiveConsume,
      adaptiveFeedback: adaptive.adaptiveFeedback
    })
  })
}
