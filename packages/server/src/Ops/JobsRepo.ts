import type { JobState } from "@moim/domain/Ops/Jobs"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

export const JobRow = Schema.Struct({
  id: Schema.String,
  taskIdentifier: Schema.String,
  queueName: Schema.NullOr(Schema.String),
  key: Schema.NullOr(Schema.String),
  attempts: Schema.Int,
  maxAttempts: Schema.Int,
  runAt: Schema.Date,
  createdAt: Schema.Date,
  lastError: Schema.NullOr(Schema.String),
  lockedBy: Schema.NullOr(Schema.String),
  lockedAt: Schema.NullOr(Schema.Date)
})
export type JobRow = typeof JobRow.Type

/** A listed job with its place in the list: its sort time in microseconds since the epoch, as digits. */
export const ListedJobRow = Schema.Struct({ ...JobRow.fields, sortKey: Schema.String })
export type ListedJobRow = typeof ListedJobRow.Type

/** Where a page of jobs ended: the last job's sort time (microseconds, exact) and id. */
export interface JobPosition {
  readonly at: string
  readonly id: string
}

export const TaskDepthRow = Schema.Struct({
  task: Schema.String,
  pending: Schema.Int,
  scheduled: Schema.Int,
  running: Schema.Int,
  failed: Schema.Int
})
export type TaskDepthRow = typeof TaskDepthRow.Type

export const CronRow = Schema.Struct({
  task: Schema.String,
  schedule: Schema.String,
  lastExecution: Schema.NullOr(Schema.Date)
})
export type CronRow = typeof CronRow.Type

const decodeJobs = Rows.all(JobRow)
const decodeListed = Rows.all(ListedJobRow)
const decodeJob = Rows.first(JobRow)
const decodeDepths = Rows.all(TaskDepthRow)
const decodeCrons = Rows.all(CronRow)
const decodeCron = Rows.first(CronRow)

/**
 * What a job's row says of its state: running while a worker holds it (graphile-worker counts the
 * attempt when it takes the job), failed once unlocked with its attempts used up, else pending.
 */
export const stateOf = (row: JobRow): JobState =>
  row.lockedAt !== null ? "running" : row.attempts >= row.maxAttempts ? "failed" : "pending"

/**
 * graphile-worker's queue as operators see and steer it (its `jobs` view and admin functions), and
 * the crontab the workers register (`job_crons`). Retrying and cancelling use graphile-worker's own
 * functions, which leave a job locked by a live worker alone.
 */
export class JobsRepo extends Context.Service<
  JobsRepo,
  {
    readonly depthByTask: Effect.Effect<ReadonlyArray<TaskDepthRow>>
    /** Up to `limit` jobs in a state, in the list's order, after `after` when given. */
    readonly list: (options: {
      readonly state: JobState
      readonly task: string | undefined
      readonly limit: number
      readonly after: JobPosition | null
    }) => Effect.Effect<ReadonlyArray<ListedJobRow>>
    readonly find: (id: string) => Effect.Effect<Option.Option<JobRow>>
    /** Queues failed jobs again now with their attempts reset; returns those it changed (none locked). */
    readonly retry: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<JobRow>>
    /** Up to `limit` failed jobs of the task that no worker holds, oldest first. */
    readonly failedIds: (task: string, limit: number) => Effect.Effect<ReadonlyArray<string>>
    /** Deletes the job unless a worker holds it; true when deleted. */
    readonly cancel: (id: string) => Effect.Effect<boolean>
    readonly crons: Effect.Effect<ReadonlyArray<CronRow>>
    readonly findCron: (task: string) => Effect.Effect<Option.Option<CronRow>>
    /** Replaces the registered crontab with this one (a worker's, at its start). */
    readonly registerCrons: (
      entries: ReadonlyArray<{ readonly task: string; readonly match: string }>
    ) => Effect.Effect<void>
    /** Queues one run of a cron's task now, as its schedule would (one attempt, an empty payload). */
    readonly enqueueCron: (task: string) => Effect.Effect<JobRow>
  }
