import type { Job } from "@moim/domain/Jobs/Job"
import { Context, DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"

export interface EnqueueOptions {
  /** De-duplicates: a pending job with the same key is replaced instead of added again. */
  readonly jobKey?: string
  readonly runAt?: DateTime.Utc
  /** Jobs sharing a queue name run one at a time, in order. */
  readonly queueName?: string
  readonly priority?: number
}

/**
 * Enqueues background jobs on graphile-worker. `enqueue` runs on the caller's SQL connection, so
 * inside `sql.withTransaction` the job is committed or rolled back with the change that caused it:
 * a rolled-back change leaves no job, a committed one never loses it.
 */
export class JobQueue extends Context.Service<
  JobQueue,
  {
    readonly enqueue: <P extends Schema.Top>(
      job: Job<string, P>,
      payload: P["Type"],
      options?: EnqueueOptions
    ) => Effect.Effect<string, never, P["EncodingServices"]>
  }
>()("@moim/server/platform/JobQueue") {
  static readonly layer = Layer.effect(
    JobQueue,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const enqueue = Effect.fn("JobQueue.enqueue")(function* <P extends Schema.Top>(
        job: Job<string, P>,
        payload: P["Type"],
        options?: EnqueueOptions
      ) {
        const encoded = yield* Schema.encodeEffect(Schema.toCodecJson(job.payload))(payload).pipe(Effect.orDie)
        const runAt = options?.runAt === undefined ? null : DateTime.formatIso(options.runAt)
        const rows = yield* sql<{ readonly id: string | bigint }>`
          SELECT id FROM graphile_worker.add_job(
            ${job.name},
            ${JSON.stringify(encoded)}::json,
            queue_name => ${options?.queueName ?? null},
            run_at => ${runAt}::timestamptz,
            max_attempts => ${job.maxAttempts},
            job_key => ${options?.jobKey ?? null},
            priority => ${options?.priority ?? null}
          )
        `.pipe(Effect.orDie)
        const id = rows[0]?.id
        if (id === undefined)
          return yield* Effect.die(new Error(`graphile_worker.add_job returned no row for ${job.name}`))
        yield* Effect.annotateCurrentSpan({ job: job.name, jobId: String(id) })
        return String(id)
      })
      return JobQueue.of({ enqueue })
    })
  )
}
