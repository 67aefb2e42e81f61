import type { Job } from "@moim/domain/Jobs/Job"
import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "./Rows.ts"

const decodeAdded = Rows.first(Schema.Struct({ id: Schema.String }))

export interface EnqueueOptions {
  /** De-duplicates: a pending job with the same key is replaced instead of added again. Defaults to the job's own `key`. */
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
        const added = yield* sql`
          SELECT id::text FROM graphile_worker.add_job(
            ${job.name},
            ${JSON.stringify(encoded)}::json,
            queue_name => ${options?.queueName ?? null},
            run_at => ${runAt}::timestamptz,
            max_attempts => ${job.maxAttempts},
            job_key => ${options?.jobKey ?? job.key?.(payload) ?? null},
            priority => ${options?.priority ?? null}
          )
        `.pipe(Effect.orDie, Effect.flatMap(decodeAdded))
        if (Option.isNone(added))
          return yield* Effect.die(new Error(`graphile_worker.add_job returned no row for ${job.name}`))
        yield* Effect.annotateCurrentSpan({ job: job.name, jobId: added.value.id })
        return added.value.id
      })
      return JobQueue.of({ enqueue })
    })
  )
}
