import { assert, describe, it, layer } from "@effect/vitest"
import { Context, Effect, Layer, Metric, Option, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Cache } from "../../src/platform/Cache.ts"
import { RedisClient } from "../../src/platform/RedisClient.ts"
import { eventually } from "../support/Eventually.ts"
import { testRedisLayer, testRedisUrl, uniqueName } from "../support/TestRedis.ts"

const prefix = `${uniqueName("cache")}:`

const count = (metric: Metric.Counter<number>, namespace: string) =>
  Effect.map(Metric.value(Metric.withAttributes(metric, { namespace })), (state) => state.count)

const Post = Schema.Struct({ id: Schema.Number, title: Schema.String, publishedAt: Schema.DateTimeUtcFromString })

const adapters = [
  { name: "memory", layer: Cache.layerMemory() },
  { name: "redis", layer: Cache.layerRedis({ prefix }).pipe(Layer.provide(testRedisLayer({ prefix }))) }
] as const

for (const adapter of adapters) {
  layer(adapter.layer, { excludeTestServices: true })(`Cache (${adapter.name})`, (it) => {
    it.effect("returns what was set, and nothing for other keys or namespaces", () =>
      Effect.gen(function* () {
        const cache = yield* Cache
        yield* cache.set("basics", "a", "1", "1 minute")
        assert.deepStrictEqual(yield* cache.get("basics", "a"), Option.some("1"))
        assert.deepStrictEqual(yield* cache.get("basics", "b"), Option.none())
        assert.deepStrictEqual(yield* cache.get("basics-other", "a"), Option.none())
        yield* cache.set("basics", "a", "2", "1 minute")
        assert.deepStrictEqual(yield* cache.get("basics", "a"), Option.some("2"))
      })
    )

    it.effect("forgets an entry once its TTL has passed", () =>
      Effect.gen(function* () {
        const cache = yield* Cache
        yield* cache.set("ttl", "short", "soon gone", "400 millis")
        yield* cache.set("ttl", "long", "still here", "1 minute")
        assert.deepStrictEqual(yield* cache.get("ttl", "short"), Option.some("soon gone"))
        // Gone soon after its TTL (with slack for a busy machine), while the other entry stays.
        yield* eventually(
          Effect.filterOrFail(cache.get("ttl", "short"), Option.isNone, () => new Error("the entry outlived its TTL")),
          { timeout: "2 seconds" }
        )
        assert.deepStrictEqual(yield* cache.get("ttl", "long"), Option.some("still here"))
      })
    )

    it.effect("invalidate drops one key", () =>
      Effect.gen(function* () {
        const cache = yield* Cache
        yield* cache.set("one", "a", "1", "1 minute")
        yield* cache.set("one", "b", "2", "1 minute")
        yield* cache.invalidate("one", "a")
        assert.deepStrictEqual(yield* cache.get("one", "a"), Option.none())
        assert.deepStrictEqual(yield* cache.get("one", "b"), Option.some("2"))
        yield* cache.set("one", "a", "3", "1 minute")
        assert.deepStrictEqual(yield* cache.get("one", "a"), Option.some("3"))
      })
    )

    it.effect("invalidateNamespace drops every key of the namespace and no other", () =>
      Effect.gen(function* () {
        const cache = yield* Cache
        for (const page of ["1", "2", "3"]) yield* cache.set("list", `page:${page}`, page, "1 minute")
        yield* cache.set("list-other", "page:1", "kept", "1 minute")
        yield* cache.invalidateNamespace("list")
        for (const page of ["1", "2", "3"]) {
          assert.deepStrictEqual(yield* cache.get("list", `page:${page}`), Option.none())
        }
        assert.deepStrictEqual(yield* cache.get("list-other", "page:1"), Option.some("kept"))
        yield* cache.set("list", "page:1", "fresh", "1 minute")
        assert.deepStrictEqual(yield* cache.get("list", "page:1"), Option.some("fresh"))
        yield* cache.invalidateNamespace("list")
        assert.deepStrictEqual(yield* cache.get("list", "page:1"), Option.none())
      })
    )

    it.effect("getOrSet computes on a miss and serves the stored value afterwards", () =>
      Effect.gen(function* () {
        const cache = yield* Cache
        let computed = 0
        const compute = Effect.sync(() => {
          computed += 1
          return `value ${computed}`
        })
        assert.strictEqual(yield* cache.getOrSet("get-or-set", "k", "1 minute", compute), "value 1")
        assert.strictEqual(yield* cache.getOrSet("get-or-set", "k", "1 minute", compute), "value 1")
        assert.strictEqual(computed, 1)
        yield* cache.invalidate("get-or-set", "k")
        assert.strictEqual(yield* cache.getOrSet("get-or-set", "k", "1 minute", compute), "value 2")
      })
    )

    it.effect("getOrSet does not store a failed computation", () =>
      Effect.gen(function* () {
        const cache = yield* Cache
        const failed = yield* Effect.flip(cache.getOrSet("get-or-set-failure", "k", "1 minute", Effect.fail("boom")))
        assert.strictEqual(failed, "boom")
        assert.deepStrictEqual(yield* cache.get("get-or-set-failure", "k"), Option.none())
      })
    )

    it.effect("getOrSet does not put back a value computed across an invalidation", () =>
      Effect.gen(function* () {
        const cache = yield* Cache
        // The computation reads the old data; a write invalidates while it runs.
        const staleAcross = (invalidation: Effect.Effect<void>) => invalidation.pipe(Effect.as("stale"))

        assert.strictEqual(
          yield* cache.getOrSet("race", "key", "1 minute", staleAcross(cache.invalidate("race", "key"))),
          "stale"
        )
        assert.deepStrictEqual(yield* cache.get("race", "key"), Option.none())

        assert.strictEqual(
          yield* cache.getOrSet("race", "page", "1 minute", staleAcross(cache.invalidateNamespace("race"))),
          "stale"
        )
        assert.deepStrictEqual(yield* cache.get("race", "page"), Option.none())

        yield* cache.getOrSet("race", "set", "1 minute", staleAcross(cache.set("race", "set", "fresh", "1 minute")))
        assert.deepStrictEqual(yield* cache.get("race", "set"), Option.some("fresh"))

        // Invalidating another key does not disturb it.
        yield* cache.getOrSet("race", "calm", "1 minute", staleAcross(cache.invalidate("race", "other")))
        assert.deepStrictEqual(yield* cache.get("race", "calm"), Option.some("stale"))
      })
    )

    it.effect("a typed namespace round-trips values through their schema and ignores what does not decode", () =>
      Effect.gen(function* () {
        const cache = yield* Cache
        const posts = cache.namespace({ name: "posts", schema: Post, ttl: "1 minute" })
        const post = {
          id: 1,
          title: "Hello",
          publishedAt: yield* Schema.decodeEffect(Schema.DateTimeUtcFromString)("2025-01-02T03:04:05.000Z")
        }
        yield* posts.set("1", post)
        assert.deepStrictEqual(yield* posts.get("1"), Option.some(post))
        assert.deepStrictEqual(
          yield* cache.get("posts", "1"),
          Option.some(JSON.stringify({ ...post, publishedAt: "2025-01-02T03:04:05.000Z" }))
        )

        yield* cache.set("posts", "2", `{"id":"not a number"}`, "1 minute")
        assert.deepStrictEqual(yield* posts.get("2"), Option.none())
        const recomputed = yield* posts.getOrSet("2", Effect.succeed({ ...post, id: 2 }))
        assert.strictEqual(recomputed.id, 2)
        assert.deepStrictEqual(yield* posts.get("2"), Option.some({ ...post, id: 2 }))

        yield* posts.invalidateAll
        assert.deepStrictEqual(yield* posts.get("1"), Option.none())
      })
    )

    it.effect("counts hits and misses per namespace", () =>
      Effect.gen(function* () {
        const cache = yield* Cache
        const namespace = "counted"
        const hitsBefore = yield* count(Cache.hits, namespace)
        const missesBefore = yield* count(Cache.misses, namespace)
        yield* cache.get(namespace, "k")
        yield* cache.set(namespace, "k", "v", "1 minute")
        yield* cache.get(namespace, "k")
        yield* cache.getOrSet(namespace, "k", "1 minute", Effect.succeed("unused"))
        yield* cache.get("not-counted", "k")
        assert.strictEqual((yield* count(Cache.hits, namespace)) - hitsBefore, 2)
        assert.strictEqual((yield* count(Cache.misses, namespace)) - missesBefore, 1)
      })
    )
  })
}

