import { PurgeStreamEvents } from "@moim/domain/Realtime/PurgeStreamEvents"
import { StreamRepo } from "@moim/server/Realtime/StreamRepo"
import { streamRetention } from "@moim/server/Realtime/StreamSequencer"
import { Duration, Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/**
 * Hourly at :23 (cron): forgets stream events older than the retention window. A client whose cursor
 * is older is told to reload (`stream.reset`) instead of receiving a stream with a hole.
 */
export const PurgeStreamEventsHandler = JobHandler.make(
  PurgeStreamEvents,
  () =>
    Effect.gen(function* () {
      const retention = yield* streamRetention
      const purged = yield* StreamRepo.use((repo) => repo.purge(Math.floor(Duration.toSeconds(retention))))
      if (purged > 0) yield* Effect.logInfo("purged stream events").pipe(Effect.annotateLogs({ purged }))
    }).pipe(Effect.provide(StreamRepo.layer)),
  { schedule: "23 * * * *" }
)
