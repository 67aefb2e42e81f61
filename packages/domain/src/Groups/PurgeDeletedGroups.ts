import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"

/** Cron (daily): removes groups deleted more than 30 days ago, with their members, invitations and image. */
export const PurgeDeletedGroups = Job.make("PurgeDeletedGroups", Schema.Struct({}), { maxAttempts: 3 })