describe("Cache (memory)", () => {
  it.effect("expires entries by the Clock", () =>
    Effect.gen(function* () {
      const cache = yield* Cache
      yield* cache.set("clock", "k", "v", "10 minutes")
      yield* TestClock.adjust("9 minutes")
      assert.deepStrictEqual(yield* cache.get("clock", "k"), Option.some("v"))
      yield* TestClock.adjust("2 minutes")
      assert.deepStrictEqual(yield* cache.get("clock", "k"), Option.none())
    }).pipe(Effect.provide(Cache.layerMemory()))
  )

  it.effect("caps TTLs at maxTtl", () =>
    Effect.gen(function* () {
      const cache = yield* Cache
      yield* cache.set("cap", "k", "v", "1 day")
      yield* TestClock.adjust("61 minutes")
      assert.deepStrictEqual(yield* cache.get("cap", "k"), Option.none())
    }).pipe(Effect.provide(Cache.layerMemory({ maxTtl: "1 hour" })))
  )

  it.effect("holds at most `capacity` entries, dropping the least recently used", () =>
    Effect.gen(function* () {
      const cache = yield* Cache
      yield* cache.set("lru", "a", "1", "1 hour")
      yield* cache.set("lru", "b", "2", "1 hour")
      yield* cache.get("lru", "a")
      yield* cache.set("lru", "c", "3", "1 hour")
      assert.deepStrictEqual(yield* cache.get("lru", "a"), Option.some("1"))
      assert.deepStrictEqual(yield* cache.get("lru", "b"), Option.none())
      assert.deepStrictEqual(yield* cache.get("lru", "c"), Option.some("3"))
    }).pipe(Effect.provide(Cache.layerMemory({ capacity: 2 })))
  )
})

