import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import {
  CancelJob,
  GetJobQueues,
  JobsRpcs,
  ListCrons,
  ListJobs,
  ListWorkers,
  RetryFailedJobs,
  RetryJob,
  RunCron
} from "@moim/domain/Ops/JobsApi"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive } from "../Access/AccessLive.ts"
import { Actor } from "../Access/Actor.ts"
import * as Operations from "../http/Operations.ts"
import { JobOps } from "./JobOps.ts"

/** One handler per job operation, run by both surfaces; every one is for site admins only. */
const handlers = Effect.gen(function* () {
  const jobs = yield* JobOps
  const admin = <A, E>(effect: Effect.Effect<A, E>) =>
    CurrentUser.use((user) => Effect.andThen(Actor.requireSiteAdmin(Actor.of(user)), effect))
  return JobsRpcs.of({
    GetJobQueues: () => admin(jobs.queues),
    ListJobs: (query) => admin(jobs.list(query)),
    RetryJob: ({ id }) => admin(jobs.retry(id)),
    RetryFailedJobs: ({ task }) => admin(jobs.retryFailed(task)),
    CancelJob: ({ id }) => admin(jobs.cancel(id)),
    ListCrons: () => admin(jobs.crons),
    RunCron: ({ task }) => admin(jobs.runCron(task)),
    ListWorkers: () => admin(jobs.workers)
  })
})

export const JobsRpc = JobsRpcs.toLayer(handlers).pipe(Layer.provide(JobOps.layer))

const JobsHttp = HttpApiBuilder.group(Api, "jobs", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(GetJobQueues, handler.GetJobQueues),
      ...Operations.rest(ListJobs, handler.ListJobs),
      ...Operations.rest(RetryJob, handler.RetryJob),
      ...Operations.rest(RetryFailedJobs, handler.RetryFailedJobs),
      ...Operations.rest(CancelJob, handler.CancelJob),
      ...Operations.rest(ListCrons, handler.ListCrons),
      ...Operations.rest(RunCron, handler.RunCron),
      ...Operations.rest(ListWorkers, handler.ListWorkers)
    })
  )
)

/** The jobs REST group with the middleware its endpoints use. */
export const JobsHttpLive = JobsHttp.pipe(Layer.provide([AuthenticationLive, JobOps.layer]))
