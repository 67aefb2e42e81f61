import type { Job } from "@moim/domain/Jobs/Job"
import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "./Rows.ts"

const decodeAdded = Rows.first(Schema.Struct({ id: Schema.NullOr(Schema.String) }))
const decodeCount = Rows.first(Schema.Struct({ added: Schema.Int }))

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
    /**
     * Enqueues many jobs of one kind in one statement (`graphile_worker.add_jobs`), each with its own
     * run time and key, on the caller's connection like `enqueue`. Of several entries with the same
     * key, the last one counts. Returns how many jobs were added or replaced.
     */
    readonly enqueueMany: <P extends Schema.Top>(
      job: Job<string, P>,
      entries: ReadonlyArray<{
        readonly payload: P["Type"]
        readonly runAt?: DateTime.Utc | undefined
        readonly jobKey?: string | undefined
      }>
    ) => Effect.Effect<number, never, P["EncodingServices"]>
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
        const key = options?.jobKey ?? job.key?.(payload) ?? null
        const add = sql`
          SELECT id::text FROM graphile_worker.add_job(
            ${job.name},
            ${JSON.stringify(encoded)}::json,
            queue_name => ${options?.queueName ?? null},
            run_at => ${runAt}::timestamptz,
            max_attempts => ${job.maxAttempts},
            job_key => ${key},
            priority => ${options?.priority ?? null}
          )
        `.pipe(
          Effect.orDie,
          Effect.flatMap(decodeAdded),
          Effect.map((row) => Option.flatMap(row, (added) => Option.fromNullishOr(added.id)))
        )
        // With a key, \`add_job\` answers no job when a worker took the keyed job between its clearing
        // the key of a running job and its insert. The job with the key is then the one to report;
        // if it finished meanwhile, adding again inserts a fresh one.
        const existing = (jobKey: string) =>
          sql`SELECT id::text FROM graphile_worker._private_jobs WHERE key = ${jobKey}`.pipe(
            Effect.orDie,
            Effect.flatMap(decodeAdded),
            Effect.map((row) => Option.flatMap(row, (found) => Option.fromNullishOr(found.id)))
          )
        let added = yield* add
        if (Option.isNone(added) && key !== null) added = yield* existing(key)
        if (Option.isNone(added)) added = yield* add
        if (Option.isNone(added))
          return yield* Effect.die(new Error(`graphile_worker.add_job returned no job for ${job.name}`))
        yield* Effect.annotateCurrentSpan({ job: job.name, jobId: added.value })
        return added.value
      })
      const enqueueMany = Effect.fn("JobQueue.enqueueMany")(function* <P extends Schema.Top>(
        job: Job<string, P>,
        entries: ReadonlyArray<{
          readonly payload: P["Type"]
          readonly runAt?: DateTime.Utc | undefined
          readonly jobKey?: string | undefined
        }>
      ) {
        if (entries.length === 0) return 0
        const encode = Schema.encodeEffect(Schema.toCodecJson(job.payload))
        const specs = yield* Effect.forEach(entries, (entry) =>
          Effect.map(encode(entry.payload), (payload) => ({
            identifier: job.name,
            payload,
            run_at: entry.runAt === undefined ? null : DateTime.formatIso(entry.runAt),
            max_attempts: job.maxAttempts,
            job_key: entry.jobKey ?? job.key?.(entry.payload) ?? null
          }))
        ).pipe(Effect.orDie)
        // One statement may not insert the same key twice: the last entry of a key wins.
        const byKey = new Map<string, (typeof specs)[number]>()
        const unkeyed: Array<(typeof specs)[number]> = []
        for (const spec of specs) {
          if (spec.job_key === null) unkeyed.push(spec)
          else byKey.set(spec.job_key, spec)
        }
        const added = yield* sql`
          SELECT count(*)::int AS added FROM graphile_worker.add_jobs(
            array(SELECT json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify([
              ...unkeyed,
              ...byKey.values()
            ])}::json))
          )
        `.pipe(Effect.orDie, Effect.flatMap(decodeCount))
        const count = Option.match(added, { onNone: () => 0, onSome: (row) => row.added })
        yield* Effect.annotateCurrentSpan({ job: job.name, jobs: count })
        return count
      })
      return JobQueue.of({ enqueue, enqueueMany })
    })
  )
}