describe("Cache (redis)", () => {
  const processesPrefix = `${prefix}processes:`

  it.live("another process sees entries and invalidations", () =>
    Effect.gen(function* () {
      const process = (name: string) =>
        Layer.build(
          Cache.layerRedis({ prefix: processesPrefix }).pipe(
            Layer.provide(RedisClient.layer({ url: testRedisUrl, connectionName: uniqueName(name) }))
          )
        ).pipe(Effect.map(Context.get(Cache)))
      const first = yield* process("cache-first")
      const second = yield* process("cache-second")
      yield* first.set("shared", "k", "from first", "1 minute")
      yield* first.set("shared-list", "page:1", "list", "1 minute")
      assert.deepStrictEqual(yield* second.get("shared", "k"), Option.some("from first"))
      yield* second.invalidate("shared", "k")
      yield* second.invalidateNamespace("shared-list")
      assert.deepStrictEqual(yield* first.get("shared", "k"), Option.none())
      assert.deepStrictEqual(yield* first.get("shared-list", "page:1"), Option.none())
    }).pipe(Effect.provide(testRedisLayer({ prefix: processesPrefix })))
  )

  it.live("degrades to misses without failing callers while Redis is unreachable", () =>
    Effect.gen(function* () {
      const cache = yield* Cache
      const namespace = uniqueName("unreachable")
      yield* cache.set(namespace, "k", "v", "1 minute")
      assert.deepStrictEqual(yield* cache.get(namespace, "k"), Option.none())
      assert.strictEqual(yield* cache.getOrSet(namespace, "k", "1 minute", Effect.succeed("computed")), "computed")
      yield* cache.invalidate(namespace, "k")
      yield* cache.invalidateNamespace(namespace)
      assert.isAtLeast(yield* count(Cache.errors, namespace), 5)
    }).pipe(
      Effect.provide(
        Cache.layerRedis().pipe(Layer.provide(RedisClient.layer({ url: Redacted.make("redis://127.0.0.1:1") })))
      )
    )
  )
})
