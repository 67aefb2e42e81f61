import { MaintainActivityPartitions } from "@moim/domain/Analytics/MaintainActivityPartitions"
import { ActivityPartitions, analyticsRetention } from "@moim/server/Analytics/ActivityPartitions"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/**
 * Daily at 02:11 (cron): makes the activity table's partitions for this month and the next three,
 * drops those older than `ANALYTICS_RETENTION` months, and reports what it changed.
 */
export const MaintainActivityPartitionsHandler = JobHandler.make(
  MaintainActivityPartitions,
  () =>
    Effect.gen(function* () {
      const retention = yield* analyticsRetention
      const changes = yield* ActivityPartitions.use((partitions) => partitions.maintain(retention))
      if (changes.created.length > 0 || changes.dropped.length > 0 || changes.purged > 0) {
        yield* Effect.logInfo("activity partitions maintained").pipe(
          Effect.annotateLogs({
            created: changes.created.join(","),
            dropped: changes.dropped.join(","),
            purged: changes.purged
          })
        )
      }
    }),
  { schedule: "11 2 * * *" }
)
