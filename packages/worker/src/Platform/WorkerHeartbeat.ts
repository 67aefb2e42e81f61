import { WorkerHeartbeat } from "@moim/domain/Jobs/WorkerHeartbeat"
import { Effect } from "effect"
import { Heartbeat } from "../Heartbeat.ts"
import * as JobHandler from "../JobHandler.ts"

/** Every minute (cron): proves crons fire and jobs run end to end; prunes long-dead workers. */
export const WorkerHeartbeatHandler = JobHandler.make(
  WorkerHeartbeat,
  () =>
    Effect.gen(function* () {
      const heartbeat = yield* Heartbeat
      yield* heartbeat.recordCronRun
    }),
  { schedule: "* * * * *" }
)
