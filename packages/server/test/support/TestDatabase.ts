import { randomBytes } from "node:crypto"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { inject } from "vitest"
import * as Database from "../../src/platform/Database.ts"
import { EmbeddedPostgres } from "../../src/platform/EmbeddedPostgres.ts"

/** The database a test file runs against, chosen by the global setup (see `globalSetup.ts`). */
export type TestDatabaseSource =
  | { readonly kind: "embedded"; readonly snapshot: string }
  | { readonly kind: "postgres"; readonly adminUrl: string; readonly template: string }

export const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

const adminClient = (adminUrl: string) =>
  PgClient.layer({ url: Redacted.make(adminUrl), maxConnections: 1, prepare: false })

/**
 * Creates (and at scope end drops) a fresh database from the migrated template on the Postgres
 * server, so every test file starts from the same empty, migrated schema without re-running
 * migrations.
 */
const freshPostgresDatabase = (adminUrl: string, template: string) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const name = `moim_test_${randomBytes(6).toString("hex")}`
      yield* sql.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`)
      return name
    }).pipe(Effect.provide(adminClient(adminUrl)), Effect.orDie),
    (name) =>
      Effect.gen(function* () {
        const sql = yield* PgClient.PgClient
        yield* sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      }).pipe(Effect.provide(adminClient(adminUrl)), Effect.ignore)
  )

/**
 * A migrated database of the kind the run selected (embedded by default, Postgres when the test
 * run has `DATABASE_URL`), private to the test file that builds it.
 */
export const layerFor = (source: TestDatabaseSource, options?: { readonly maxConnections?: number }) => {
  const maxConnections = options?.maxConnections ?? 5
  if (source.kind === "postgres") {
    return Layer.unwrap(
      Effect.map(freshPostgresDatabase(source.adminUrl, source.template), (name) =>
        Database.clientLayer({
          url: Redacted.make(withDatabase(source.adminUrl, name)),
          kind: "postgres",
          maxConnections
        })
      )
    )
  }
  return Layer.unwrap(
    Effect.gen(function* () {
      const embedded = yield* EmbeddedPostgres
      return Database.clientLayer({ url: embedded.url, kind: "embedded", maxConnections })
    })
  ).pipe(Layer.provide(EmbeddedPostgres.layer({ snapshot: source.snapshot })))
}

export const source = (): TestDatabaseSource => inject("testDatabase")

/** The test run's database for this file. */
export const layer = (options?: { readonly maxConnections?: number }) => layerFor(source(), options)

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: TestDatabaseSource
  }
}
