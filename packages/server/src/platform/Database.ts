import { existsSync } from "node:fs"
import { join } from "node:path"
import { PgClient, PgTypes } from "@effect/sql-pg"
import { Context, Effect, Layer, Option, type Redacted, String as Str } from "effect"
import type { SqlClient } from "effect/sql"
import { AppConfig } from "./AppConfig.ts"
import { DatabaseUrl } from "./DatabaseUrl.ts"
import { acquireDataDirLock } from "./DataDirLock.ts"
import { EmbeddedPostgres } from "./EmbeddedPostgres.ts"
import { Migrations } from "./Migrations.ts"
import { SchemaSnapshot } from "./SchemaSnapshot.ts"

export type DatabaseServices = PgClient.PgClient | SqlClient.SqlClient | DatabaseUrl | PgTypeRegistry

/**
 * The binary codecs of the pool's connections, the built-in ones and any a feature registers for a
 * type of its own: the numbers Postgres gives user-defined types are each database's, so the codecs
 * keyed by them belong to the client of that database, not to the process.
 */
export class PgTypeRegistry extends Context.Service<PgTypeRegistry, PgTypes.Registry>()(
  "@moim/server/platform/PgTypeRegistry"
) {}

/**
 * A name transform that remembers its answers: the same few hundred column and field names pass
 * through it for every row of every result (a page of twenty groups renames about four hundred
 * keys), and Effect's `snakeToCamel` builds each answer a character at a time. Names come from the
 * code's SQL, so they are few; past `capacity` distinct names the rest are computed each time.
 */
export const rememberingNames = (transform: (name: string) => string, capacity = 10_000) => {
  const known = new Map<string, string>()
  return (name: string): string => {
    const found = known.get(name)
    if (found !== undefined) return found
    const renamed = transform(name)
    if (known.size < capacity) known.set(name, renamed)
    return renamed
  }
}

/**
 * The Database port: an `@effect/sql-pg` pool (`SqlClient` + `PgClient`) on a migrated database,
 * plus the `DatabaseUrl` other pools (graphile-worker) connect to.
 *
 * `DATABASE_URL` set: that Postgres server. Unset: PGlite in a worker thread behind a socket
 * server, data under `MOIM_DATA_DIR/pg`. Columns are snake_case in SQL and camelCase in code.
 */
export const clientLayer = (options: {
  readonly url: Redacted.Redacted<string>
  readonly kind: "postgres" | "embedded"
  readonly maxConnections: number
}) =>
  Layer.unwrap(
    Effect.sync(() => {
      const types = PgTypes.makeRegistry()
      return Layer.mergeAll(
        PgClient.layer({
          url: options.url,
          maxConnections: options.maxConnections,
          transformQueryNames: rememberingNames(Str.camelToSnake),
          transformResultNames: rememberingNames(Str.snakeToCamel),
          applicationName: "moim",
          types
        }),
        Layer.succeed(PgTypeRegistry, types),
        Layer.succeed(DatabaseUrl, DatabaseUrl.of({ kind: options.kind, url: options.url }))
      )
    })
  )

/** The database selected by configuration, without migrations. */
export const layerUnmigrated = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    if (Option.isSome(config.databaseUrl)) {
      return clientLayer({ url: config.databaseUrl.value, kind: "postgres", maxConnections: config.databasePoolSize })
    }
    return Layer.unwrap(
      Effect.gen(function* () {
        const embedded = yield* EmbeddedPostgres
        return clientLayer({ url: embedded.url, kind: "embedded", maxConnections: config.databasePoolSize })
      })
    ).pipe(
      Layer.provide(EmbeddedPostgres.layer({ dataDir: join(config.dataDir, "pg") })),
      Layer.provide(Layer.effectDiscard(acquireDataDirLock(config.dataDir)))
    )
  })
)

/**
 * The embedded database, migrated. A new data directory starts from the snapshot of the migrated
 * schema when this machine has one (`SchemaSnapshot`), and writes it when not, so only the first
 * fresh start on a machine creates the cluster and runs every migration.
 */
const embeddedMigrated = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    const dataDir = join(config.dataDir, "pg")
    const fresh = !existsSync(join(dataDir, "PG_VERSION"))
    const snapshot = fresh ? yield* SchemaSnapshot.file : undefined
    const fromSnapshot = snapshot !== undefined && existsSync(snapshot)
    if (fromSnapshot) {
      yield* Effect.logInfo("a new data directory: starting it from the snapshot of the migrated schema").pipe(
        Effect.annotateLogs({ snapshot })
      )
    }
    const embedded = EmbeddedPostgres.layer({ dataDir, snapshot: fromSnapshot ? snapshot : undefined }).pipe(
      Layer.provide(Layer.effectDiscard(acquireDataDirLock(config.dataDir)))
    )
    const client = Layer.unwrap(
      Effect.gen(function* () {
        const database = yield* EmbeddedPostgres
        return clientLayer({ url: database.url, kind: "embedded", maxConnections: config.databasePoolSize })
      })
    )
    const migrated = Migrations.layer.pipe(Layer.provideMerge(client), Layer.provideMerge(embedded))
    const save = Layer.effectDiscard(
      Effect.gen(function* () {
        if (snapshot === undefined || fromSnapshot) return
        const database = yield* EmbeddedPostgres
        yield* SchemaSnapshot.save(snapshot, database.dump)
      })
    )
    return Layer.merge(migrated, save.pipe(Layer.provide(migrated)))
  })
)

/** The database selected by configuration, migrated to the latest version before anything uses it. */
export const layer = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    return Option.isSome(config.databaseUrl)
      ? Migrations.layer.pipe(Layer.provideMerge(layerUnmigrated))
      : embeddedMigrated
  })
)
