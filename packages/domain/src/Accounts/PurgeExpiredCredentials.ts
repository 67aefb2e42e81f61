import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"

/** Cron (hourly): removes ended sessions with their refresh tokens, and expired email tokens and texted codes. */
export const PurgeExpiredCredentials = Job.make("PurgeExpiredCredentials", Schema.Struct({}), { maxAttempts: 1 })
