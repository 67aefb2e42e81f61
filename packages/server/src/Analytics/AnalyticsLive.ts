import { Layer } from "effect"
import { ActivityPartitions } from "./ActivityPartitions.ts"
import { ActivityRepo } from "./ActivityRepo.ts"
import { Analytics } from "./Analytics.ts"

/** The aggregates for site admins and the partitions' upkeep (the worker's cron), on `activity_events`. */
export const AnalyticsLive = Layer.mergeAll(Analytics.layer, ActivityPartitions.layer).pipe(
  Layer.provide(ActivityRepo.layer)
)
