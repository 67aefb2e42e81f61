import { Schema } from "effect"
import * as Job from "./Job.ts"

/** Cron (hourly): removes `Idempotency-Key`s and their kept responses once their 24 hours are over. */
export const PurgeIdempotencyKeys = Job.make("PurgeIdempotencyKeys", Schema.Struct({}), { maxAttempts: 1 })
