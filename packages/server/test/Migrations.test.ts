import { randomBytes } from "node:crypto"
import { NodeServices } from "@effect/platform-node"
import { PgClient, PgMigrator } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { Migrator } from "effect/sql"
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

  it.live(
    "0031 carries the suggestions and inferred interests already built over to the new lists",
    () =>
      Effect.gen(function* () {
        const database = yield* DatabaseUrl
        const client = Database.clientLayer({ url: database.url, kind: database.kind, maxConnections: 1 })
        const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < "0031"))
        yield* PgMigrator.run({ loader: Migrator.fromRecord(before) }).pipe(
          Effect.provide(NodeServices.layer),
          Effect.provide(client)
        )
        const user = "6f1c9a3e-1b2d-4c3e-8f4a-5b6c7d8e9f01"
        const group = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
        const person = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
        yield* Effect.gen(function* () {
          const sql = yield* PgClient.PgClient
          const groups = [
            {
              id: group,
              score: 61,
              reasons: [
                { kind: "interest", interest: "books" },
                { kind: "friends", count: 2 },
                { kind: "popular_nearby", distanceKm: 4.2 }
              ],
              distanceKm: 4.2
            }
          ]
          const people = [
            { id: person, score: 58, reasons: [{ kind: "contacts" }, { kind: "co_membership", count: 1 }] }
          ]
          yield* sql`INSERT INTO recommendations VALUES (${user}, 'group', ${JSON.stringify(groups)}::jsonb, now())`
          yield* sql`INSERT INTO recommendations VALUES (${user}, 'person', ${JSON.stringify(people)}::jsonb, now())`
          yield* sql`INSERT INTO recommendation_interests VALUES (${user}, 'trails', 0.5), (${user}, 'books', 1)`
        }).pipe(Effect.provide(client))

        yield* Migrations.run.pipe(Effect.provide(client))

        const lists = yield* Effect.gen(function* () {
          const sql = yield* PgClient.PgClient
          const items = yield* sql<{ kind: string; item: string }>`
            SELECT r.kind, i::text AS item FROM recommendations r CROSS JOIN LATERAL unnest(r.items) AS i
            WHERE r.user_id = ${user} ORDER BY r.kind`
          const interests = yield* sql<{ interests: string }>`
            SELECT interests::text AS interests FROM recommendation_interests WHERE user_id = ${user}`
          return { items, interests }
        }).pipe(Effect.provide(client))
        // id, score, interest, friends, co, your group, contact, nearby, km
        assert.deepStrictEqual(lists.items, [
          { kind: "group", item: `(${group},61,books,2,0,f,f,t,4.2)` },
          { kind: "person", item: `(${person},58,,0,1,f,t,f,)` }
        ])
        assert.deepStrictEqual(lists.interests, [{ interests: `{"(books,1)","(trails,0.5)"}` }])
      }).pipe(Effect.provide(EmptyDatabase)),
    { timeout: 90_000 }
  )
})
