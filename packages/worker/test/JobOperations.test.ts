import { assert, layer } from "@effect/vitest"
import * as Job from "@moim/domain/Jobs/Job"
import { JobOps } from "@moim/server/Ops/JobOps"
import { JobQueue } from "@moim/server/platform/JobQueue"
import { DateTime, Effect, Exit, Layer, Schema, Scope } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { SqlClient } from "effect/sql"
import { eventually } from "../../server/test/support/Eventually.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import * as JobHandler from "../src/JobHandler.ts"
import { JobRunner } from "../src/JobRunner.ts"

/** A job that fails while its marker is listed in `test_flaky_failing`, and records its run otherwise. */
const Flaky = Job.make("TestFlaky", Schema.Struct({ marker: Schema.optional(Schema.String) }), { maxAttempts: 1 })

const waitFor = <A, R>(probe: Effect.Effect<A | undefined, never, R>, what: string) =>
  eventually(
    Effect.flatMap(probe, (value) => (value === undefined ? Effect.fail(what) : Effect.succeed(value))),
    { interval: "100 millis", timeout: "15 seconds" }
  ).pipe(Effect.orElseSucceed(() => assert.fail(`timed out waiting for ${what}`)))

const Platform = TestServer.platformLayer(TestServer.testEnv())

layer(JobOps.layer.pipe(Layer.provideMerge(Platform)), { excludeTestServices: true })(
  "Job operations on a running worker",
  (it) => {
    it.effect("a failing job is a dead letter with its error, and runs again when retried", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const queue = yield* JobQueue
        const ops = yield* JobOps
        yield* sql`CREATE TABLE test_flaky_failing (marker text PRIMARY KEY)`
        yield* sql`CREATE TABLE test_flaky_done (marker text PRIMARY KEY)`
        const handler = JobHandler.make(Flaky, ({ marker }) =>
          Effect.gen(function* () {
            const name = marker ?? "cron"
            const failing = yield* sql`SELECT 1 FROM test_flaky_failing WHERE marker = ${name}`.pipe(Effect.orDie)
            if (failing.length > 0) return yield* Effect.fail(`refusing ${name} on purpose`)
            yield* sql`INSERT INTO test_flaky_done ${sql.insert({ marker: name })}`.pipe(Effect.orDie)
          })
        )
        const scope = yield* Scope.make()
        yield* Layer.buildWithScope(
          JobRunner.layer({ handlers: [handler], crontab: [{ task: Flaky.name, match: "17 3 * * *" }] }),
          scope
        )

        // Fails on its only attempt: a dead letter with its last error.
        yield* sql`INSERT INTO test_flaky_failing VALUES ('first'), ('second'), ('third')`
        yield* queue.enqueue(Flaky, { marker: "first" })
        const failed = yield* waitFor(
          Effect.map(Effect.orDie(ops.list({ state: "failed", task: Flaky.name })), (list) => list.items[0]),
          "the failed job"
        )
        assert.strictEqual(failed.state, "failed")
        assert.strictEqual(failed.attempts, 1)
        assert.include(failed.lastError ?? "", "refusing first on purpose")
        const depth = (yield* ops.queues).tasks.find((row) => row.task === Flaky.name)
        assert.deepStrictEqual(depth && { ...depth }, {
          task: Flaky.name,
          pending: 0,
          scheduled: 0,
          running: 0,
          failed: 1
        })

        // Only a failed job is retried; this one runs again, and succeeds.
        yield* sql`DELETE FROM test_flaky_failing WHERE marker = 'first'`
        const retried = yield* ops.retry(failed.id)
        assert.strictEqual(retried.attempts, 0)
        yield* waitFor(
          Effect.map(sql`SELECT marker FROM test_flaky_done WHERE marker = 'first'`.pipe(Effect.orDie), (rows) =>
            rows.length > 0 ? true : undefined
          ),
          "the retried job to run"
        )
        // Its side effect shows before the worker marks it done: wait until it has left the queue.
        yield* waitFor(
          Effect.map(
            sql`SELECT 1 FROM graphile_worker.jobs WHERE id = ${failed.id}::bigint`.pipe(Effect.orDie),
            (rows) => (rows.length === 0 ? true : undefined)
          ),
          "the retried job to leave the queue"
        )
        const gone = yield* ops.retry(failed.id).pipe(Effect.flip)
        assert.strictEqual(gone._tag, "JobNotFound")

        // Every failed job of a task at once.
        yield* queue.enqueue(Flaky, { marker: "second" })
        yield* queue.enqueue(Flaky, { marker: "third" })
        yield* waitFor(
          Effect.map(Effect.orDie(ops.list({ state: "failed", task: Flaky.name })), (list) =>
            list.items.length === 2 ? true : undefined
          ),
          "two failed jobs"
        )
        yield* sql`DELETE FROM test_flaky_failing`
        assert.strictEqual((yield* ops.retryFailed(Flaky.name)).retried, 2)
        yield* waitFor(
          Effect.map(
            sql<{ count: number }>`SELECT count(*)::int AS count FROM test_flaky_done`.pipe(Effect.orDie),
            (rows) => (rows[0]?.count === 3 ? true : undefined)
          ),
          "the retried jobs to run"
        )
        assert.strictEqual((yield* ops.retryFailed(Flaky.name)).retried, 0)

        // Cancelling a job waiting for later; a pending job is not "failed", so not retried.
        const later = DateTime.add(yield* DateTime.now, { hours: 1 })
        yield* queue.enqueue(Flaky, { marker: "later" }, { runAt: later })
        const [waiting] = (yield* ops.list({ state: "pending", task: Flaky.name })).items
        assert.isDefined(waiting)
        const id = waiting?.id ?? ""
        assert.strictEqual((yield* ops.retry(id).pipe(Effect.flip))._tag, "JobNotFailed")
        assert.strictEqual((yield* ops.queues).tasks.find((row) => row.task === Flaky.name)?.scheduled, 1)
        yield* ops.cancel(id)
        assert.lengthOf((yield* ops.list({ state: "pending", task: Flaky.name })).items, 0)
        assert.strictEqual((yield* ops.cancel(id).pipe(Effect.flip))._tag, "JobNotFound")

        // The crons the worker registered, with their next run; one run by hand.
        const crons = yield* ops.crons
        const cron = crons.items.find((item) => item.task === Flaky.name)
        assert.strictEqual(cron?.schedule, "17 3 * * *")
        const next = cron?.nextRun
        assert.isTrue(next !== null && next !== undefined)
        if (next !== null && next !== undefined) {
          const parts = DateTime.toParts(next)
          assert.deepStrictEqual([parts.hour, parts.minute, parts.second], [3, 17, 0])
          const ahead = DateTime.toEpochMillis(next) - DateTime.toEpochMillis(yield* DateTime.now)
          assert.isTrue(ahead > 0 && ahead <= 24 * 60 * 60 * 1000, `next run in ${ahead} ms`)
        }
        assert.strictEqual((yield* ops.runCron("NoSuchCron").pipe(Effect.flip))._tag, "CronNotFound")
        const run = yield* ops.runCron(Flaky.name)
        assert.strictEqual(run.task, Flaky.name)
        yield* waitFor(
          Effect.map(sql`SELECT marker FROM test_flaky_done WHERE marker = 'cron'`.pipe(Effect.orDie), (rows) =>
            rows.length > 0 ? true : undefined
          ),
          "the cron run by hand"
        )

        // Durations and failures per task at /metrics.
        const metrics = yield* PrometheusMetrics.format()
        assert.match(metrics, /moim_job_duration_seconds_count\{[^}]*task="TestFlaky"[^}]*\} 7/)
        assert.match(metrics, /moim_job_failures_total\{[^}]*task="TestFlaky"[^}]*\} 3/)
        yield* Scope.close(scope, Exit.void)
      }).pipe(Effect.orDie)
    )
  }
)
