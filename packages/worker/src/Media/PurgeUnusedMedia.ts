import { PurgeUnusedMedia } from "@moim/domain/Media/PurgeUnusedMedia"
import { MediaOrphans } from "@moim/server/Media/MediaOrphans"
import { MediaPurge } from "@moim/server/Media/MediaPurge"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/**
 * Hourly at :41 (cron): photos whose subject was removed without them are detached first; photos
 * unused past the grace period, and deleted ones, go with their files.
 */
export const PurgeUnusedMediaHandler = JobHandler.make(
  PurgeUnusedMedia,
  () =>
    Effect.gen(function* () {
      const orphaned = yield* MediaOrphans.use((orphans) => orphans.sweep)
      const purge = yield* MediaPurge
      const result = yield* purge.purgeUnused
      if (orphaned + result.failed + result.unused + result.removed > 0) {
        yield* Effect.logInfo("purged unused media").pipe(Effect.annotateLogs({ orphaned, ...result }))
      }
    }),
  { schedule: "41 * * * *" }
)
