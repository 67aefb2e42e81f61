import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"

/**
 * Cron (daily): makes the activity table's monthly partitions for the coming months and drops those
 * past the retention (`ANALYTICS_RETENTION`, in months).
 */
export const MaintainActivityPartitions = Job.make("MaintainActivityPartitions", Schema.Struct({}), { maxAttempts: 3 })
