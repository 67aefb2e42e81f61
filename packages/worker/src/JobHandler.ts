import type { Job } from "@moim/domain/Jobs/Job"
import { Effect, Schema } from "effect"

/** A job failed and retrying cannot help (a malformed payload, a mailbox that does not exist). */
export class PermanentJobFailure extends Schema.TaggedError<PermanentJobFailure>()("PermanentJobFailure", {
  message: Schema.String
}) {}

/**
 * The worker's implementation of one declared job. `run` decodes the stored JSON payload with the
 * job's schema and runs the handler; any failure but `PermanentJobFailure` is retried with backoff.
 */
export interface JobHandler<R> {
  /** The declared job it handles (its name is the queue's task name). */
  readonly job: { readonly name: string }
  readonly run: (payload: unknown) => Effect.Effect<void, unknown, R>
  /** For a cron: when it runs (crontab syntax, whole minutes). The worker's crontab is made of these. */
  readonly schedule: string | undefined
}

export const make = <P extends Schema.Top, E, R>(
  job: Job<string, P>,
  handle: (payload: P["Type"]) => Effect.Effect<void, E, R>,
  options?: { readonly schedule?: string }
): JobHandler<R | P["DecodingServices"]> => ({
  job,
  schedule: options?.schedule,
  run: (payload) =>
    Schema.decodeUnknownEffect(Schema.toCodecJson(job.payload))(payload).pipe(
      Effect.mapError((error) => new PermanentJobFailure({ message: `Invalid ${job.name} payload: ${error.message}` })),
      Effect.flatMap(handle),
      Effect.withSpan(`Job.${job.name}`)
    )
})

/** The services a handler needs to run. */
export type Services<H> = H extends JobHandler<infer R> ? R : never
