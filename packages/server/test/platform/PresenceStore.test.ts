import { assert, describe, it } from "@effect/vitest"
import { Context, Duration, Effect, Layer, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { PresenceStore } from "../../src/platform/PresenceStore.ts"
import { testRedisLayer, uniqueName } from "../support/TestRedis.ts"

type Store = PresenceStore["Service"]

const ttl = Duration.seconds(60)

interface Adapter {
  readonly name: string
  readonly store: Effect.Effect<Store, never, Scope.Scope>
}

const adapters: ReadonlyArray<Adapter> = [
  { name: "memory", store: Effect.map(Layer.build(PresenceStore.layerMemory), Context.get(PresenceStore)) },
  {
    name: "redis",
    store: Effect.suspend(() => {
      const prefix = `${uniqueName("presence")}:`
      return Effect.map(
        Layer.build(PresenceStore.layerRedis({ prefix }).pipe(Layer.provide(testRedisLayer({ prefix })))),
        Context.get(PresenceStore)
      )
    })
  }
]

for (const adapter of adapters) {
  describe(`PresenceStore (${adapter.name})`, () => {
    it.effect(
      "a user is online from their first refresh, told once, and offline when their last instance lets go",
      () =>
        Effect.gen(function* () {
          const store = yield* adapter.store
          yield* TestClock.setTime(1_000_000)
          assert.deepStrictEqual(yield* store.refresh("a", ["ann", "bob"], ttl), ["ann", "bob"])
          // Another instance holds Ann too: nobody is told again.
          assert.deepStrictEqual(yield* store.refresh("b", ["ann"], ttl), [])
          assert.deepStrictEqual(yield* store.refresh("a", ["ann", "bob"], ttl), [])
          assert.deepStrictEqual(
            (yield* store.get(["ann", "bob", "cid"], ttl)).map((entry) => entry.status),
            ["online", "online", "offline"]
          )

          yield* TestClock.adjust("5 seconds")
          assert.isFalse(yield* store.disconnect("a", "ann", ttl))
          assert.isTrue(yield* store.disconnect("a", "bob", ttl))
          assert.isFalse(yield* store.disconnect("a", "bob", ttl))
          const [ann, bob] = yield* store.get(["ann", "bob"], ttl)
          assert.strictEqual(ann?.status, "online")
          assert.deepStrictEqual(bob, { userId: "bob", status: "offline", lastSeenAt: 1_005_000 })
        }).pipe(Effect.scoped)
    )

    it.effect("away is kept while connected and forgotten offline", () =>
      Effect.gen(function* () {
        const store = yield* adapter.store
        yield* TestClock.setTime(2_000_000)
        assert.isUndefined(yield* store.setAway("dee", true))
        yield* store.refresh("a", ["dee"], ttl)
        assert.strictEqual(yield* store.setAway("dee", true), "away")
        assert.isUndefined(yield* store.setAway("dee", true))
        assert.strictEqual((yield* store.get(["dee"], ttl))[0]?.status, "away")
        assert.isTrue(yield* store.disconnect("a", "dee", ttl))
        yield* store.refresh("a", ["dee"], ttl)
        assert.strictEqual((yield* store.get(["dee"], ttl))[0]?.status, "online")
        assert.strictEqual(yield* store.setAway("dee", false), undefined)
      }).pipe(Effect.scoped)
    )

    it.effect("a user nobody refreshed within the TTL is swept offline once, at their last refresh", () =>
      Effect.gen(function* () {
        const store = yield* adapter.store
        yield* TestClock.setTime(3_000_000)
        yield* store.refresh("dead", ["eve"], ttl)
        yield* store.refresh("live", ["fay"], ttl)
        yield* TestClock.adjust("40 seconds")
        yield* store.refresh("live", ["fay"], ttl)
        assert.deepStrictEqual(yield* store.sweep(ttl, 100), [])
        yield* TestClock.adjust("21 seconds")
        assert.strictEqual((yield* store.get(["eve"], ttl))[0]?.status, "offline")
        const [first, second] = yield* Effect.all([store.sweep(ttl, 100), store.sweep(ttl, 100)], {
          concurrency: 2
        })
        assert.deepStrictEqual([...(first ?? []), ...(second ?? [])], [{ userId: "eve", lastSeenAt: 3_000_000 }])
        assert.deepStrictEqual(yield* store.get(["eve", "fay"], ttl), [
          { userId: "eve", status: "offline", lastSeenAt: 3_000_000 },
          { userId: "fay", status: "online", lastSeenAt: null }
        ])
        // Back: told again.
        assert.deepStrictEqual(yield* store.refresh("live", ["eve"], ttl), ["eve"])
      }).pipe(Effect.scoped)
    )
  })
}