>()("@moim/server/Ops/JobsRepo") {
  static readonly layer = Layer.effect(
    JobsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const columns = sql`id::text, task_identifier, queue_name, key, attempts, max_attempts, run_at, created_at,
        last_error, locked_by, locked_at`
      const byId = (id: string) =>
        sql`SELECT ${columns} FROM graphile_worker.jobs WHERE id = ${id}::bigint`.pipe(Effect.flatMap(decodeJob))
      return JobsRepo.of({
        depthByTask: sql`
          SELECT task_identifier AS task,
            count(*) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts AND run_at <= now())::int AS pending,
            count(*) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts AND run_at > now())::int AS scheduled,
            count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS running,
            count(*) FILTER (WHERE locked_at IS NULL AND attempts >= max_attempts)::int AS failed
          FROM graphile_worker.jobs GROUP BY task_identifier ORDER BY task_identifier`.pipe(
          Effect.flatMap(decodeDepths),
          Effect.orDie,
          Effect.withSpan("JobsRepo.depthByTask")
        ),

        list: Effect.fn("JobsRepo.list")(function* (options) {
          const task = options.task === undefined ? sql`true` : sql`task_identifier = ${options.task}`
          const where =
            options.state === "failed"
              ? sql`locked_at IS NULL AND attempts >= max_attempts`
              : options.state === "running"
                ? sql`locked_at IS NOT NULL`
                : sql`attempts < max_attempts AND locked_at IS NULL`
          // Positions compare in whole microseconds, the precision Postgres keeps, so no job is skipped
          // or repeated at a page boundary.
          const column = sql.literal(
            options.state === "failed" ? "updated_at" : options.state === "running" ? "locked_at" : "run_at"
          )
          // Whole seconds and the microseconds within them, each exact (a double holds whole seconds
          // exactly, not seconds with six decimals).
          const key = sql`(date_part('epoch', date_trunc('second', ${column}))::bigint * 1000000
            + date_part('microseconds', ${column})::bigint % 1000000)`
          const descending = options.state === "failed"
          const after = options.after
          const from =
            after === null
              ? sql`true`
              : descending
                ? sql`(${key}, id) < (${after.at}::bigint, ${after.id}::bigint)`
                : sql`(${key}, id) > (${after.at}::bigint, ${after.id}::bigint)`
          // `jobs.id`, the bigint: the selected `id` is its text, which would sort "10" before "9".
          const order = descending ? sql`${key} DESC, jobs.id DESC` : sql`${key}, jobs.id`
          return yield* sql`
            SELECT ${columns}, ${key}::text AS sort_key FROM graphile_worker.jobs
            WHERE ${where} AND ${task} AND ${from}
            ORDER BY ${order} LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeListed))
        }, Effect.orDie),

        find: Effect.fn("JobsRepo.find")(function* (id) {
          return yield* byId(id)
        }, Effect.orDie),

        retry: Effect.fn("JobsRepo.retry")(function* (ids) {
          if (ids.length === 0) return []
          // The jobs as rescheduled, from the same statement: read again afterwards, a worker may
          // already have taken one (or finished it) in between.
          return yield* sql`
            WITH changed AS (
              SELECT * FROM graphile_worker.reschedule_jobs(${ids}::bigint[], run_at := now(), attempts := 0)
            )
            SELECT c.id::text, t.identifier AS task_identifier, q.queue_name, c.key, c.attempts, c.max_attempts,
              c.run_at, c.created_at, c.last_error, c.locked_by, c.locked_at
            FROM changed c
            JOIN graphile_worker._private_tasks t ON t.id = c.task_id
            LEFT JOIN graphile_worker._private_job_queues q ON q.id = c.job_queue_id
            ORDER BY c.id`.pipe(Effect.flatMap(decodeJobs))
        }, Effect.orDie),

        failedIds: Effect.fn("JobsRepo.failedIds")(function* (task, limit) {
          const rows = yield* sql<{ id: string }>`
            SELECT id::text FROM graphile_worker.jobs
            WHERE task_identifier = ${task} AND attempts >= max_attempts AND locked_at IS NULL ORDER BY id LIMIT ${limit}`
          return rows.map((row) => row.id)
        }, Effect.orDie),

        cancel: Effect.fn("JobsRepo.cancel")(function* (id) {
          const rows = yield* sql`SELECT id FROM graphile_worker.complete_jobs(ARRAY[${id}::bigint])`
          return rows.length > 0
        }, Effect.orDie),

        crons: sql`
          SELECT c.task, c.schedule, k.last_execution
          FROM job_crons c LEFT JOIN graphile_worker._private_known_crontabs k ON k.identifier = c.task
          ORDER BY c.task`.pipe(Effect.flatMap(decodeCrons), Effect.orDie, Effect.withSpan("JobsRepo.crons")),

        findCron: Effect.fn("JobsRepo.findCron")(function* (task) {
          return yield* sql`
            SELECT c.task, c.schedule, k.last_execution
            FROM job_crons c LEFT JOIN graphile_worker._private_known_crontabs k ON k.identifier = c.task
            WHERE c.task = ${task}`.pipe(Effect.flatMap(decodeCron))
        }, Effect.orDie),

        registerCrons: Effect.fn("JobsRepo.registerCrons")(function* (entries) {
          yield* sql.withTransaction(
            Effect.gen(function* () {
              const tasks = entries.map((entry) => entry.task)
              yield* sql`DELETE FROM job_crons WHERE NOT (task = ANY(${tasks}::text[]))`
              for (const entry of entries) {
                yield* sql`
                  INSERT INTO job_crons (task, schedule, registered_at) VALUES (${entry.task}, ${entry.match}, now())
                  ON CONFLICT (task) DO UPDATE SET schedule = excluded.schedule, registered_at = excluded.registered_at`
              }
            })
          )
        }, Effect.orDie),

        enqueueCron: Effect.fn("JobsRepo.enqueueCron")(function* (task) {
          // Read from add_job's own row: a worker may run and delete the job before a second query.
          const added = yield* sql`
            SELECT id::text, ${task}::text AS task_identifier, NULL::text AS queue_name, key, attempts, max_attempts,
              run_at, created_at, last_error, locked_by, locked_at
            FROM graphile_worker.add_job(${task}, '{}'::json, max_attempts => 1)`.pipe(Effect.flatMap(decodeJob))
          if (Option.isNone(added)) {
            return yield* Effect.die(new Error(`graphile_worker.add_job returned no job for ${task}`))
          }
          return added.value
        }, Effect.orDie)
      })
    })
  )
}
