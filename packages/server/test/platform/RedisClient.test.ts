import { createServer, type Socket } from "node:net"
import { assert, describe, it, layer } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Layer, Redacted } from "effect"
import { Redis } from "effect/persistence"
import { RedisClient } from "../../src/platform/RedisClient.ts"
import { eventually } from "../support/Eventually.ts"
import { connectionIds, testRedisLayer, testRedisUrl, uniqueName } from "../support/TestRedis.ts"

const prefix = `${uniqueName("redis-client")}:`
const connectionName = uniqueName("redis-client-connection")

/**
 * A server that speaks just enough of the Redis protocol for ioredis to connect, and stops
 * answering on `hang()`, like a Redis that is stuck.
 */
const fakeRedis = Effect.gen(function* () {
  let hanging = false
  const sockets = new Set<Socket>()
  const reply = (command: string) => {
    if (command === "info") {
      const info = "# Server\r\nloading:0\r\n"
      return `$${Buffer.byteLength(info)}\r\n${info}\r\n`
    }
    return command === "ping" ? "+PONG\r\n" : "+OK\r\n"
  }
  const server = createServer((socket) => {
    sockets.add(socket)
    let buffered = ""
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1")
      // Each command is an array of bulk strings; its first element names it.
      for (;;) {
        const match = /^\*(\d+)\r\n/.exec(buffered)
        if (match === null) return
        let offset = match[0].length
        const parts: Array<string> = []
        for (let i = 0; i < Number(match[1]); i++) {
          const header = /^\$(\d+)\r\n/.exec(buffered.slice(offset))
          if (header === null) return
          const start = offset + header[0].length
          if (buffered.length < start + Number(header[1]) + 2) return
          parts.push(buffered.slice(start, start + Number(header[1])))
          offset = start + Number(header[1]) + 2
        }
        buffered = buffered.slice(offset)
        if (!hanging) socket.write(reply((parts[0] ?? "").toLowerCase()))
      }
    })
  })
  const port = yield* Effect.acquireRelease(
    Effect.callback<number>((resume) => {
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(
          typeof address === "object" && address !== null
            ? Effect.succeed(address.port)
            : Effect.die(new Error("the fake Redis has no port"))
        )
      })
    }),
    () =>
      Effect.sync(() => {
        for (const socket of sockets) socket.destroy()
        server.close()
      })
  )
  return {
    port,
    hang: () => {
      hanging = true
    }
  }
})

const elapsedMillis = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const start = yield* Clock.currentTimeMillis
    const exit = yield* Effect.exit(effect)
    return { exit, millis: (yield* Clock.currentTimeMillis) - start }
  })

layer(testRedisLayer({ prefix, connectionName }), { excludeTestServices: true })("RedisClient", (it) => {
  it.effect("sends commands and returns their replies", () =>
    Effect.gen(function* () {
      const redis = yield* Redis.Redis
      yield* redis.send("SET", `${prefix}greeting`, "hello")
      assert.strictEqual(yield* redis.send<string>("GET", `${prefix}greeting`), "hello")
      assert.strictEqual(yield* redis.send<number>("INCR", `${prefix}counter`), 1)
      assert.strictEqual(yield* redis.send<string | null>("GET", `${prefix}missing`), null)
    })
  )

  it.effect("fails a command Redis rejects with a RedisError", () =>
    Effect.gen(function* () {
      const redis = yield* Redis.Redis
      yield* redis.send("SET", `${prefix}text`, "not a number")
      const error = yield* Effect.flip(redis.send("INCR", `${prefix}text`))
      assert.instanceOf(error, Redis.RedisError)
      assert.include(String(error.cause), "not an integer")
    })
  )

  it.effect("evaluates Lua scripts, repeatedly", () =>
    Effect.gen(function* () {
      const redis = yield* Redis.Redis
      const incrementBy = redis.eval(
        Redis.script((key: string, amount: number) => [key, amount], {
          numberOfKeys: 1,
          lua: `return redis.call("INCRBY", KEYS[1], ARGV[1])`
        }).withReturnType<number>()
      )
      assert.strictEqual(yield* incrementBy(`${prefix}script`, 5), 5)
      assert.strictEqual(yield* incrementBy(`${prefix}script`, 7), 12)
    })
  )

  it.effect("reserves a dedicated connection for blocking commands", () =>
    Effect.gen(function* () {
      const redis = yield* Redis.Redis
      const key = `${prefix}queue`
      const popped = yield* Effect.scoped(
        Effect.gen(function* () {
          const connection = yield* redis.reserve
          return yield* connection.send<readonly [string, string]>("BLPOP", key, "5")
        })
      ).pipe(Effect.forkChild)
      // Once the reserved connection blocks in BLPOP, the shared one stays free.
      yield* eventually(
        Effect.filterOrFail(
          redis.send<string>("CLIENT", "LIST"),
          (list) =>
            list
              .split("\n")
              .some((line) => line.includes(` name=${connectionName}:reserved `) && / cmd=blpop( |$)/.test(line)),
          () => new Error("the reserved connection is not blocked in BLPOP yet")
        )
      )
      assert.strictEqual(yield* redis.send<string>("PING"), "PONG")
      yield* redis.send("RPUSH", key, "job")
      assert.deepStrictEqual(yield* Fiber.join(popped), [key, "job"])
    })
  )

  it.effect("answers ping while Redis is up", () =>
    Effect.gen(function* () {
      const client = yield* RedisClient
      yield* client.ping
    })
  )

  it.effect("names its connections", () =>
    Effect.gen(function* () {
      assert.lengthOf(yield* connectionIds(connectionName), 1)
    })
  )
})

