import { PurgeUnusedMedia } from "@moim/domain/Media/PurgeUnusedMedia"
import { MediaPurge } from "@moim/server/Media/MediaPurge"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/** Hourly at :41 (cron): photos unused past the grace period, and deleted ones, go with their files. */
export const PurgeUnusedMediaHandler = JobHandler.make(
  PurgeUnusedMedia,
  () =>
    Effect.gen(function* () {
      const purge = yield* MediaPurge
      const result = yield* purge.purgeUnused
      if (result.failed + result.unused + result.removed > 0) {
        yield* Effect.logInfo("purged unused media").pipe(Effect.annotateLogs(result))
      }
    }),
  { schedule: "41 * * * *" }
)
