import { assert, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { MaintainActivityPartitionsHandler } from "../src/Analytics/MaintainActivityPartitions.ts"

const env = TestServer.testEnv()

/** The cron's run with the clock (a `TestClock`) at `iso`. */
const runAt = (iso: string, config: Record<string, string> = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse(iso))
    yield* MaintainActivityPartitionsHandler.run({})
  }).pipe(Effect.provide(TestClock.layer()), Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(config))))

const Names = Schema.Array(Schema.Struct({ name: Schema.String }))

/** The monthly partitions there are, by name. */
const partitions = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* Schema.decodeUnknownEffect(Names)(
    yield* sql`
      SELECT relid::text AS name FROM pg_partition_tree('activity_events')
      WHERE isleaf AND relid::text <> 'activity_events_default' ORDER BY 1`
  )
  return rows.map((row) => row.name)
}).pipe(Effect.orDie)

/** Where each event of the test is stored: `[occurred_at, partition]`. */
const placed = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql`
    SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, tableoid::regclass::text AS partition
    FROM activity_events ORDER BY occurred_at`
  return yield* Schema.decodeUnknownEffect(
    Schema.Array(Schema.Struct({ day: Schema.String, partition: Schema.String }))
  )(rows)
}).pipe(Effect.orDie)

const insertAt = (iso: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`INSERT INTO activity_events (occurred_at, kind, device) VALUES (${iso}::timestamptz, 'group_view', 'web')`
  }).pipe(Effect.orDie)

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })(
  "Activity partitions (cron)",
  (it) => {
    it.effect("makes the coming months' partitions, moves early rows in, drops what is past the retention", () =>
      Effect.gen(function* () {
        // The migration made this month's partition and the next two.
        const now = new Date()
        const month = (offset: number) => {
          const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1))
          return `activity_events_p${start.getUTCFullYear()}${String(start.getUTCMonth() + 1).padStart(2, "0")}`
        }
        assert.deepStrictEqual(yield* partitions, [month(0), month(1), month(2)])

        // Rows of months without a partition land in the default one: an insert never fails.
        yield* insertAt("2031-01-10T08:00:00Z")
        yield* insertAt("2033-02-15T08:00:00Z")
        assert.deepStrictEqual(yield* placed, [
          { day: "2031-01-10", partition: "activity_events_default" },
          { day: "2033-02-15", partition: "activity_events_default" }
        ])

        // January 2033, 13 months kept (the default): from January 2032 on.
        yield* runAt("2033-01-20T02:11:00Z")
        assert.deepStrictEqual(yield* partitions, [
          "activity_events_p203301",
          "activity_events_p203302",
          "activity_events_p203303",
          "activity_events_p203304"
        ])
        // February's row moved into its partition; the 2031 one, past the retention, is gone.
        assert.deepStrictEqual(yield* placed, [{ day: "2033-02-15", partition: "activity_events_p203302" }])

        // Idempotent: the same day again changes nothing.
        yield* runAt("2033-01-20T02:11:00Z")
        assert.strictEqual((yield* partitions).length, 4)
        assert.strictEqual((yield* placed).length, 1)

        // March 2034: kept from March 2033, so January and February 2033 go, February's row with them.
        yield* insertAt("2033-03-31T23:59:59Z")
        yield* runAt("2034-03-05T02:11:00Z")
        assert.deepStrictEqual(yield* partitions, [
          "activity_events_p203303",
          "activity_events_p203304",
          "activity_events_p203403",
          "activity_events_p203404",
          "activity_events_p203405",
          "activity_events_p203406"
        ])
        assert.deepStrictEqual(yield* placed, [{ day: "2033-03-31", partition: "activity_events_p203303" }])

        // A shorter retention (ANALYTICS_RETENTION=1): only this month is kept.
        yield* insertAt("2034-03-05T10:00:00Z")
        yield* runAt("2034-03-05T02:11:00Z", { ANALYTICS_RETENTION: "1" })
        assert.deepStrictEqual(yield* partitions, [
          "activity_events_p203403",
          "activity_events_p203404",
          "activity_events_p203405",
          "activity_events_p203406"
        ])
        assert.deepStrictEqual(yield* placed, [{ day: "2034-03-05", partition: "activity_events_p203403" }])
      })
    )

    it.effect("refuses a retention that is not a whole number of months from 1 to 120", () =>
      Effect.gen(function* () {
        for (const value of ["0", "121", "1.5", "a year"]) {
          const exit = yield* Effect.exit(runAt("2034-03-05T02:11:00Z", { ANALYTICS_RETENTION: value }))
          assert.isTrue(exit._tag === "Failure", value)
        }
      })
    )
  }
)
