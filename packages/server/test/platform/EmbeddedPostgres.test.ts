/** @module-tag no-database */
/** @module-tag process */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PgClient } from "@effect/sql-pg"
import { assert, describe, it, layer } from "@effect/vitest"
import { Array as Arr, Clock, Context, Data, Effect, Exit, Layer, Queue, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import pg from "pg"
import { EmbeddedPostgres, type EmbeddedPostgresOptions } from "../../src/platform/EmbeddedPostgres.ts"

/** A `pg` pool, the client graphile-worker uses, next to the `@effect/sql-pg` one. */
class NodePgPool extends Context.Service<NodePgPool, pg.Pool>()("test/platform/EmbeddedPostgres/NodePgPool") {
  static readonly layer = Layer.effect(
    NodePgPool,
    Effect.gen(function* () {
      const { url } = yield* EmbeddedPostgres
      return yield* Effect.acquireRelease(
        Effect.sync(() => {
          const pool = new pg.Pool({ connectionString: Redacted.value(url), max: 6 })
          pool.on("error", () => undefined)
          return pool
        }),
        (pool) => Effect.promise(() => pool.end())
      )
    })
  )
}

// Prepared statements stay on (the default): the server must keep each connection's names apart.
const sqlLayer = Layer.unwrap(Effect.map(EmbeddedPostgres, ({ url }) => PgClient.layer({ url, maxConnections: 6 })))

const withDatabase = (options: EmbeddedPostgresOptions) => Layer.provideMerge(sqlLayer, EmbeddedPostgres.layer(options))

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "moim-embedded-pg-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

class Rollback extends Data.TaggedError("Rollback") {}

const idleTimeoutMillis = 2_000

// Live clock: the idle-timeout test measures real waiting.
layer(NodePgPool.layer.pipe(Layer.provideMerge(withDatabase({ idleInTransactionTimeout: idleTimeoutMillis }))), {
  excludeTestServices: true
})("EmbeddedPostgres", (it) => {
  it.effect("serves @effect/sql-pg: arrays, jsonb, timestamptz and pg_trgm", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`
      yield* sql`CREATE TABLE basics (
        name text NOT NULL,
        tags text[] NOT NULL,
        doc jsonb NOT NULL,
        at timestamptz NOT NULL
      )`
      yield* sql`CREATE INDEX basics_name_trgm ON basics USING gin (name gin_trgm_ops)`
      const at = new Date("2024-05-06T07:08:09.123Z")
      yield* sql`INSERT INTO basics (name, tags, doc, at)
        VALUES (${"community garden"}, ${["green", "local"]}, ${JSON.stringify({ plots: [1, 2], open: true })}::jsonb, ${at})`

      const rows = yield* sql<{
        readonly name: string
        readonly tags: ReadonlyArray<string>
        readonly doc: unknown
        readonly at: Date
      }>`SELECT name, tags, doc, at FROM basics`
      assert.deepStrictEqual(rows, [
        { name: "community garden", tags: ["green", "local"], doc: { plots: [1, 2], open: true }, at }
      ])

      const [similar] = yield* sql<{
        readonly score: number
      }>`SELECT similarity(${"comunity"}, ${"community"}) AS score`
      assert.isTrue(similar !== undefined && similar.score > 0.5)
      const matches = yield* sql<{ readonly name: string }>`SELECT name FROM basics WHERE name % ${"comunity gardn"}`
      assert.deepStrictEqual(matches, [{ name: "community garden" }])
    })
  )

  it.effect("keeps 200 concurrent transactions from two pools isolated", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const pool = yield* NodePgPool
      yield* sql`CREATE TABLE stress (marker text NOT NULL, n int NOT NULL)`

      // A marker enters `committing` just before its COMMIT is sent: rows of any other marker
      // seen by anyone means a transaction saw uncommitted (or rolled-back) data.
      const committing = new Set<string>()
      const problems: Array<string> = []
      const expectOnlyCommitted = (seen: ReadonlyArray<string>, own: string | undefined, where: string) => {
        for (const marker of seen) {
          if (marker !== own && !committing.has(marker)) problems.push(`${where} saw uncommitted rows of ${marker}`)
        }
      }
      const outcomeOf = (i: number) => (i % 4 === 0 ? "rollback" : i % 9 === 0 ? "error" : "commit")

      const effectTransaction = (i: number) => {
        const marker = `effect-${i}`
        const outcome = outcomeOf(i)
        const body = Effect.gen(function* () {
          for (let n = 0; n < 3; n++) yield* sql`INSERT INTO stress (marker, n) VALUES (${marker}, ${n})`
          const [own] = yield* sql<{ readonly count: number }>`
            SELECT count(*)::int AS count FROM stress WHERE marker = ${marker}`
          if (own?.count !== 3) problems.push(`${marker} saw ${own?.count} of its own rows`)
          const seen = yield* sql<{ readonly marker: string }>`SELECT DISTINCT marker FROM stress`
          expectOnlyCommitted(
            seen.map((row) => row.marker),
            marker,
            marker
          )
          if (outcome === "rollback") return yield* new Rollback()
          if (outcome === "error") yield* sql`SELECT 1 / 0`
          committing.add(marker)
        })
        return Effect.gen(function* () {
          const exit = yield* Effect.exit(sql.withTransaction(body))
          const failure = Exit.isFailure(exit) ? String(exit.cause) : undefined
          const expected =
            outcome === "commit"
              ? failure === undefined
              : outcome === "rollback"
                ? failure?.includes("Rollback") === true
                : failure?.includes("division by zero") === true
          if (!expected) problems.push(`${marker}: expected ${outcome}, got ${failure ?? "success"}`)
          return { marker, committed: outcome === "commit" }
        })
      }

      const pgTransaction = (i: number) =>
        Effect.promise(async () => {
          const marker = `pg-${i}`
          const outcome = outcomeOf(i)
          const client = await pool.connect()
          try {
            await client.query("BEGIN")
            for (let n = 0; n < 3; n++) {
              // Every pooled connection prepares the same statement names: the server keeps them apart.
              await client.query({
                name: "stress-insert",
                text: "INSERT INTO stress (marker, n) VALUES ($1, $2)",
                values: [marker, n]
              })
            }
            const own = await client.query<{ count: number }>({
              name: "stress-own",
              text: "SELECT count(*)::int AS count FROM stress WHERE marker = $1",
              values: [marker]
            })
            if (own.rows[0]?.count !== 3) problems.push(`${marker} saw ${own.rows[0]?.count} of its own rows`)
            const seen = await client.query<{ marker: string }>("SELECT DISTINCT marker FROM stress")
            expectOnlyCommitted(
              seen.rows.map((row) => row.marker),
              marker,
              marker
            )
            if (outcome === "error") {
              const failed = await client.query("SELECT 1 / 0").then(
                () => false,
                () => true
              )
              if (!failed) problems.push(`${marker}: division by zero did not fail`)
            }
            if (outcome === "commit") committing.add(marker)
            await client.query(outcome === "commit" ? "COMMIT" : "ROLLBACK")
          } catch (error) {
            problems.push(`${marker}: ${String(error)}`)
          } finally {
            client.release()
          }
          return { marker, committed: outcome === "commit" }
        })

      const effectRead = (i: number) =>
        Effect.gen(function* () {
          const seen = yield* sql<{ readonly marker: string }>`SELECT DISTINCT marker FROM stress`
          expectOnlyCommitted(
            seen.map((row) => row.marker),
            undefined,
            `effect read ${i}`
          )
        })

      const pgRead = (i: number) =>
        Effect.promise(async () => {
          const seen = await pool.query<{ marker: string }>("SELECT DISTINCT marker FROM stress")
          expectOnlyCommitted(
            seen.rows.map((row) => row.marker),
            undefined,
            `pg read ${i}`
          )
        })

      const range = Arr.range(1, 100)
      const [fromEffect, fromPg] = yield* Effect.all(
        [
          Effect.forEach(range, effectTransaction, { concurrency: 12 }),
          Effect.forEach(range, pgTransaction, { concurrency: 12 }),
          Effect.forEach(range, effectRead, { concurrency: 4 }),
          Effect.forEach(range, pgRead, { concurrency: 4 })
        ],
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(problems, [])

      const stored = yield* sql<{ readonly marker: string; readonly count: number }>`
        SELECT marker, count(*)::int AS count FROM stress GROUP BY marker`
      const counts = new Map(stored.map((row) => [row.marker, row.count]))
      const all = [...fromEffect, ...fromPg]
      const committed = all.filter((result) => result.committed)
      assert.isTrue(committed.length > 100 && committed.length < all.length)
      for (const { marker, committed } of all) {
        assert.strictEqual(counts.get(marker), committed ? 3 : undefined, marker)
      }
      assert.strictEqual(counts.size, committed.length)
    })
  )

  it.effect("closes a connection idle in a transaction so the others can proceed", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const { url } = yield* EmbeddedPostgres
      yield* sql`CREATE TABLE idle (marker text NOT NULL)`

      const busy = new pg.Client({ connectionString: Redacted.value(url) })
      const stuck = new pg.Client({ connectionString: Redacted.value(url) })
      const stuckErrors: Array<string> = []
      stuck.on("error", (error) => stuckErrors.push(error.message))
      yield* Effect.acquireRelease(
        Effect.promise(() => Promise.all([busy.connect(), stuck.connect()])),
        () => Effect.promise(() => Promise.all([busy.end(), stuck.end().catch(() => undefined)]))
      )

      // Active for longer than the timeout, but never idle that long: must survive.
      yield* Effect.promise(async () => {
        await busy.query("BEGIN")
        for (let i = 0; i < 6; i++) {
          await busy.query("INSERT INTO idle (marker) VALUES ('busy')")
          await new Promise((resolve) => setTimeout(resolve, idleTimeoutMillis / 4))
        }
        await busy.query("COMMIT")
      })

      yield* Effect.promise(async () => {
        await stuck.query("BEGIN")
        await stuck.query("INSERT INTO idle (marker) VALUES ('stuck')")
      })
      const start = yield* Clock.currentTimeMillis
      const rows = yield* sql<{ readonly marker: string; readonly count: number }>`
        SELECT marker, count(*)::int AS count FROM idle GROUP BY marker`
      const waited = (yield* Clock.currentTimeMillis) - start

      assert.deepStrictEqual(rows, [{ marker: "busy", count: 6 }])
      assert.isTrue(waited >= idleTimeoutMillis * 0.8 && waited < idleTimeoutMillis * 3, `waited ${waited} ms`)
      const stuckFailure = yield* Effect.promise(() =>
        stuck.query("SELECT 1").then(
          () => "answered",
          (error: Error) => error.message
        )
      )
      assert.notStrictEqual(stuckFailure, "answered")
      assert.isTrue(stuckErrors.some((message) => message.includes("idle-in-transaction timeout")))
    })
  )

  it.effect("delivers notifications to listeners on other connections", () =>
    Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const pool = yield* NodePgPool
      const { url } = yield* EmbeddedPostgres

      const fromPg = yield* sql.listen("moim_from_pg")
      yield* Effect.promise(() => pool.query("SELECT pg_notify('moim_from_pg', 'hello from pg')"))
      assert.strictEqual((yield* Queue.take(fromPg)).payload, "hello from pg")

      const listener = new pg.Client({ connectionString: Redacted.value(url) })
      yield* Effect.acquireRelease(
        Effect.promise(() => listener.connect()),
        () => Effect.promise(() => listener.end())
      )
      const received = new Promise<string | undefined>((resolve) =>
        listener.on("notification", (notification) => resolve(notification.payload))
      )
      yield* Effect.promise(() => listener.query("LISTEN moim_from_effect"))
      yield* sql.withTransaction(sql`SELECT pg_notify('moim_from_effect', 'hello from effect')`)
      assert.strictEqual(yield* Effect.promise(() => received), "hello from effect")
    })
  )

  it.effect("drops the prepared statements of a connection once it closes", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const { url } = yield* EmbeddedPostgres
      const prepared = Effect.map(
        sql<{ readonly name: string }>`SELECT name FROM pg_prepared_statements WHERE name LIKE ${"%:closing-test"}`,
        (rows) => rows.length
      )

      const client = new pg.Client({ connectionString: Redacted.value(url) })
      yield* Effect.promise(async () => {
        await client.connect()
        await client.query({ name: "closing-test", text: "SELECT 1" })
      })
      assert.strictEqual(yield* prepared, 1)
      yield* Effect.promise(() => client.end())
      assert.strictEqual(yield* prepared, 0)
    })
  )

  it.effect("dumps a snapshot that starts a new instance in memory or in a fresh data directory", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const embedded = yield* EmbeddedPostgres
      const dir = yield* tempDir
      const snapshot = join(dir, "snapshot.tar.gz")
      yield* sql`CREATE TABLE snap (n int NOT NULL)`
      yield* sql`INSERT INTO snap (n) SELECT generate_series(1, 50)`
      yield* embedded.dump(snapshot)

      const countSnap = Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql<{ readonly count: number }>`SELECT count(*)::int AS count FROM snap`
        return row?.count
      })
      assert.strictEqual(yield* countSnap.pipe(Effect.provide(withDatabase({ snapshot }))), 50)

      const seeded = join(dir, "seeded")
      const afterInsert = Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO snap (n) VALUES (51)`
        return yield* countSnap
      })
      assert.strictEqual(yield* afterInsert.pipe(Effect.provide(withDatabase({ dataDir: seeded, snapshot }))), 51)
      // The directory now holds a database: it is opened as is, the snapshot ignored.
      assert.strictEqual(yield* countSnap.pipe(Effect.provide(withDatabase({ dataDir: seeded, snapshot }))), 51)
    })
  )
})

describe("EmbeddedPostgres on its own", () => {
  it.effect("fails to start with a message naming the problem", () =>
    Effect.gen(function* () {
      const missing = join(yield* tempDir, "missing.tar.gz")
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(EmbeddedPostgres.layer({ snapshot: missing }))))
      assert.isTrue(Exit.isFailure(exit))
      const message = Exit.isFailure(exit) ? String(exit.cause) : ""
      assert.include(message, "Embedded Postgres failed to start")
      assert.include(message, missing)
    })
  )

  it.effect("creates the database and keeps its data across restarts", () =>
    Effect.gen(function* () {
      const dataDir = join(yield* tempDir, "pg")
      yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE kept (id int PRIMARY KEY, label text NOT NULL)`
        yield* sql`INSERT INTO kept (id, label) VALUES (1, ${"first"}), (2, ${"second"})`
      }).pipe(Effect.provide(withDatabase({ dataDir })))

      const rows = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{ readonly id: number; readonly label: string }>`SELECT id, label FROM kept ORDER BY id`
      }).pipe(Effect.provide(withDatabase({ dataDir })))
      assert.deepStrictEqual(rows, [
        { id: 1, label: "first" },
        { id: 2, label: "second" }
      ])
    })
  )
})
