import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { ServerFeatureServices } from "./Features.ts"
import { type HealthCheck, HealthChecks } from "./http/Health.ts"
import { AppConfig } from "./platform/AppConfig.ts"
import { Cursors } from "./platform/Cursors.ts"
import * as Database from "./platform/Database.ts"
import { JobQueue } from "./platform/JobQueue.ts"
import { LoggingLive } from "./platform/Logging.ts"
import { Mailer } from "./platform/Mailer.ts"
import { RedisLayers } from "./platform/RedisLayers.ts"
import { ServerSecret } from "./platform/ServerSecret.ts"
import { Sms } from "./platform/Sms.ts"
import { Storage } from "./platform/Storage.ts"

export const databaseCheck: Effect.Effect<HealthCheck, never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  return { name: "database", check: sql`SELECT 1` }
})

/** `/health/ready` of the server: the database, and Redis when one is configured. */
export const ServerHealthChecks = Layer.effect(
  HealthChecks,
  Effect.gen(function* () {
    const redis = yield* RedisLayers.readiness
    return [yield* databaseCheck, ...redis]
  })
)

/**
 * Every port with the adapter configuration selects: Postgres or embedded PGlite, Redis or memory,
 * S3 or disk, SMTP or outbox, an SMS provider or outbox; plus the services built on them. Shared by
 * the server and the worker.
 * `makePlatform` takes the database layer so tests can give each file its own database.
 */
export const makePlatform = <E, R>(database: Layer.Layer<Database.DatabaseServices, E, R>) =>
  Layer.mergeAll(
    JobQueue.layer,
    Storage.layerConfig,
    Mailer.layerConfig,
    Sms.layerConfig,
    RedisLayers.layerConfig,
    Cursors.layer
  ).pipe(
    Layer.provideMerge(database),
    Layer.provideMerge(ServerSecret.layer),
    Layer.provideMerge(LoggingLive),
    Layer.provideMerge(AppConfig.layer)
  )

export const PlatformLive = makePlatform(Database.layer)

/** Everything a server process needs beyond the platform: the features and its readiness checks. */
export const ServerServices = Layer.merge(ServerFeatureServices, ServerHealthChecks)
