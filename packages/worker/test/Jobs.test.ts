import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, layer } from "@effect/vitest"
import * as Job from "@moim/domain/Jobs/Job"
import { SendEmail } from "@moim/domain/Jobs/SendEmail"
import { OpsRepo } from "@moim/server/Ops/OpsRepo"
import { JobQueue } from "@moim/server/platform/JobQueue"
import { DateTime, Deferred, Duration, Effect, Exit, Layer, Schema, Scope } from "effect"
import { SqlClient } from "effect/sql"
import { eventually } from "../../server/test/support/Eventually.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { Heartbeat } from "../src/Heartbeat.ts"
import * as JobHandler from "../src/JobHandler.ts"
import { JobRunner } from "../src/JobRunner.ts"
import { WorkerLive } from "../src/Worker.ts"
import { WorkerIdentity } from "../src/WorkerIdentity.ts"

const env = TestServer.testEnv()
const outbox = join(env.MOIM_DATA_DIR ?? "", "outbox")
const outboxFiles = () => {
  try {
    return readdirSync(outbox).filter((name) => name.endsWith(".eml"))
  } catch {
    return []
  }
}

const emailsTo = (address: string) =>
  outboxFiles().filter((name) => readFileSync(join(outbox, name), "utf8").includes(address))

const waitFor = <A, R>(probe: Effect.Effect<A | undefined, never, R>, what: string) =>
  eventually(
    Effect.flatMap(probe, (value) => (value === undefined ? Effect.fail(what) : Effect.succeed(value))),
    { interval: "100 millis", timeout: "15 seconds" }
  ).pipe(Effect.orElseSucceed(() => assert.fail(`timed out waiting for ${what}`)))

const jobCount = (task: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ count: number }>`
      SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE task_identifier = ${task}`
    return rows[0]?.count ?? 0
  }).pipe(Effect.orDie)

/**
 * Sends one more email and waits until the worker has sent it and the queue is empty: by then the
 * worker has had its chance to send (or send again) anything queued before it.
 */
const sendAndDrain = (to: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const queue = yield* JobQueue
    yield* sql.withTransaction(queue.enqueue(SendEmail, { to, subject: "Later", text: "Queued after the others." }))
    yield* waitFor(
      Effect.sync(() => (emailsTo(to).length > 0 ? true : undefined)),
      `the email to ${to}`
    )
    yield* waitFor(
      Effect.map(jobCount("SendEmail"), (count) => (count === 0 ? true : undefined)),
      "an empty queue"
    )
  })

const Platform = TestServer.platformLayer(env)

