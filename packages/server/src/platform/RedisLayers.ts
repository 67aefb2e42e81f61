import { Context, Effect, Layer, Option } from "effect"
import type { RateLimiter, Redis } from "effect/persistence"
import { AppConfig } from "./AppConfig.ts"
import { Cache } from "./Cache.ts"
import { EventBus } from "./EventBus.ts"
import { PresenceStore } from "./PresenceStore.ts"
import { RateLimit } from "./RateLimit.ts"
import { RedisClient } from "./RedisClient.ts"

/** Every service of the Redis-or-memory port. */
export type RedisPortServices = RedisLayers | Cache | RateLimit | RateLimiter.RateLimiter | EventBus | PresenceStore

/**
 * The Redis port as a whole: `Cache`, `RateLimit` (+ Effect's `RateLimiter`), `EventBus` and `PresenceStore` on
 * one Redis connection set when `REDIS_URL` is set, in process memory otherwise; plus which of
 * the two this is and whether it is reachable.
 */
export class RedisLayers extends Context.Service<
  RedisLayers,
  {
    readonly kind: "redis" | "memory"
    /** Fails within about a second while a configured Redis is unreachable; always succeeds in memory. */
    readonly ready: Effect.Effect<void, Redis.RedisError>
  }
>()("@moim/server/platform/RedisLayers") {
  /** The checks `/health/ready` adds for this port: none in memory mode. */
  static readonly readiness: Effect.Effect<
    ReadonlyArray<{ readonly name: string; readonly check: Effect.Effect<void, Redis.RedisError> }>,
    never,
    RedisLayers
  > = Effect.map(Effect.service(RedisLayers), (port) =>
    port.kind === "redis" ? [{ name: "redis", check: port.ready }] : []
  )

  static readonly layerMemory: Layer.Layer<RedisPortServices> = Layer.mergeAll(
    Layer.succeed(RedisLayers, RedisLayers.of({ kind: "memory", ready: Effect.void })),
    Cache.layerMemory(),
    RateLimit.layerMemory,
    EventBus.layerMemory,
    PresenceStore.layerMemory
  )

  /** Every key and channel starts with `prefix`, so several deployments (or test runs) can share one Redis. */
  static readonly layerRedis = (prefix = "moim:"): Layer.Layer<RedisPortServices, never, Redis.Redis | RedisClient> =>
    Layer.mergeAll(
      Layer.effect(
        RedisLayers,
        Effect.map(Effect.service(RedisClient), (client) => RedisLayers.of({ kind: "redis", ready: client.ping }))
      ),
      Cache.layerRedis({ prefix: `${prefix}cache:` }),
      RateLimit.layerRedis({ prefix: `${prefix}ratelimit:` }),
      EventBus.layerRedis({ prefix: `${prefix}events:` }),
      PresenceStore.layerRedis({ prefix: `${prefix}presence:` })
    )

  /** Redis when `REDIS_URL` is set, memory otherwise. */
  static readonly layerConfig: Layer.Layer<RedisPortServices, never, AppConfig> = Layer.unwrap(
    Effect.gen(function* () {
      const config = yield* AppConfig
      return Option.isSome(config.redisUrl)
        ? RedisLayers.layerRedis(config.redisKeyPrefix).pipe(Layer.provide(RedisClient.layerConfig))
        : RedisLayers.layerMemory
    })
  )
}
