import { Context, Effect, Layer, Option, PubSub, Schema, type Scope, Semaphore, Stream } from "effect"
import { Redis } from "effect/persistence"

export class EventBusError extends Schema.TaggedError<EventBusError>()("EventBusError", {
  cause: Schema.Defect()
}) {}

/** One kind of message on the bus, encoded as JSON with `schema`; see `EventBus.topic`. */
export interface EventTopic<A> {
  readonly publish: (channel: string, message: A) => Effect.Effect<void, EventBusError>
  readonly subscribe: (channel: string) => Effect.Effect<Stream.Stream<A, EventBusError>, never, Scope.Scope>
  readonly stream: (channel: string) => Stream.Stream<A, EventBusError>
}

/**
 * Publish/subscribe on named channels, across every process sharing the Redis of `REDIS_URL`,
 * or within this process otherwise.
 *
 * Delivery is at most once, to subscribers present at publication: there is no history, and
 * messages published while a subscriber's Redis connection is down are lost to it (the
 * subscription itself survives the outage). Use it to notify, and keep the truth in the database.
 */
export class EventBus extends Context.Service<
  EventBus,
  {
    readonly publish: (channel: string, message: string) => Effect.Effect<void, EventBusError>
    /** Subscribed once this succeeds; the stream carries messages until the scope closes. */
    readonly subscribe: (channel: string) => Effect.Effect<Stream.Stream<string, EventBusError>, never, Scope.Scope>
    /** `subscribe` as a stream: subscribes when it starts, unsubscribes when it ends. */
    readonly stream: (channel: string) => Stream.Stream<string, EventBusError>
    readonly topic: <A, I>(schema: Schema.Codec<A, I>) => EventTopic<A>
  }
>()("@moim/server/platform/EventBus") {
  static readonly layerMemory: Layer.Layer<EventBus> = Layer.effect(
    EventBus,
    Effect.gen(function* () {
      const channels = new Map<string, { readonly pubsub: PubSub.PubSub<string>; subscribers: number }>()
      const lock = yield* Semaphore.make(1)

      const join = (channel: string) =>
        Effect.gen(function* () {
          const existing = channels.get(channel)
          if (existing !== undefined) {
            existing.subscribers += 1
            return existing
          }
          const entry = { pubsub: yield* PubSub.unbounded<string>(), subscribers: 1 }
          channels.set(channel, entry)
          return entry
        }).pipe(lock.withPermit)

      const leave = (channel: string, entry: { readonly pubsub: PubSub.PubSub<string>; subscribers: number }) =>
        Effect.gen(function* () {
          entry.subscribers -= 1
          if (entry.subscribers > 0) return
          channels.delete(channel)
          yield* PubSub.shutdown(entry.pubsub)
        }).pipe(lock.withPermit)

      return make({
        publish: (channel, message) =>
          Effect.suspend(() => {
            const entry = channels.get(channel)
            return entry === undefined ? Effect.void : Effect.asVoid(PubSub.publish(entry.pubsub, message))
          }),
        subscribe: (channel) =>
          Effect.gen(function* () {
            const entry = yield* Effect.acquireRelease(join(channel), (entry) => leave(channel, entry))
            return Stream.fromSubscription(yield* PubSub.subscribe(entry.pubsub))
          })
      })
    })
  )

  /** Channels are prefixed so that several deployments can share one Redis. */
  static readonly layerRedis = (options?: {
    readonly prefix?: string | undefined
  }): Layer.Layer<EventBus, never, Redis.Redis> =>
    Layer.effect(
      EventBus,
      Effect.gen(function* () {
        const redis = yield* Redis.Redis
        const prefix = options?.prefix ?? "moim:events:"
        return make({
          publish: (channel, message) =>
            redis.send("PUBLISH", `${prefix}${channel}`, message).pipe(
              Effect.asVoid,
              Effect.mapError((cause) => new EventBusError({ cause }))
            ),
          subscribe: (channel) =>
            redis.subscribe(`${prefix}${channel}`).pipe(
              Effect.map((queue) =>
                Stream.fromQueue(queue).pipe(
                  Stream.map(({ message }) => message),
                  Stream.mapError((cause) => new EventBusError({ cause }))
                )
              )
            )
        })
      })
    )
}

const make = (adapter: {
  readonly publish: EventBus["Service"]["publish"]
  readonly subscribe: EventBus["Service"]["subscribe"]
}): EventBus["Service"] => {
  const publish = Effect.fn("EventBus.publish")(function* (channel: string, message: string) {
    yield* Effect.annotateCurrentSpan({ channel })
    yield* adapter.publish(channel, message)
  })
  const subscribe = (channel: string) =>
    adapter.subscribe(channel).pipe(Effect.withSpan("EventBus.subscribe", { attributes: { channel } }))
  const stream = (channel: string) => Stream.unwrap(subscribe(channel))

  const topic = <A, I>(schema: Schema.Codec<A, I>): EventTopic<A> => {
    const json = Schema.fromJsonString(schema)
    const encode = Schema.encodeEffect(json)
    const decode = Schema.decodeEffect(json)
    // A message that does not decode came from a publisher on another version: skip it, as a
    // subscriber that had not been listening would have.
    const decodeAll = (messages: Stream.Stream<string, EventBusError>) =>
      messages.pipe(
        Stream.mapEffect((message) =>
          decode(message).pipe(
            Effect.map(Option.some),
            Effect.catch((error) =>
              Effect.logWarning("EventBus message does not decode; skipping it", error).pipe(
                Effect.as(Option.none<A>())
              )
            )
          )
        ),
        Stream.filter(Option.isSome),
        Stream.map((message) => message.value)
      )
    return {
      publish: (channel, message) =>
        encode(message).pipe(
          Effect.mapError((cause) => new EventBusError({ cause })),
          Effect.flatMap((encoded) => publish(channel, encoded))
        ),
      subscribe: (channel) => subscribe(channel).pipe(Effect.map(decodeAll)),
      stream: (channel) => decodeAll(stream(channel))
    }
  }

  return EventBus.of({ publish, subscribe, stream, topic })
}
