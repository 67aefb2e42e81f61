import { RebuildRecommendationsHandler } from "./RebuildRecommendations.ts"
import { RefreshRecommendationsHandler } from "./RefreshRecommendations.ts"

/** The recommendations feature's jobs: the nightly rebuild, and one user's refresh after what they did. */
export const RecommendationsJobs = [RebuildRecommendationsHandler, RefreshRecommendationsHandler] as const
