import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"

/** Cron (hourly): drops stream events older than the retention window (`STREAM_RETENTION`). */
export const PurgeStreamEvents = Job.make("PurgeStreamEvents", Schema.Struct({}), { maxAttempts: 3 })
