import { MaintainActivityPartitionsHandler } from "./MaintainActivityPartitions.ts"

/** The analytics feature's jobs: the daily upkeep of the activity table's partitions. */
export const AnalyticsJobs = [MaintainActivityPartitionsHandler] as const
