import { Schema } from "effect"
import * as Job from "./Job.ts"

/** Cron (every minute): records that a worker is alive, shown by the ops endpoint. */
export const WorkerHeartbeat = Job.make("WorkerHeartbeat", Schema.Struct({}), { maxAttempts: 1 })
