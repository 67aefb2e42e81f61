import { FailedJob, OpsReport, QueueDepth, WorkerStatus } from "@moim/domain/Ops/Ops"
import { Context, DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"

interface WorkerRow {
  readonly workerId: string
  readonly hostname: string
  readonly pid: number
  readonly startedAt: Date
  readonly lastSeenAt: Date
  readonly alive: boolean
}

interface FailedJobRow {
  readonly id: string
  readonly taskIdentifier: string
  readonly attempts: number
  readonly maxAttempts: number
  readonly lastError: string | null
  readonly runAt: Date
}

interface DepthRow {
  readonly pending: number
  readonly running: number
  readonly failed: number
}

/** Reads worker heartbeats and graphile-worker's job table for operators. */
export class OpsRepo extends Context.Service<
  OpsRepo,
  { readonly report: (options: { readonly failedLimit: number }) => Effect.Effect<OpsReport> }
>()("@moim/server/Ops/OpsRepo") {
  static readonly layer = Layer.effect(
    OpsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const report = Effect.fn("OpsRepo.report")(function* (options: { readonly failedLimit: number }) {
        const [workers, depth, failed] = yield* Effect.all(
          [
            sql<WorkerRow>`
              SELECT worker_id, hostname, pid, started_at, last_seen_at,
                     last_seen_at > now() - interval '45 seconds' AS alive
              FROM worker_heartbeats ORDER BY last_seen_at DESC LIMIT 200`,
            sql<DepthRow>`
              SELECT
                count(*) FILTER (WHERE attempts < max_attempts AND locked_at IS NULL)::int AS pending,
                count(*) FILTER (WHERE attempts < max_attempts AND locked_at IS NOT NULL)::int AS running,
                count(*) FILTER (WHERE attempts >= max_attempts)::int AS failed
              FROM graphile_worker.jobs`,
            sql<FailedJobRow>`
              SELECT id::text, task_identifier, attempts, max_attempts, last_error, run_at
              FROM graphile_worker.jobs WHERE attempts >= max_attempts
              ORDER BY updated_at DESC LIMIT ${options.failedLimit}`
          ],
          { concurrency: "unbounded" }
        )
        const counts = depth[0] ?? { pending: 0, running: 0, failed: 0 }
        return new OpsReport({
          workers: workers.map(
            (row) =>
              new WorkerStatus({
                workerId: row.workerId,
                hostname: row.hostname,
                pid: row.pid,
                startedAt: DateTime.fromDateUnsafe(row.startedAt),
                lastSeenAt: DateTime.fromDateUnsafe(row.lastSeenAt),
                alive: row.alive
              })
          ),
          queue: new QueueDepth(counts),
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
      return OpsRepo.of({ report })
    })
  )
}
