import type { InvalidCursor } from "@moim/domain/Kit/Page"
import {
  CronInfo,
  CronList,
  CronNotFound,
  JobInfo,
  JobList,
  JobNotFailed,
  JobNotFound,
  JobQueues,
  JobRunning,
  type JobState,
  RetriedJobs,
  TaskQueueDepth,
  WorkerList
} from "@moim/domain/Ops/Jobs"
import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { Cursors } from "../platform/Cursors.ts"
import { nextRun } from "./CronSchedule.ts"
import { type JobRow, JobsRepo, stateOf } from "./JobsRepo.ts"
import { OpsRepo } from "./OpsRepo.ts"

const retryBatch = 1000

const view = (row: JobRow) =>
  new JobInfo({
    id: row.id,
    task: row.taskIdentifier,
    state: stateOf(row),
    queue: row.queueName,
    key: row.key,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    runAt: DateTime.fromDateUnsafe(row.runAt),
    createdAt: DateTime.fromDateUnsafe(row.createdAt),
    lastError: row.lastError,
    lockedBy: row.lockedBy,
    lockedAt: row.lockedAt === null ? null : DateTime.fromDateUnsafe(row.lockedAt)
  })

/** A cursor's position in a list of jobs: digits only, so nothing else reaches SQL. */
const JobPosition = Schema.Struct({
  at: Schema.String.check(Schema.isPattern(/^-?[0-9]{1,19}$/)),
  id: Schema.String.check(Schema.isPattern(/^[1-9][0-9]{0,18}$/))
})

/**
 * The job queue for operators: depth per task, jobs by state, retrying the failed, cancelling, the
 * crons with their next run, running a cron now, and the workers. No authorization here: the API
 * lets site admins in (`Handlers.ts`), the CLI whoever holds the database's configuration.
 */
export class JobOps extends Context.Service<
  JobOps,
  {
    readonly queues: Effect.Effect<JobQueues>
    /** A page of jobs in a state (`cursor`: the previous page's `nextCursor`). */
    readonly list: (options: {
      readonly state: JobState
      readonly task?: string | undefined
      readonly limit?: number | undefined
      readonly cursor?: string | undefined
    }) => Effect.Effect<JobList, InvalidCursor>
    readonly retry: (id: string) => Effect.Effect<JobInfo, JobNotFound | JobNotFailed>
    readonly retryFailed: (task: string) => Effect.Effect<RetriedJobs>
    readonly cancel: (id: string) => Effect.Effect<void, JobNotFound | JobRunning>
    readonly crons: Effect.Effect<CronList>
    readonly runCron: (task: string) => Effect.Effect<JobInfo, CronNotFound>
    readonly workers: Effect.Effect<WorkerList>
  }
>()("@moim/server/Ops/JobOps") {
  static readonly layer = Layer.effect(
    JobOps,
    Effect.gen(function* () {
      const repo = yield* JobsRepo
      const ops = yield* OpsRepo
      const cursors = yield* Cursors
      const cronView = (
        row: { readonly task: string; readonly schedule: string; readonly lastExecution: Date | null },
        now: Date
      ) => {
        const next = nextRun(row.schedule, now)
        return new CronInfo({
          task: row.task,
          schedule: row.schedule,
          lastRun: row.lastExecution === null ? null : DateTime.fromDateUnsafe(row.lastExecution),
          nextRun: next === undefined ? null : DateTime.fromDateUnsafe(next)
        })
      }
      return JobOps.of({
        queues: Effect.map(
          repo.depthByTask,
          (rows) => new JobQueues({ tasks: rows.map((row) => new TaskQueueDepth(row)) })
        ),

        list: Effect.fn("JobOps.list")(function* (options) {
          const limit = options.limit ?? 20
          const scope = `jobs:${options.state}:${options.task ?? ""}`
          const after = yield* cursors.decode(JobPosition, scope, options.cursor)
          const rows = yield* repo.list({ state: options.state, task: options.task, limit: limit + 1, after })
          const page = cursors.page(scope, rows, limit, view, (row) => ({ at: row.sortKey, id: row.id }))
          return new JobList(page)
        }),

        retry: Effect.fn("JobOps.retry")(function* (id) {
          const found = yield* repo.find(id)
          if (Option.isNone(found)) return yield* new JobNotFound({ message: `No job ${id} in the queue` })
          if (stateOf(found.value) !== "failed") {
            return yield* new JobNotFailed({ message: `Job ${id} is ${stateOf(found.value)}, not failed` })
          }
          const [retried] = yield* repo.retry([id])
          if (retried === undefined) return yield* new JobNotFailed({ message: `Job ${id} is running` })
          yield* Effect.logInfo("job retried by an operator").pipe(
            Effect.annotateLogs({ jobId: id, task: retried.taskIdentifier })
          )
          return view(retried)
        }),

        retryFailed: Effect.fn("JobOps.retryFailed")(function* (task) {
          // In batches of a thousand, so a task with a large dead-letter pile is not one huge statement.
          let retried = 0
          let batch = yield* repo.failedIds(task, retryBatch)
          while (batch.length > 0) {
            const changed = yield* repo.retry(batch)
            retried += changed.length
            if (changed.length === 0 || batch.length < retryBatch) break
            batch = yield* repo.failedIds(task, retryBatch)
          }
          if (retried > 0)
            yield* Effect.logInfo("failed jobs retried by an operator").pipe(Effect.annotateLogs({ task, retried }))
          return new RetriedJobs({ retried })
        }),

        cancel: Effect.fn("JobOps.cancel")(function* (id) {
          const found = yield* repo.find(id)
          if (Option.isNone(found)) return yield* new JobNotFound({ message: `No job ${id} in the queue` })
          if (stateOf(found.value) === "running") {
            return yield* new JobRunning({ message: `Job ${id} is running; it is left to finish` })
          }
          const removed = yield* repo.cancel(id)
          if (!removed) return yield* new JobRunning({ message: `Job ${id} started running; it is left to finish` })
          yield* Effect.logInfo("job cancelled by an operator").pipe(
            Effect.annotateLogs({ jobId: id, task: found.value.taskIdentifier })
          )
        }),

        crons: Effect.gen(function* () {
          const rows = yield* repo.crons
          const now = new Date(DateTime.toEpochMillis(yield* DateTime.now))
          return new CronList({ items: rows.map((row) => cronView(row, now)) })
        }),

        runCron: Effect.fn("JobOps.runCron")(function* (task) {
          const cron = yield* repo.findCron(task)
          if (Option.isNone(cron)) return yield* new CronNotFound({ message: `No cron runs ${task}` })
          const job = yield* repo.enqueueCron(task)
          yield* Effect.logInfo("cron run by an operator").pipe(Effect.annotateLogs({ jobId: job.id, task }))
          return view(job)
        }),

        workers: Effect.map(ops.workers, (items) => new WorkerList({ items }))
      })
    })
  ).pipe(Layer.provide([JobsRepo.layer, OpsRepo.layer]))
}
