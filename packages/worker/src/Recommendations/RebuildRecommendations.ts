import { RebuildRecommendations } from "@moim/domain/Recommendations/RecommendationJobs"
import { Rebuild } from "@moim/server/Recommendations/Rebuild"
import { Duration, Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/** Nightly at 02:43 (cron): every active user's suggestions, rebuilt in batches. */
export const RebuildRecommendationsHandler = JobHandler.make(
  RebuildRecommendations,
  () =>
    Effect.gen(function* () {
      const rebuild = yield* Rebuild
      const [duration, report] = yield* Effect.timed(rebuild.all)
      yield* Effect.logInfo("rebuilt recommendations").pipe(
        Effect.annotateLogs({ ...report, durationMs: Duration.toMillis(duration) })
      )
    }),
  { schedule: "43 2 * * *" }
)
