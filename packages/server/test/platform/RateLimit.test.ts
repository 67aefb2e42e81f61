import { assert, describe, it, layer } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Redacted } from "effect"
import { RateLimiter } from "effect/persistence"
import { TestClock } from "effect/testing"
import { RateLimit, type RateLimitOptions } from "../../src/platform/RateLimit.ts"
import { RedisClient } from "../../src/platform/RedisClient.ts"
import { eventually } from "../support/Eventually.ts"
import { testRedisLayer, uniqueName } from "../support/TestRedis.ts"

const prefix = `${uniqueName("rate-limit")}:`

/** A `check` for `eventually`: fails while the limiter refuses; refused checks take nothing. */
const allowed = (rateLimit: RateLimit["Service"], options: RateLimitOptions) =>
  Effect.filterOrFail(
    rateLimit.check(options),
    (decision) => decision.allowed,
    () => new Error(`${options.key} is still refused`)
  )

const adapters = [
  { name: "memory", layer: RateLimit.layerMemory },
  { name: "redis", layer: RateLimit.layerRedis({ prefix }).pipe(Layer.provide(testRedisLayer({ prefix }))) }
] as const

for (const adapter of adapters) {
  layer(adapter.layer, { excludeTestServices: true })(`RateLimit (${adapter.name})`, (it) => {
    it.effect("lets `limit` requests through per window, refuses the next with a retry-after, then resets", () =>
      Effect.gen(function* () {
        const rateLimit = yield* RateLimit
        const options = { key: "fixed", limit: 3, window: "1500 millis" } as const
        for (const remaining of [2, 1, 0]) {
          const decision = yield* rateLimit.check(options)
          assert.isTrue(decision.allowed)
          assert.strictEqual(decision.remaining, remaining)
          assert.strictEqual(decision.limit, 3)
        }
        const refused = yield* rateLimit.check(options)
        assert.isFalse(refused.allowed)
        assert.strictEqual(refused.remaining, 0)
        assert.isTrue(Duration.isGreaterThan(refused.retryAfter, Duration.zero))
        // Redis rounds each request's share of the window up to a whole millisecond.
        assert.isTrue(Duration.isLessThanOrEqualTo(refused.retryAfter, Duration.millis(1500 + 3)))

        // Allowed again once retryAfter has passed (with a second's slack for a busy machine).
        const afterReset = yield* eventually(allowed(rateLimit, options), {
          timeout: Duration.sum(refused.retryAfter, Duration.seconds(1))
        })
        assert.strictEqual(afterReset.remaining, 2, "the whole window is back")
      })
    )

    it.effect("keeps keys apart", () =>
      Effect.gen(function* () {
        const rateLimit = yield* RateLimit
        assert.isTrue((yield* rateLimit.check({ key: "apart:a", limit: 1, window: "1 minute" })).allowed)
        assert.isFalse((yield* rateLimit.check({ key: "apart:a", limit: 1, window: "1 minute" })).allowed)
        assert.isTrue((yield* rateLimit.check({ key: "apart:b", limit: 1, window: "1 minute" })).allowed)
      })
    )

    it.effect("a token bucket refuses when empty and refills one token per window / limit", () =>
      Effect.gen(function* () {
        const rateLimit = yield* RateLimit
        const options = { key: "bucket", limit: 2, window: "1 second", algorithm: "token-bucket" } as const
        assert.isTrue((yield* rateLimit.check(options)).allowed)
        assert.isTrue((yield* rateLimit.check(options)).allowed)
        const refused = yield* rateLimit.check(options)
        assert.isFalse(refused.allowed)
        assert.isTrue(Duration.isLessThanOrEqualTo(refused.retryAfter, Duration.millis(500)))
        yield* eventually(allowed(rateLimit, options), {
          timeout: Duration.sum(refused.retryAfter, Duration.seconds(1))
        })
        assert.isFalse((yield* rateLimit.check(options)).allowed, "one token came back, not two")
      })
    )

    it.effect("also provides Effect's RateLimiter on the same store", () =>
      Effect.gen(function* () {
        const rateLimit = yield* RateLimit
        const limiter = yield* RateLimiter.RateLimiter
        yield* limiter.consume({ key: "shared", limit: 2, window: "1 minute" })
        const decision = yield* rateLimit.check({ key: "shared", limit: 2, window: "1 minute" })
        assert.strictEqual(decision.remaining, 0)
        const error = yield* Effect.flip(limiter.consume({ key: "shared", limit: 2, window: "1 minute" }))
        assert.strictEqual(error.reason._tag, "RateLimitExceeded")
      })
    )
  })
}

