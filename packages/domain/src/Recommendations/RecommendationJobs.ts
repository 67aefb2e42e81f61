import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import * as Job from "../Jobs/Job.ts"

/**
 * Cron (nightly): rebuilds every user's suggestions and inferred interests, in batches of users, each
 * batch replacing its users' suggestions in one transaction.
 */
export const RebuildRecommendations = Job.make("RebuildRecommendations", Schema.Struct({}), { maxAttempts: 3 })

/**
 * One user's suggestions, rebuilt after something they did (joined or left a group, followed or
 * befriended someone, answered an event, changed their interests). Not keyed: a user's changes come
 * in bursts, and graphile-worker's `add_job` answers no job when a keyed job is locked by a worker
 * between its two statements; a rebuild of one user is cheap and idempotent, so each change has its own.
 */
export const RefreshRecommendations = Job.make("RefreshRecommendations", Schema.Struct({ userId: UserId }), {
  maxAttempts: 5
})
