import { Cause, Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import { Redis } from "effect/persistence"
import { Redis as IORedis } from "ioredis"
import { AppConfig } from "./AppConfig.ts"

export interface RedisClientOptions {
  readonly url: Redacted.Redacted<string>
  /** Shown in `CLIENT LIST`; the subscriber and reserved connections add a suffix. */
  readonly connectionName?: string | undefined
  /** Longest a command on the shared connection may run before it fails. Default 2 seconds. */
  readonly commandTimeout?: Duration.Input | undefined
  /** Longest `ping` waits for an answer. Default 1 second. */
  readonly pingTimeout?: Duration.Input | undefined
  /** Longest start-up waits for the first connection before going on without it. Default 3 seconds. */
  readonly connectTimeout?: Duration.Input | undefined
  /** The pool of dedicated connections behind `Redis.reserve`. */
  readonly pool?: Redis.PoolOptions | undefined
}

/**
 * ioredis behind effect/persistence's `Redis` service, so that Effect's RateLimiter and our Cache
 * and EventBus run on it, plus a `ping` for readiness checks.
 *
 * Commands on the shared connection fail at once while it is disconnected (no offline queue) and
 * after `commandTimeout` when Redis hangs, so a Redis outage degrades requests instead of stalling
 * them. The connection keeps reconnecting in the background; start-up does not wait for it beyond
 * `connectTimeout`, so the server starts and reports not-ready until Redis is back. All
 * subscriptions share one subscriber connection, which queues (re)subscriptions while disconnected
 * and re-subscribes after a reconnect. Reserved connections never reconnect: a dropped one fails
 * its command and leaves the pool.
 */
export class RedisClient extends Context.Service<
  RedisClient,
  {
    /** Succeeds when Redis answers `PING` within `pingTimeout`. */
    readonly ping: Effect.Effect<void, Redis.RedisError>
  }
>()("@moim/server/platform/RedisClient") {
  static readonly layer = (options: RedisClientOptions): Layer.Layer<Redis.Redis | RedisClient> =>
    Layer.effectContext(make(options))

  /** Connects to `REDIS_URL`; only for deployments that set it. */
  static readonly layerConfig: Layer.Layer<Redis.Redis | RedisClient, never, AppConfig> = Layer.effectContext(
    Effect.gen(function* () {
      const config = yield* AppConfig
      if (Option.isNone(config.redisUrl)) {
        return yield* Effect.die(new Error("RedisClient.layerConfig needs REDIS_URL"))
      }
      return yield* make({ url: config.redisUrl.value })
    })
  )
}

const make = Effect.fnUntraced(function* (options: RedisClientOptions) {
  const name = options.connectionName ?? "moim"
  const commandTimeout = Duration.fromInputUnsafe(options.commandTimeout ?? "2 seconds")
  const pingTimeout = Duration.fromInputUnsafe(options.pingTimeout ?? "1 second")
  const connectTimeout = Duration.fromInputUnsafe(options.connectTimeout ?? "3 seconds")
  const runSync = Effect.runSyncWith(yield* Effect.context<never>())
  let closing = false

  // ioredis reports every failed reconnect attempt as an `error` event (and prints unhandled ones
  // to stderr): log a transition once, not every retry.
  const watch = (connection: IORedis, role: string) => {
    let healthy = true
    const lost = (cause: unknown) => {
      if (closing) return
      if (healthy) {
        healthy = false
        runSync(Effect.logWarning(`Redis ${role} connection lost; reconnecting`, cause))
      } else {
        runSync(Effect.logDebug(`Redis ${role} connection still down`, cause))
      }
    }
    connection.on("error", lost)
    connection.on("close", () => lost("connection closed"))
    connection.on("ready", () => {
      if (!healthy) {
        healthy = true
        runSync(Effect.logInfo(`Redis ${role} connection restored`))
      }
    })
  }

  const client = yield* Effect.acquireRelease(
    Effect.sync(
      () =>
        new IORedis(Redacted.value(options.url), {
          connectionName: name,
          lazyConnect: true,
          enableOfflineQueue: false,
          // With no offline queue, this only affects commands in flight when the connection
          // drops: fail them at once instead of resending them after a reconnect.
          maxRetriesPerRequest: 0,
          commandTimeout: Duration.toMillis(commandTimeout),
          connectTimeout: Duration.toMillis(connectTimeout),
          retryStrategy: (attempt) => Math.min(attempt * 100, 2000)
        })
    ),
    (client) =>
      Effect.sync(() => {
        closing = true
        client.disconnect()
      })
  )
  watch(client, "command")

  yield* Effect.tryPromise({
    try: () => client.connect(),
    catch: (cause) => new Redis.RedisError({ cause })
  }).pipe(
    Effect.timeout(connectTimeout),
    Effect.catch((cause) => Effect.logWarning("Redis is unreachable; starting without it", cause))
  )

  // Commands sent during one turn of the event loop leave in one write: every request sends one to
  // three commands (rate limit, cache, ...) and each `write` to the socket was a system call of its
  // own, a third of the CPU of a cached read under load. The socket is corked at the turn's first
  // command and uncorked once the turn's I/O callbacks have run (`setImmediate`); ioredis writes
  // each command synchronously, so nothing else about it changes.
  const corked = new WeakSet<object>()
  const coalesce = (connection: IORedis) => {
    const stream = connection.stream
    if (stream === undefined || corked.has(stream) || !stream.writable) return
    corked.add(stream)
    stream.cork()
    setImmediate(() => {
      corked.delete(stream)
      stream.uncork()
    })
  }

  const sendWith =
    (connection: IORedis) =>
    <A = unknown>(command: string, ...args: ReadonlyArray<string>): Effect.Effect<A, Redis.RedisError> =>
      Effect.tryPromise({
        try: () => {
          coalesce(connection)
          // The reply shape depends on the command; callers name it.
          return connection.call(command, ...args) as Promise<A>
        },
        catch: (cause) => new Redis.RedisError({ cause })
      })

  let subscriber: IORedis | undefined
  const channels = new Map<
    string,
    { readonly listeners: Set<(message: Redis.RedisMessage) => void>; readonly subscribed: Promise<unknown> }
  >()
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      closing = true
      subscriber?.disconnect()
    })
  )
  const subscriberConnection = (): IORedis => {
    if (subscriber !== undefined) return subscriber
    const connection = client.duplicate({
      connectionName: `${name}:subscriber`,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
      autoResubscribe: true
    })
    watch(connection, "subscriber")
    connection.on("message", (channel: string, message: string) => {
      const entry = channels.get(channel)
      if (entry === undefined) return
      for (const listener of entry.listeners) listener({ channel, message })
    })
    subscriber = connection
    return connection
  }

  const redis = yield* Redis.make({
    send: sendWith(client),
    subscribe: Effect.fnUntraced(function* (channel, onMessage) {
      const connection = subscriberConnection()
      let entry = channels.get(channel)
      if (entry === undefined) {
        const created = {
          listeners: new Set<(message: Redis.RedisMessage) => void>(),
          subscribed: connection.subscribe(channel)
        }
        // A failed SUBSCRIBE fails its current subscribers (below); later ones start afresh.
        created.subscribed.catch(() => {
          if (channels.get(channel) === created) channels.delete(channel)
        })
        channels.set(channel, created)
        entry = created
      }
      const current = entry
      current.listeners.add(onMessage)
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          current.listeners.delete(onMessage)
          if (current.listeners.size === 0 && channels.get(channel) === current) {
            channels.delete(channel)
            connection.unsubscribe(channel).catch(() => undefined)
          }
        })
      )
      yield* Effect.tryPromise({ try: () => current.subscribed, catch: (cause) => new Redis.RedisError({ cause }) })
      // ioredis re-subscribes by itself after a reconnect, so the subscription never ends on its own.
      return Effect.never
    }),
    connect: Effect.tryPromise({
      try: async () => {
        const connection = client.duplicate({
          connectionName: `${name}:reserved`,
          retryStrategy: null,
          // Reserved connections exist for blocking commands, which may legitimately run long.
          commandTimeout: undefined
        })
        connection.on("error", (cause) => {
          runSync(Effect.logDebug("Redis reserved connection error", cause))
        })
        try {
          await connection.connect()
          return connection
        } catch (cause) {
          connection.disconnect()
          throw cause
        }
      },
      catch: (cause) => new Redis.RedisError({ cause })
    }).pipe(
      Effect.map((connection) => ({
        send: sendWith(connection),
        // `disconnect` rejects commands in flight, which the pool relies on.
        close: Effect.sync(() => connection.disconnect())
      }))
    ),
    pool: options.pool
  })

  const ping = Effect.tryPromise({
    try: () => client.ping(),
    catch: (cause) => new Redis.RedisError({ cause })
  }).pipe(
    Effect.timeoutOrElse({
      duration: pingTimeout,
      orElse: () =>
        Effect.fail(
          new Redis.RedisError({
            cause: new Cause.TimeoutError(`Redis did not answer PING within ${Duration.format(pingTimeout)}`)
          })
        )
    }),
    Effect.asVoid,
    Effect.withSpan("RedisClient.ping")
  )

  return Context.make(RedisClient, RedisClient.of({ ping })).pipe(Context.add(Redis.Redis, redis))
})