describe("RateLimit.headers", () => {
  it("describes an allowed request with RateLimit-* headers", () => {
    assert.deepStrictEqual(
      RateLimit.headers({
        allowed: true,
        limit: 10,
        window: Duration.minutes(1),
        remaining: 7,
        resetAfter: Duration.millis(41_200),
        retryAfter: Duration.zero
      }),
      {
        "ratelimit-limit": "10",
        "ratelimit-remaining": "7",
        "ratelimit-reset": "42",
        "ratelimit-policy": "10;w=60"
      }
    )
  })

  it("adds Retry-After, in whole seconds of at least 1, to a refused request", () => {
    const refused = {
      allowed: false,
      limit: 10,
      window: Duration.minutes(1),
      remaining: 0,
      resetAfter: Duration.millis(300),
      retryAfter: Duration.millis(300)
    }
    assert.strictEqual(RateLimit.headers(refused)["retry-after"], "1")
    assert.strictEqual(RateLimit.retryAfterSeconds(refused), 1)
    assert.strictEqual(RateLimit.retryAfterSeconds({ ...refused, retryAfter: Duration.millis(2_001) }), 3)
  })
})

describe("RateLimit (memory)", () => {
  it.effect("follows the Clock", () =>
    Effect.gen(function* () {
      const rateLimit = yield* RateLimit
      const options = { key: "clock", limit: 1, window: "1 hour" } as const
      assert.isTrue((yield* rateLimit.check(options)).allowed)
      const refused = yield* rateLimit.check(options)
      assert.isFalse(refused.allowed)
      assert.strictEqual(RateLimit.retryAfterSeconds(refused), 3600)
      yield* TestClock.adjust("1 hour")
      assert.isTrue((yield* rateLimit.check(options)).allowed)
    }).pipe(Effect.provide(RateLimit.layerMemory))
  )
})

describe("RateLimit (redis)", () => {
  it.live("lets requests through while Redis is unreachable", () =>
    Effect.gen(function* () {
      const rateLimit = yield* RateLimit
      for (let i = 0; i < 3; i++) {
        assert.isTrue((yield* rateLimit.check({ key: "unreachable", limit: 1, window: "1 minute" })).allowed)
      }
    }).pipe(
      Effect.provide(
        RateLimit.layerRedis().pipe(Layer.provide(RedisClient.layer({ url: Redacted.make("redis://127.0.0.1:1") })))
      )
    )
  )
})

describe("RateLimit (redis, leases)", () => {
  const leasePrefix = `${uniqueName("rate-limit-lease")}:`
  /** One process's rate limits on the shared Redis: each call builds another, with its own leases. */
  const startProcess = Effect.flatMap(Layer.build(RateLimit.layerRedis({ prefix: leasePrefix })), (context) =>
    Effect.succeed({
      rateLimit: Context.get(context, RateLimit),
      limiter: Context.get(context, RateLimiter.RateLimiter)
    })
  )

  it.effect("takes a busy key's requests in leases, and a quiet key's and smaller limits one by one", () =>
    Effect.gen(function* () {
      const { rateLimit, limiter } = yield* startProcess
      const options = { key: "busy", limit: 100, window: "1 minute" } as const
      const remaining: Array<number> = []
      for (let i = 0; i < 6; i++) remaining.push((yield* rateLimit.check(options)).remaining)
      assert.deepStrictEqual(remaining, [99, 98, 97, 96, 95, 94])
      // The store saw the first request alone, then (the key being busy) one lease of 5 tokens.
      assert.strictEqual((yield* limiter.consume(options)).remaining, 93)

      // A request every two seconds: each one goes to the store, and takes nothing more.
      const quiet = { key: "quiet", limit: 100, window: "1 minute" } as const
      for (let i = 0; i < 3; i++) {
        yield* rateLimit.check(quiet)
        yield* TestClock.adjust("2 seconds")
      }
      assert.strictEqual((yield* limiter.consume(quiet)).remaining, 96)

      const exact = { key: "exact", limit: 39, window: "1 minute" } as const
      yield* rateLimit.check(exact)
      yield* rateLimit.check(exact)
      assert.strictEqual((yield* limiter.consume(exact)).remaining, 36)
    }).pipe(Effect.provide(testRedisLayer({ prefix: leasePrefix })))
  )

  it.effect("two processes sharing a limit together let through about the limit, then both refuse", () =>
    Effect.gen(function* () {
      const a = yield* startProcess
      const b = yield* startProcess
      const options = { key: "shared-lease", limit: 40, window: "1 minute" } as const
      const decisions: Array<boolean> = []
      for (let i = 0; i < 60; i++) decisions.push((yield* (i % 2 === 0 ? a : b).rateLimit.check(options)).allowed)
      const allowedCount = decisions.filter((allowed) => allowed).length
      // Leases of 2: each process can hold back or overdraw at most one token.
      assert.isAtLeast(allowedCount, 38)
      assert.isAtMost(allowedCount, 42)
      assert.deepStrictEqual(decisions.slice(-10), Array(10).fill(false), "both refuse once it is spent")
    }).pipe(Effect.provide(testRedisLayer({ prefix: leasePrefix })))
  )
})
