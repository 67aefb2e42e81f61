import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"

/** Cron (daily): forgets the earlier texts of messages deleted longer ago than their retention. */
export const PurgeDeletedMessages = Job.make("PurgeDeletedMessages", Schema.Struct({}), { maxAttempts: 1 })