describe("RedisClient lifecycle", () => {
  it.live("closes its connections when its scope closes", () =>
    Effect.gen(function* () {
      const name = uniqueName("redis-client-lifecycle")
      const count = Effect.map(connectionIds(name), (ids) => ids.length).pipe(
        Effect.provide(RedisClient.layer({ url: testRedisUrl, connectionName: uniqueName("observer") }))
      )
      yield* Effect.scoped(
        Effect.gen(function* () {
          const context = yield* Layer.build(RedisClient.layer({ url: testRedisUrl, connectionName: name }))
          const redis = yield* Effect.provide(Effect.service(Redis.Redis), context)
          yield* Effect.scoped(redis.subscribe(`${name}:channel`))
          yield* Effect.scoped(Effect.flatMap(redis.reserve, (connection) => connection.send("PING")))
          assert.strictEqual(yield* count, 1)
        })
      )
      // The server notices closed sockets asynchronously.
      yield* eventually(
        Effect.filterOrFail(
          count,
          (open) => open === 0,
          (open) => new Error(`${open} connections are still open`)
        ),
        { interval: "50 millis" }
      )
    })
  )
})

describe("RedisClient without Redis", () => {
  const unreachable = RedisClient.layer({ url: Redacted.make("redis://127.0.0.1:1") })

  it.live("starts, and fails ping and commands at once instead of crashing or queueing", () =>
    Effect.gen(function* () {
      const context = yield* Layer.build(unreachable)
      const client = yield* Effect.provide(Effect.service(RedisClient), context)
      const redis = yield* Effect.provide(Effect.service(Redis.Redis), context)

      const ping = yield* elapsedMillis(client.ping)
      assert.isTrue(Exit.isFailure(ping.exit))
      assert.isBelow(ping.millis, 1_500)

      const send = yield* elapsedMillis(redis.send("GET", "anything"))
      assert.isTrue(Exit.isFailure(send.exit))
      assert.isBelow(send.millis, 500)

      // It keeps reconnecting in the background without taking the process down.
      // Not a wait: the pause lets reconnect attempts (after 100 ms, then 200 ms more) fail before pinging again.
      yield* Effect.sleep("500 millis")
      assert.isTrue(Exit.isFailure((yield* elapsedMillis(client.ping)).exit))
    })
  )

  it.live("fails ping within a second once Redis stops answering", () =>
    Effect.gen(function* () {
      const fake = yield* fakeRedis
      const context = yield* Layer.build(RedisClient.layer({ url: Redacted.make(`redis://127.0.0.1:${fake.port}`) }))
      const client = yield* Effect.provide(Effect.service(RedisClient), context)
      yield* client.ping
      fake.hang()
      const ping = yield* elapsedMillis(client.ping)
      assert.isTrue(Exit.isFailure(ping.exit))
      assert.isAbove(ping.millis, 900)
      assert.isBelow(ping.millis, 1_500)
    })
  )
})
