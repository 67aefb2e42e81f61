import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"

/**
 * Cron (hourly): deletes photos never finalised or never attached within the grace period, and
 * photos deleted since, with their stored files; marks as failed a photo whose processing never
 * finished.
 */
export const PurgeUnusedMedia = Job.make("PurgeUnusedMedia", Schema.Struct({}), { maxAttempts: 3 })
