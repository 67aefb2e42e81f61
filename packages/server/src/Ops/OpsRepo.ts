import { FailedJob, OpsReport, QueueDepth, WorkerStatus } from "@moim/domain/Ops/Ops"
import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

const WorkerRow = Schema.Struct({
  workerId: Schema.String,
  hostname: Schema.String,
  pid: Schema.Int,
  startedAt: Schema.Date,
  lastSeenAt: Schema.Date,
  lockId: Schema.NullOr(Schema.String),
  alive: Schema.Boolean
})

const FailedJobRow = Schema.Struct({
  id: Schema.String,
  taskIdentifier: Schema.String,
  attempts: Schema.Int,
  maxAttempts: Schema.Int,
  lastError: Schema.NullOr(Schema.String),
  runAt: Schema.Date
})

const DepthRow = Schema.Struct({ pending: Schema.Int, running: Schema.Int, failed: Schema.Int })

const decodeWorkers = Rows.all(WorkerRow)
const decodeFailed = Rows.all(FailedJobRow)
const decodeDepth = Rows.first(DepthRow)

/**
 * Reads worker heartbeats (`worker_heartbeats`, written by the worker's heartbeat cron) and
 * graphile-worker's job view for operators. Read-only.
 */
export class OpsRepo extends Context.Service<
  OpsRepo,
  {
    readonly report: (options: { readonly failedLimit: number }) => Effect.Effect<OpsReport>
    /** Worker processes by their heartbeats, the most recently seen first. */
    readonly workers: Effect.Effect<ReadonlyArray<WorkerStatus>>
  }
>()("@moim/server/Ops/OpsRepo") {
  static readonly layer = Layer.effect(
    OpsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const workers = sql`
        SELECT worker_id, hostname, pid, started_at, last_seen_at, lock_id,
               last_seen_at > now() - interval '45 seconds' AS alive
        FROM worker_heartbeats ORDER BY last_seen_at DESC LIMIT 200`.pipe(
        Effect.flatMap(decodeWorkers),
        Effect.map((rows) =>
          rows.map(
            (row) =>
              new WorkerStatus({
                ...row,
                startedAt: DateTime.fromDateUnsafe(row.startedAt),
                lastSeenAt: DateTime.fromDateUnsafe(row.lastSeenAt)
              })
          )
        ),
        Effect.orDie,
        Effect.withSpan("OpsRepo.workers")
      )
      const report = Effect.fn("OpsRepo.report")(function* (options: { readonly failedLimit: number }) {
        const [live, depth, failed] = yield* Effect.all(
          [
            workers,
            sql`
              SELECT
                count(*) FILTER (WHERE attempts < max_attempts AND locked_at IS NULL)::int AS pending,
                count(*) FILTER (WHERE attempts < max_attempts AND locked_at IS NOT NULL)::int AS running,
                count(*) FILTER (WHERE attempts >= max_attempts)::int AS failed
              FROM graphile_worker.jobs`.pipe(Effect.flatMap(decodeDepth)),
            sql`
              SELECT id::text, task_identifier, attempts, max_attempts, last_error, run_at
              FROM graphile_worker.jobs WHERE attempts >= max_attempts
              ORDER BY updated_at DESC LIMIT ${options.failedLimit}`.pipe(Effect.flatMap(decodeFailed))
          ],
          { concurrency: "unbounded" }
        )
        return new OpsReport({
          workers: live,
          queue: new QueueDepth(depth.pipe(Option.getOrElse(() => ({ pending: 0, running: 0, failed: 0 })))),
          failedJobs: failed.map(
            (row) =>
              new FailedJob({
                id: row.id,
                task: row.taskIdentifier,
                attempts: row.attempts,
                maxAttempts: row.maxAttempts,
                lastError: row.lastError,
                runAt: DateTime.fromDateUnsafe(row.runAt)
              })
          )
        })
      }, Effect.orDie)
      return OpsRepo.of({ report, workers })
    })
  )
}
