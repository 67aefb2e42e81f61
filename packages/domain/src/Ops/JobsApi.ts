import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { Forbidden } from "../Kit/AccessErrors.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, PageQuery } from "../Kit/Page.ts"
import {
  CronList,
  CronNotFound,
  JobId,
  JobInfo,
  JobList,
  JobNotFailed,
  JobNotFound,
  JobQueues,
  JobRunning,
  JobState,
  JobTask,
  RetriedJobs,
  WorkerList
} from "./Jobs.ts"

const adminOnly = OpenApi.annotations({ override: { security: [{ bearer: ["admin"] }] } })

export const RetryFailedJobsPayload = Schema.Struct({ task: JobTask }).annotate({
  identifier: "RetryFailedJobsPayload",
  description: "The task whose failed jobs are queued again"
})

export const GetJobQueues = Operation.make(
  {
    rpc: "GetJobQueues",
    access: Access.signedIn,
    success: JobQueues,
    errors: [Forbidden],
    summary: "Queue depth per task",
    description: "How many jobs of each task are pending, scheduled for later, running and failed. Site admins only."
  },
  (rest) =>
    HttpApiEndpoint.get("queues", "/admin/jobs/queues", rest.options)
      .middleware(rest.middleware)
      .annotateMerge(adminOnly)
)

export const ListJobs = Operation.make(
  {
    rpc: "ListJobs",
    access: Access.signedIn,
    query: {
      state: JobState,
      task: Schema.optional(JobTask),
      ...PageQuery
    },
    success: JobList,
    errors: [InvalidCursor, Forbidden],
    summary: "Jobs in one state",
    description:
      "Pending jobs (due first), running jobs with the worker holding them, or failed jobs with their last error (the dead letters, most recent first); optionally of one task; a page at a time (`nextCursor`). Site admins only."
  },
  (rest) =>
    HttpApiEndpoint.get("list", "/admin/jobs", rest.options).middleware(rest.middleware).annotateMerge(adminOnly)
)

export const RetryJob = Operation.make(
  {
    rpc: "RetryJob",
    access: Access.signedIn,
    params: { id: JobId },
    success: JobInfo,
    errors: [JobNotFound, JobNotFailed, Forbidden],
    summary: "Retry a failed job",
    description: "Queues a failed job again now, with its attempts reset. Site admins only."
  },
  (rest) =>
    HttpApiEndpoint.post("retry", "/admin/jobs/:id/retry", rest.options)
      .middleware(rest.middleware)
      .annotateMerge(adminOnly)
)

export const RetryFailedJobs = Operation.make(
  {
    rpc: "RetryFailedJobs",
    access: Access.signedIn,
    body: Operation.body(RetryFailedJobsPayload),
    success: RetriedJobs,
    errors: [Forbidden],
    summary: "Retry every failed job of a task",
    description: "Queues every failed job of the task again now, with their attempts reset. Site admins only."
  },
  (rest) =>
    HttpApiEndpoint.post("retryFailed", "/admin/jobs/retry-failed", rest.options)
      .middleware(rest.middleware)
      .annotateMerge(adminOnly)
)

export const CancelJob = Operation.make(
  {
    rpc: "CancelJob",
    access: Access.signedIn,
    params: { id: JobId },
    errors: [JobNotFound, JobRunning, Forbidden],
    summary: "Cancel a job",
    description: "Removes a pending or failed job from the queue; a running job is left to finish. Site admins only."
  },
  (rest) =>
    HttpApiEndpoint.delete("cancel", "/admin/jobs/:id", rest.options)
      .middleware(rest.middleware)
      .annotateMerge(adminOnly)
)

export const ListCrons = Operation.make(
  {
    rpc: "ListCrons",
    access: Access.signedIn,
    success: CronList,
    errors: [Forbidden],
    summary: "Crons",
    description: "Every cron the workers run, with its schedule (UTC), its last run and its next. Site admins only."
  },
  (rest) =>
    HttpApiEndpoint.get("crons", "/admin/jobs/crons", rest.options).middleware(rest.middleware).annotateMerge(adminOnly)
)

export const RunCron = Operation.make(
  {
    rpc: "RunCron",
    access: Access.signedIn,
    params: { task: JobTask },
    success: JobInfo,
    status: 201,
    errors: [CronNotFound, Forbidden],
    summary: "Run a cron now",
    description:
      "Queues one run of a cron's task now, beside its schedule (a rebuild or a cleanup that should not wait). Only the crons' tasks may be run by hand. Site admins only."
  },
  (rest) =>
    HttpApiEndpoint.post("runCron", "/admin/jobs/crons/:task/run", rest.options)
      .middleware(rest.middleware)
      .annotateMerge(adminOnly)
)

export const ListWorkers = Operation.make(
  {
    rpc: "ListWorkers",
    access: Access.signedIn,
    success: WorkerList,
    errors: [Forbidden],
    summary: "Workers",
    description: "Worker processes with their last heartbeat; `alive` when seen in the last 45 s. Site admins only."
  },
  (rest) =>
    HttpApiEndpoint.get("workers", "/admin/jobs/workers", rest.options)
      .middleware(rest.middleware)
      .annotateMerge(adminOnly)
)

export const JobsOperations = [
  GetJobQueues,
  ListJobs,
  RetryJob,
  RetryFailedJobs,
  CancelJob,
  ListCrons,
  RunCron,
  ListWorkers
] as const

export class JobsApi extends Operation.httpGroup("jobs", JobsOperations).annotateMerge(
  OpenApi.annotations({ title: "Jobs", description: "The job queue, crons and workers, for site admins" })
) {}

export const JobsRpcs = Operation.rpcGroup(JobsOperations)
