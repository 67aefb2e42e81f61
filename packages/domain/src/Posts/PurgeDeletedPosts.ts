import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"

/** Cron (daily): removes posts deleted longer ago than their retention, with their comments and reactions. */
export const PurgeDeletedPosts = Job.make("PurgeDeletedPosts", Schema.Struct({}), { maxAttempts: 1 })
