import { FeatureServices } from "@moim/server/Features"
import { type HealthCheck, HealthChecks } from "@moim/server/http/Health"
import { databaseCheck } from "@moim/server/Platform"
import { RedisLayers } from "@moim/server/platform/RedisLayers"
import { StreamSequencerLive } from "@moim/server/Realtime/StreamSequencer"
import { DateTime, Duration, Effect, Layer, Option } from "effect"
import { AccountsJobs } from "./Accounts/Jobs.ts"
import { AnalyticsJobs } from "./Analytics/Jobs.ts"
import { ChatJobs } from "./Chat/Jobs.ts"
import { EventsJobs } from "./Events/Jobs.ts"
import { GroupsJobs } from "./Groups/Jobs.ts"
import { Heartbeat, heartbeatInterval } from "./Heartbeat.ts"
import type * as JobHandler from "./JobHandler.ts"
import { JobRunner } from "./JobRunner.ts"
import { MediaJobs } from "./Media/Jobs.ts"
import { NotificationsJobs } from "./Notifications/Jobs.ts"
import { PlatformJobs } from "./Platform/Jobs.ts"
import { PostsJobs } from "./Posts/Jobs.ts"
import { RealtimeJobs } from "./Realtime/Jobs.ts"
import { RecommendationsJobs } from "./Recommendations/Jobs.ts"
import { ReportsJobs } from "./Reports/Jobs.ts"
import { SocialJobs } from "./Social/Jobs.ts"
import { WorkerIdentity } from "./WorkerIdentity.ts"

/** Every job this worker runs: each feature's, one entry per feature. */
const featureJobs = [
  ...PlatformJobs,
  ...AccountsJobs,
  ...GroupsJobs,
  ...NotificationsJobs,
  ...RealtimeJobs,
  ...MediaJobs,
  ...PostsJobs,
  ...ReportsJobs,
  ...EventsJobs,
  ...SocialJobs,
  ...ChatJobs,
  ...AnalyticsJobs,
  ...RecommendationsJobs
]

/** The handlers, typed with every service they need (what `FeatureServices` and the platform provide). */
export const handlers: ReadonlyArray<JobHandler.JobHandler<JobHandler.Services<(typeof featureJobs)[number]>>> =
  featureJobs

/** The crontab, from the schedules the cron jobs declare beside their handlers. */
export const crontab = handlers.flatMap((handler) =>
  handler.schedule === undefined ? [] : [{ task: handler.job.name, match: handler.schedule }]
)

/** The worker: graphile-worker running the handlers, and this process's heartbeat. Needs the platform. */
export const WorkerLive = JobRunner.layer({ handlers, crontab }).pipe(
  Layer.merge(StreamSequencerLive),
  Layer.provideMerge(Heartbeat.layer),
  Layer.provideMerge(WorkerIdentity.layer),
  Layer.provide(FeatureServices)
)

/** Ready while this worker's heartbeat is fresh (missed fewer than three beats). */
export const heartbeatCheck: Effect.Effect<HealthCheck, never, Heartbeat> = Effect.gen(function* () {
  const heartbeat = yield* Heartbeat
  const check = Effect.gen(function* () {
    const last = yield* heartbeat.lastBeat
    const now = yield* DateTime.now
    const fresh = Option.exists(last, (beat) =>
      Duration.isLessThan(DateTime.distance(beat, now), Duration.times(heartbeatInterval, 3))
    )
    if (!fresh) return yield* Effect.fail("heartbeat is stale")
  })
  return { name: "worker", check }
})

/** `/health/ready` of a worker process: its database, Redis when configured, and its own heartbeat. */
export const WorkerHealthChecks = Layer.effect(
  HealthChecks,
  Effect.gen(function* () {
    const redis = yield* RedisLayers.readiness
    return [yield* databaseCheck, ...redis, yield* heartbeatCheck]
  })
)
