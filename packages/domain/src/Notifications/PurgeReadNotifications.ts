import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"

/** Cron (daily): removes notifications read longer ago than their retention. */
export const PurgeReadNotifications = Job.make("PurgeReadNotifications", Schema.Struct({}), { maxAttempts: 1 })
