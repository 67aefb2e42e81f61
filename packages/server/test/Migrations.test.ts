import { randomBytes } from "node:crypto"
import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import * as Database from "../src/platform/Database.ts"
import { DatabaseUrl } from "../src/platform/DatabaseUrl.ts"
import { EmbeddedPostgres } from "../src/platform/EmbeddedPostgres.ts"
import { Migrations, migrations } from "../src/platform/Migrations.ts"
import * as TestDatabase from "./support/TestDatabase.ts"

/** An empty, unmigrated database of the run's kind, for as long as the test runs. */
const EmptyDatabase = Layer.unwrap(
  Effect.sync(() => {
    const source = TestDatabase.source()
    if (source.kind === "embedded") {
      return Layer.effect(
        DatabaseUrl,
        Effect.gen(function* () {
          const embedded = yield* EmbeddedPostgres
          return DatabaseUrl.of({ kind: "embedded", url: embedded.url })
        })
      ).pipe(Layer.provide(EmbeddedPostgres.layer({})))
    }
    const name = `moim_migrate_${randomBytes(6).toString("hex")}`
    const admin = PgClient.layer({ url: Redacted.make(source.adminUrl), maxConnections: 1, prepare: false })
    const run = (statement: string) =>
      Effect.gen(function* () {
        const sql = yield* PgClient.PgClient
        yield* sql.unsafe(statement)
      }).pipe(Effect.provide(admin), Effect.orDie)
    return Layer.effect(
      DatabaseUrl,
      Effect.acquireRelease(run(`CREATE DATABASE ${name}`), () =>
        Effect.ignore(run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
      ).pipe(
        Effect.as(
          DatabaseUrl.of({ kind: "postgres", url: Redacted.make(TestDatabase.withDatabase(source.adminUrl, name)) })
        )
      )
    )
  })
)

describe("Migrations", () => {
  it.live(
    "applied by several processes starting together, run exactly once",
    () =>
      Effect.gen(function* () {
        const database = yield* DatabaseUrl
        const process = () =>
          Migrations.run.pipe(
            Effect.provide(Database.clientLayer({ url: database.url, kind: database.kind, maxConnections: 2 }))
          )
        yield* Effect.all([process(), process(), process()], { concurrency: "unbounded" })

        const rows = yield* Effect.gen(function* () {
          const sql = yield* PgClient.PgClient
          return yield* sql<{ migrationId: number; count: number }>`
            SELECT migration_id, count(*)::int AS count FROM effect_sql_migrations GROUP BY migration_id ORDER BY migration_id`
        }).pipe(Effect.provide(Database.clientLayer({ url: database.url, kind: database.kind, maxConnections: 1 })))
        assert.strictEqual(rows.length, Object.keys(migrations).length)
        assert.isTrue(rows.every((row) => row.count === 1))

        yield* process()
      }).pipe(Effect.provide(EmptyDatabase)),
    { timeout: 90_000 }
  )
})
