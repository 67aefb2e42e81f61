import { Schema } from "effect"
import { Timestamp } from "../Kit/Timestamp.ts"

export class WorkerStatus extends Schema.Class<WorkerStatus>("WorkerStatus")(
  Schema.Struct({
    workerId: Schema.String,
    hostname: Schema.String,
    pid: Schema.Int,
    startedAt: Timestamp,
    lastSeenAt: Timestamp.annotate({ description: "Last heartbeat recorded by this worker's cron" }),
    lockId: Schema.NullOr(Schema.String).annotate({
      description: "What this worker's running jobs show as `lockedBy`; null until its job pool has started"
    }),
    alive: Schema.Boolean.annotate({ description: "Seen within the last three heartbeat intervals" })
  }).annotate({ description: "A worker process and its last heartbeat" }),
  { description: "A worker process and its last heartbeat" }
) {}

export class FailedJob extends Schema.Class<FailedJob>("FailedJob")(
  Schema.Struct({
    id: Schema.String,
    task: Schema.String,
    attempts: Schema.Int,
    maxAttempts: Schema.Int,
    lastError: Schema.NullOr(Schema.String),
    runAt: Timestamp
  }).annotate({ description: "A job that used up its attempts" }),
  { description: "A job that used up its attempts" }
) {}

export class QueueDepth extends Schema.Class<QueueDepth>("QueueDepth")(
  Schema.Struct({
    pending: Schema.Int.annotate({ description: "Jobs waiting to run (including retries scheduled later)" }),
    running: Schema.Int,
    failed: Schema.Int.annotate({ description: "Jobs that used up their attempts" })
  }).annotate({ description: "How many jobs are in each state" }),
  { description: "How many jobs are in each state" }
) {}

export class OpsReport extends Schema.Class<OpsReport>("OpsReport")(
  {
    workers: Schema.Array(WorkerStatus),
    queue: QueueDepth,
    failedJobs: Schema.Array(FailedJob).annotate({
      description: "The most recent failed jobs, newest first (`failedLimit`, default 50)"
    })
  },
  { description: "Workers, queue depth and failed jobs" }
) {}
