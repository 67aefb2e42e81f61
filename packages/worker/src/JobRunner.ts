import { EventEmitter } from "node:events"
import { recordJobRun } from "@moim/server/Ops/JobMetrics"
import { JobsRepo } from "@moim/server/Ops/JobsRepo"
import { AppConfig } from "@moim/server/platform/AppConfig"
import { DatabaseUrl } from "@moim/server/platform/DatabaseUrl"
import { Cause, Context, Effect, Exit, Layer, Option, Predicate, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import {
  Logger as GraphileLogger,
  type LogFunctionFactory,
  parseCronItems,
  type Runner,
  run,
  type TaskList,
  type WorkerEvents
} from "graphile-worker"
import { Heartbeat } from "./Heartbeat.ts"
import type { JobHandler } from "./JobHandler.ts"

export interface CronEntry {
  readonly task: string
  /** Crontab time spec, e.g. `* * * * *`; crons fire on whole minutes. */
  readonly match: string
}

/**
 * Runs graphile-worker with Effect handlers: each job's payload is decoded with its domain schema,
 * failures are retried with exponential backoff, a `PermanentJobFailure` is not retried. On scope
 * close the runner stops taking jobs, lets running ones finish and releases the rest. With a
 * `Heartbeat`, the id its pool locks jobs with goes into the heartbeat, so that other workers can
 * release this worker's jobs if it dies holding them.
 */
export class JobRunner extends Context.Service<JobRunner, { readonly runner: Runner }>()("@moim/worker/JobRunner") {
  static readonly layer = <R>(options: {
    readonly handlers: ReadonlyArray<JobHandler<R>>
    readonly crontab: ReadonlyArray<CronEntry>
  }) =>
    Layer.effect(
      JobRunner,
      Effect.gen(function* () {
        const config = yield* AppConfig
        const database = yield* DatabaseUrl
        const sql = yield* SqlClient.SqlClient
        const context = yield* Effect.context<R>()
        const logContext = yield* Effect.context<never>()

        const taskList: TaskList = {}
        for (const handler of options.handlers) {
          taskList[handler.job.name] = async (payload, helpers) => {
            const started = performance.now()
            const exit = await Effect.runPromiseExitWith(context)(
              handler
                .run(payload)
                .pipe(
                  Effect.annotateLogs({ job: handler.job.name, jobId: helpers.job.id, attempt: helpers.job.attempts })
                )
            )
            await Effect.runPromiseWith(logContext)(
              recordJobRun(handler.job.name, (performance.now() - started) / 1000, Exit.isFailure(exit))
            )
            if (Exit.isSuccess(exit)) return
            const failure = Cause.findErrorOption(exit.cause)
            const permanent = Option.isSome(failure) && Predicate.isTagged(failure.value, "PermanentJobFailure")
            if (permanent) {
              // Setting max_attempts to the attempts made so far makes graphile-worker treat the job as
              // failed for good when the error below is recorded, instead of scheduling a retry.
              await Effect.runPromiseWith(context)(
                sql`UPDATE graphile_worker._private_jobs SET max_attempts = attempts WHERE id = ${helpers.job.id}`.pipe(
                  Effect.ignore
                )
              )
            }
            await Effect.runPromiseWith(logContext)(
              Effect.logWarning(permanent ? "job failed permanently" : "job failed, will retry", exit.cause).pipe(
                Effect.annotateLogs({ job: handler.job.name, jobId: helpers.job.id, attempt: helpers.job.attempts })
              )
            )
            throw new Error(Cause.pretty(exit.cause))
          }
        }

        const logFactory: LogFunctionFactory = (scope) => (level, message) => {
          if (level === "debug") return
          const log = level === "error" ? Effect.logError : level === "warning" ? Effect.logWarning : Effect.logDebug
          Effect.runForkWith(logContext)(
            log(message).pipe(Effect.annotateLogs({ component: "graphile-worker", ...scope }))
          )
        }

        // Operators read the crontab from the database (its schedules, next runs, running one by hand).
        yield* JobsRepo.use((repo) => repo.registerCrons(options.crontab)).pipe(Effect.provide(JobsRepo.layer))

        const events: WorkerEvents = new EventEmitter()
        let poolId: string | undefined
        events.on("pool:create", ({ workerPool }) => {
          poolId = workerPool.id
        })

        const runner = yield* Effect.acquireRelease(
          Effect.tryPromise(() =>
            run({
              connectionString: Redacted.value(database.url),
              maxPoolSize: config.workerConcurrency + 2,
              concurrency: config.workerConcurrency,
              noHandleSignals: true,
              logger: new GraphileLogger(logFactory),
              taskList,
              events,
              parsedCronItems: parseCronItems(
                options.crontab.map((entry) => ({
                  task: entry.task,
                  match: entry.match,
                  identifier: entry.task,
                  options: { backfillPeriod: 0, maxAttempts: 1 }
                }))
              ),
              // Finished jobs are marked at once, so a stop never leaves a completed job locked.
              preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } }
            })
          ).pipe(Effect.orDie),
          (runner) => Effect.promise(() => runner.stop())
        )
        const heartbeat = yield* Effect.serviceOption(Heartbeat)
        if (Option.isSome(heartbeat) && poolId !== undefined) yield* heartbeat.value.holdsLocksAs(poolId)
        yield* Effect.logInfo("job runner started").pipe(
          Effect.annotateLogs({ tasks: Object.keys(taskList).join(","), concurrency: config.workerConcurrency })
        )
        return JobRunner.of({ runner })
      })
    )
}
