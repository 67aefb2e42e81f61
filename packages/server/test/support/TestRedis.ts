import { randomUUID } from "node:crypto"
import { Effect, Layer, Redacted } from "effect"
import { Redis } from "effect/persistence"
import { RedisClient } from "../../src/platform/RedisClient.ts"

/** The Redis the tests use: `REDIS_URL`, or the one on the default local port. */
export const testRedisUrl = Redacted.make(process.env.REDIS_URL || "redis://127.0.0.1:6379")

/** A name of its own per test file and run, for key prefixes, channels and connection names. */
export const uniqueName = (name: string) => `moim-test:${name}:${randomUUID()}`

const deleteKeys = (prefix: string) =>
  Effect.gen(function* () {
    const redis = yield* Redis.Redis
    let cursor = "0"
    do {
      const [next, keys] = yield* redis.send<readonly [string, ReadonlyArray<string>]>(
        "SCAN",
        cursor,
        "MATCH",
        `${prefix}*`,
        "COUNT",
        "1000"
      )
      if (keys.length > 0) yield* redis.send("UNLINK", ...keys)
      cursor = next
    } while (cursor !== "0")
  })

/** A client of the test Redis that deletes every key starting with `prefix` when it closes. */
export const testRedisLayer = (options: { readonly prefix: string; readonly connectionName?: string }) =>
  Layer.effectDiscard(Effect.addFinalizer(() => deleteKeys(options.prefix).pipe(Effect.orDie))).pipe(
    Layer.provideMerge(RedisClient.layer({ url: testRedisUrl, connectionName: options.connectionName }))
  )

/** The ids of the connections named `name` (see `RedisClientOptions.connectionName`). */
export const connectionIds = (name: string) =>
  Effect.gen(function* () {
    const redis = yield* Redis.Redis
    const list = yield* redis.send<string>("CLIENT", "LIST")
    return list
      .split("\n")
      .filter((line) => line.includes(` name=${name} `))
      .flatMap((line) => /^id=(\d+) /.exec(line)?.[1] ?? [])
  })