layer(Layer.mergeAll(WorkerLive, OpsRepo.layer).pipe(Layer.provideMerge(Platform)), { excludeTestServices: true })(
  "Jobs on a running worker",
  (it) => {
    it.effect("a rolled-back transaction leaves no job behind", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const queue = yield* JobQueue
        const failed = yield* sql
          .withTransaction(
            Effect.gen(function* () {
              yield* queue.enqueue(SendEmail, { to: "rolled-back@example.com", subject: "never", text: "never" })
              assert.strictEqual(yield* jobCount("SendEmail"), 1, "the job is visible inside the transaction")
              return yield* Effect.fail("abort")
            })
          )
          .pipe(Effect.exit)
        assert.isTrue(Exit.isFailure(failed))
        assert.strictEqual(yield* jobCount("SendEmail"), 0)
        yield* sendAndDrain("later-1@example.com")
        assert.lengthOf(emailsTo("rolled-back@example.com"), 0)
      })
    )

    it.effect("a committed job is processed once by the running worker", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const queue = yield* JobQueue
        yield* sql.withTransaction(
          queue.enqueue(SendEmail, { to: "member@example.com", subject: "Welcome to Moim", text: "Hello!" })
        )
        const file = yield* waitFor(
          Effect.sync(() => emailsTo("member@example.com")[0]),
          "the email in the outbox"
        )
        const message = readFileSync(join(outbox, file), "utf8")
        assert.include(message, "Subject: Welcome to Moim")
        yield* waitFor(
          Effect.map(jobCount("SendEmail"), (count) => (count === 0 ? true : undefined)),
          "the finished job to leave the queue"
        )
        yield* sendAndDrain("later-2@example.com")
        assert.strictEqual(emailsTo("member@example.com").length, 1)
      })
    )

    it.effect("a keyed job enqueued again while it waits replaces the waiting one", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const queue = yield* JobQueue
        // A reaction keyed by its cause; no handler is registered, and it is due in an hour.
        const Reaction = Job.make("KeyedReaction", Schema.Struct({ postId: Schema.String, text: Schema.String }), {
          key: (payload) => `post-created:${payload.postId}`
        })
        const runAt = DateTime.add(yield* DateTime.now, { hours: 1 })
        yield* sql.withTransaction(queue.enqueue(Reaction, { postId: "p1", text: "first" }, { runAt }))
        yield* sql.withTransaction(queue.enqueue(Reaction, { postId: "p1", text: "second" }, { runAt }))
        yield* sql.withTransaction(queue.enqueue(Reaction, { postId: "p2", text: "other cause" }, { runAt }))
        const rows = yield* sql<{ key: string; payload: { text: string } }>`
          SELECT key, payload FROM graphile_worker._private_jobs WHERE key LIKE 'post-created:%' ORDER BY key`
        assert.deepStrictEqual(
          rows.map((row) => [row.key, row.payload.text]),
          [
            ["post-created:p1", "second"],
            ["post-created:p2", "other cause"]
          ]
        )
        yield* sql`DELETE FROM graphile_worker._private_jobs WHERE key LIKE 'post-created:%'`
      }).pipe(Effect.orDie)
    )

    it.effect("a job whose payload cannot be decoded fails for good without retries", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`SELECT id FROM graphile_worker.add_job('SendEmail', '{"to": 42}'::json, max_attempts => 10)`
        const failed = yield* waitFor(
          Effect.gen(function* () {
            const rows = yield* sql<{ attempts: number; maxAttempts: number; lastError: string | null }>`
              SELECT attempts, max_attempts, last_error FROM graphile_worker.jobs WHERE task_identifier = 'SendEmail'`
            const row = rows[0]
            return row !== undefined && row.lastError !== null ? row : undefined
          }).pipe(Effect.orDie),
          "the job to fail"
        )
        assert.strictEqual(failed.attempts, 1)
        assert.strictEqual(failed.maxAttempts, 1)
        assert.include(failed.lastError ?? "", "Invalid SendEmail payload")
        const report = yield* (yield* OpsRepo).report({ failedLimit: 10 })
        assert.strictEqual(report.queue.failed, 1)
        assert.strictEqual(report.failedJobs[0]?.task, "SendEmail")
        yield* sql`DELETE FROM graphile_worker._private_jobs`
      })
    )

    it.effect("the worker records its heartbeat, which operators see", () =>
      Effect.gen(function* () {
        const identity = yield* WorkerIdentity
        const heartbeat = yield* Heartbeat
        yield* heartbeat.recordCronRun
        const report = yield* (yield* OpsRepo).report({ failedLimit: 10 })
        const me = report.workers.find((worker) => worker.workerId === identity.workerId)
        assert.isDefined(me)
        assert.isTrue(me?.alive)
        assert.strictEqual(me?.pid, process.pid)
      })
    )
  }
)

const SlowJob = Job.make("TestSlowJob", Schema.Struct({ marker: Schema.String }))

layer(Platform, { excludeTestServices: true })("Stopping a worker", (it) => {
  it.effect("lets a running job finish and leaves nothing locked", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const queue = yield* JobQueue
      yield* sql`CREATE TABLE IF NOT EXISTS test_slow_job_done (marker text PRIMARY KEY)`
      const started = yield* Deferred.make<void>()
      const handler = JobHandler.make(SlowJob, ({ marker }) =>
        Effect.gen(function* () {
          yield* Deferred.succeed(started, undefined)
          // Not a wait: the job is slow on purpose, so the worker stops while it runs.
          yield* Effect.sleep(Duration.millis(800))
          yield* sql`INSERT INTO test_slow_job_done ${sql.insert({ marker })}`.pipe(Effect.orDie)
        })
      )
      const scope = yield* Scope.make()
      yield* Layer.buildWithScope(JobRunner.layer({ handlers: [handler], crontab: [] }), scope)
      yield* queue.enqueue(SlowJob, { marker: "slow-1" })
      yield* Deferred.await(started)
      yield* Scope.close(scope, Exit.void)
      const done = yield* sql<{ marker: string }>`SELECT marker FROM test_slow_job_done`
      assert.deepStrictEqual(
        done.map((row) => row.marker),
        ["slow-1"]
      )
      assert.strictEqual(yield* jobCount("TestSlowJob"), 0)
    })
  )
})
