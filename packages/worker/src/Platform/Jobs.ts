import { PurgeIdempotencyKeysHandler } from "./PurgeIdempotencyKeys.ts"
import { SendEmailHandler } from "./SendEmail.ts"
import { WorkerHeartbeatHandler } from "./WorkerHeartbeat.ts"

/** The platform's jobs: mail delivery, the worker's own heartbeat cron, and the expiry of idempotency keys. */
export const PlatformJobs = [SendEmailHandler, WorkerHeartbeatHandler, PurgeIdempotencyKeysHandler] as const
