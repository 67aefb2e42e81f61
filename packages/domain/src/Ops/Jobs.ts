import { Schema } from "effect"
import { Text } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"
import { WorkerStatus } from "./Ops.ts"

/** A job's id in the queue (graphile-worker's `bigint`), as digits. */
export const JobId = Text({
  minLength: 1,
  maxLength: 19,
  annotations: { description: "A job's id in the queue", examples: ["42"] }
}).check(Schema.isPattern(/^[1-9][0-9]*$/u))

/** A job's task: the name it was declared with (`SendEmail`, `PurgeDeletedGroups`). */
export const JobTask = Text({
  minLength: 1,
  maxLength: 100,
  annotations: { description: "A job's task: the name it was declared with", examples: ["PurgeDeletedGroups"] }
}).check(Schema.isPattern(/^[A-Za-z][A-Za-z0-9_]*$/u))

export const JobState = Schema.Literals(["pending", "running", "failed"]).annotate({
  identifier: "JobState",
  description:
    "`pending`: waiting to run (now, or at `runAt` for a retry or a delayed job); `running`: locked by a worker; `failed`: used up its attempts (a dead letter)"
})
export type JobState = typeof JobState.Type

export class JobInfo extends Schema.Class<JobInfo>("JobInfo")(
  {
    id: Schema.String,
    task: Schema.String,
    state: JobState,
    queue: Schema.NullOr(Schema.String).annotate({ description: "The named queue that runs its jobs one at a time" }),
    key: Schema.NullOr(Schema.String).annotate({ description: "Its idempotency key, when it has one" }),
    attempts: Schema.Int,
    maxAttempts: Schema.Int,
    runAt: Timestamp.annotate({ description: "When it runs (or ran last, or is retried)" }),
    createdAt: Timestamp,
    lastError: Schema.NullOr(Schema.String).annotate({ description: "The error of its last failed attempt" }),
    lockedBy: Schema.NullOr(Schema.String).annotate({ description: "The worker running it" }),
    lockedAt: Schema.NullOr(Timestamp)
  },
  { description: "A job in the queue" }
) {}

export class JobList extends Schema.Class<JobList>("JobList")(
  {
    items: Schema.Array(JobInfo),
    nextCursor: Schema.NullOr(Schema.String).annotate({
      description: "Pass as `cursor` to get the next page; null on the last page"
    })
  },
  { description: "A page of jobs, those due first (failed jobs: the most recently failed first)" }
) {}

export class TaskQueueDepth extends Schema.Class<TaskQueueDepth>("TaskQueueDepth")(
  Schema.Struct({
    task: Schema.String,
    pending: Schema.Int.annotate({ description: "Due and waiting for a worker" }),
    scheduled: Schema.Int.annotate({ description: "Waiting for a later time (a retry's backoff, a delayed job)" }),
    running: Schema.Int,
    failed: Schema.Int.annotate({ description: "Used up their attempts (dead letters)" })
  }).annotate({ description: "How many jobs of one task are in each state" }),
  { description: "How many jobs of one task are in each state" }
) {}

export class JobQueues extends Schema.Class<JobQueues>("JobQueues")(
  { tasks: Schema.Array(TaskQueueDepth).annotate({ description: "Every task with a job in the queue, by name" }) },
  { description: "The queue's depth per task" }
) {}

export class CronInfo extends Schema.Class<CronInfo>("CronInfo")(
  Schema.Struct({
    task: Schema.String,
    schedule: Schema.String.annotate({ description: "Crontab time spec, in UTC", examples: ["17 3 * * *"] }),
    lastRun: Schema.NullOr(Timestamp).annotate({ description: "When it was last scheduled by a worker" }),
    nextRun: Schema.NullOr(Timestamp).annotate({
      description: "When it runs next; null for a schedule that never fires"
    })
  }).annotate({ description: "A cron: its schedule, and its last and next run" }),
  { description: "A cron: its schedule, and its last and next run" }
) {}

export class CronList extends Schema.Class<CronList>("CronList")(
  { items: Schema.Array(CronInfo) },
  { description: "The crons the workers run, as the last started worker registered them" }
) {}

export class WorkerList extends Schema.Class<WorkerList>("WorkerList")(
  { items: Schema.Array(WorkerStatus) },
  { description: "Worker processes, the most recently seen first" }
) {}

export class RetriedJobs extends Schema.Class<RetriedJobs>("RetriedJobs")(
  { retried: Schema.Int.annotate({ description: "How many failed jobs were queued again" }) },
  { description: "Failed jobs queued again" }
) {}

export class JobNotFound extends Schema.TaggedError<JobNotFound>()(
  "JobNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "JobNotFound", description: "No job with that id is in the queue" }
) {}

export class JobNotFailed extends Schema.TaggedError<JobNotFailed>()(
  "JobNotFailed",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "JobNotFailed", description: "Only a failed job is retried" }
) {}

export class JobRunning extends Schema.TaggedError<JobRunning>()(
  "JobRunning",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "JobRunning", description: "A running job cannot be cancelled" }
) {}

export class CronNotFound extends Schema.TaggedError<CronNotFound>()(
  "CronNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "CronNotFound", description: "No cron runs that task" }
) {}
