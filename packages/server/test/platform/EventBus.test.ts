import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Schema, type Scope, Stream } from "effect"
import { Redis } from "effect/persistence"
import { EventBus } from "../../src/platform/EventBus.ts"
import { RedisClient } from "../../src/platform/RedisClient.ts"
import { eventually } from "../support/Eventually.ts"
import { connectionIds, testRedisLayer, testRedisUrl, uniqueName } from "../support/TestRedis.ts"

type Bus = EventBus["Service"]

const take = (stream: Stream.Stream<string, unknown>, n: number) =>
  stream.pipe(Stream.take(n), Stream.runCollect, Effect.timeout("5 seconds"))

/**
 * Publishes until the subscriber has seen a message, for subscriptions whose start the test
 * cannot observe (a stream that subscribes when it runs, a subscriber that is reconnecting).
 */
const publishUntilReceived = (publisher: Bus, channel: string, stream: Stream.Stream<string, unknown>) =>
  Effect.gen(function* () {
    const received = yield* Effect.forkChild(take(stream, 1))
    let attempt = 0
    // Each attempt publishes, then gives the subscriber 25 ms to receive it.
    yield* eventually(
      Effect.suspend(() => publisher.publish(channel, `attempt ${attempt++}`)).pipe(
        // A failed publish is a failure of the test, not a reason to try again.
        Effect.orDie,
        Effect.andThen(Fiber.await(received).pipe(Effect.timeout("25 millis")))
      ),
      { interval: "0 millis" }
    ).pipe(
      Effect.mapError(() => new Error("the subscriber never received a message")),
      Effect.orDie
    )
    return yield* Fiber.join(received)
  })

interface Adapter {
  readonly name: string
  /** Two processes sharing one bus: independent connections for Redis, the same bus in memory. */
  readonly processes: Effect.Effect<readonly [Bus, Bus], never, Scope.Scope>
}

const channelPrefix = `${uniqueName("event-bus")}:`

const redisProcess = (name: string) =>
  Layer.build(
    EventBus.layerRedis({ prefix: channelPrefix }).pipe(
      Layer.provideMerge(RedisClient.layer({ url: testRedisUrl, connectionName: name }))
    )
  )

const adapters: ReadonlyArray<Adapter> = [
  {
    name: "memory",
    processes: Effect.map(Layer.build(EventBus.layerMemory), (context) => {
      const bus = Context.get(context, EventBus)
      return [bus, bus] as const
    })
  },
  {
    name: "redis",
    processes: Effect.all([
      Effect.map(redisProcess(uniqueName("publisher")), Context.get(EventBus)),
      Effect.map(redisProcess(uniqueName("subscriber")), Context.get(EventBus))
    ])
  }
]

for (const adapter of adapters) {
  describe(`EventBus (${adapter.name})`, () => {
    it.live("delivers a message published in one process to a subscriber in another", () =>
      Effect.gen(function* () {
        const [publisher, subscriber] = yield* adapter.processes
        const messages = yield* subscriber.subscribe("greetings")
        yield* publisher.publish("greetings", "hello")
        assert.deepStrictEqual(yield* take(messages, 1), ["hello"])
      })
    )

    it.live("delivers every message to every subscriber of the channel, in order, and to no other channel", () =>
      Effect.gen(function* () {
        const [publisher, subscriber] = yield* adapter.processes
        const first = yield* subscriber.subscribe("news")
        const second = yield* publisher.subscribe("news")
        const other = yield* subscriber.subscribe("sports")
        for (const message of ["one", "two", "three"]) yield* publisher.publish("news", message)
        yield* publisher.publish("sports", "goal")
        assert.deepStrictEqual(yield* take(first, 3), ["one", "two", "three"])
        assert.deepStrictEqual(yield* take(second, 3), ["one", "two", "three"])
        assert.deepStrictEqual(yield* take(other, 1), ["goal"])
      })
    )

    it.live("keeps delivering to the remaining subscribers when one leaves, and again to a new one", () =>
      Effect.gen(function* () {
        const [publisher, subscriber] = yield* adapter.processes
        const staying = yield* subscriber.subscribe("leaving")
        yield* Effect.scoped(subscriber.subscribe("leaving"))
        yield* publisher.publish("leaving", "after one left")
        assert.deepStrictEqual(yield* take(staying, 1), ["after one left"])

        const returning = yield* Effect.scoped(
          Effect.gen(function* () {
            const messages = yield* subscriber.subscribe("rejoining")
            yield* publisher.publish("rejoining", "first")
            return yield* take(messages, 1)
          })
        )
        assert.deepStrictEqual(returning, ["first"])
        const again = yield* subscriber.subscribe("rejoining")
        yield* publisher.publish("rejoining", "second")
        assert.deepStrictEqual(yield* take(again, 1), ["second"])
      })
    )

    it.live("stream subscribes when it runs", () =>
      Effect.gen(function* () {
        const [publisher, subscriber] = yield* adapter.processes
        const [message] = yield* publishUntilReceived(publisher, "streamed", subscriber.stream("streamed"))
        assert.match(message ?? "", /^attempt \d+$/)
      })
    )

    it.live("a topic encodes messages with its schema and skips messages that do not decode", () =>
      Effect.gen(function* () {
        const [publisher, subscriber] = yield* adapter.processes
        const Mention = Schema.Struct({ postId: Schema.Number, by: Schema.String })
        const mentions = yield* subscriber.topic(Mention).subscribe("mentions")
        yield* publisher.publish("mentions", "not json")
        yield* publisher.publish("mentions", `{"postId":"not a number"}`)
        yield* publisher.topic(Mention).publish("mentions", { postId: 7, by: "ada" })
        const received = yield* mentions.pipe(Stream.take(1), Stream.runCollect, Effect.timeout("5 seconds"))
        assert.deepStrictEqual(received, [{ postId: 7, by: "ada" }])
      })
    )
  })
}

describe("EventBus (redis)", () => {
  it.live("a subscriber receives messages again after its connection is killed", () =>
    Effect.gen(function* () {
      const subscriberName = uniqueName("killed")
      const publisher = Context.get(yield* redisProcess(uniqueName("publisher")), EventBus)
      const subscriberContext = yield* redisProcess(subscriberName)
      const subscriber = Context.get(subscriberContext, EventBus)
      const redis = Context.get(subscriberContext, Redis.Redis)

      const messages = yield* subscriber.subscribe("resilient")
      yield* publisher.publish("resilient", "before")
      assert.deepStrictEqual(yield* take(messages, 1), ["before"])

      const ids = yield* connectionIds(`${subscriberName}:subscriber`).pipe(Effect.provideContext(subscriberContext))
      assert.lengthOf(ids, 1)
      for (const id of ids) yield* redis.send("CLIENT", "KILL", "ID", id)

      const [after] = yield* publishUntilReceived(publisher, "resilient", messages)
      assert.match(after ?? "", /^attempt \d+$/)
      const reconnected = yield* connectionIds(`${subscriberName}:subscriber`).pipe(
        Effect.provideContext(subscriberContext)
      )
      assert.lengthOf(reconnected, 1)
      assert.notDeepEqual(reconnected, ids)
    }).pipe(Effect.provide(testRedisLayer({ prefix: channelPrefix })))
  )
})
