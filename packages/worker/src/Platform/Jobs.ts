import { SendEmailHandler } from "./SendEmail.ts"
import { WorkerHeartbeatHandler } from "./WorkerHeartbeat.ts"

/** The platform's jobs: mail delivery and the worker's own heartbeat cron. */
export const PlatformJobs = [SendEmailHandler, WorkerHeartbeatHandler] as const
