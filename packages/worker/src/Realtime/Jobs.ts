import { PurgeStreamEventsHandler } from "./PurgeStreamEvents.ts"

/** The realtime feature's jobs: the hourly purge of old stream events. */
export const RealtimeJobs = [PurgeStreamEventsHandler] as const
