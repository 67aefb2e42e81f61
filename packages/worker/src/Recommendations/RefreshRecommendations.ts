import { RefreshRecommendations } from "@moim/domain/Recommendations/RecommendationJobs"
import { Rebuild } from "@moim/server/Recommendations/Rebuild"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/** One user's suggestions, rebuilt after they joined, left, followed, befriended or answered an event. */
export const RefreshRecommendationsHandler = JobHandler.make(RefreshRecommendations, ({ userId }) =>
  Effect.gen(function* () {
    const rebuild = yield* Rebuild
    yield* rebuild.refresh(userId)
  })
)
