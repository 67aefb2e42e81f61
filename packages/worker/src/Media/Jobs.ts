import { ProcessMediaHandler } from "./ProcessMedia.ts"
import { PurgeUnusedMediaHandler } from "./PurgeUnusedMedia.ts"

/** The media feature's jobs: processing each finalised photo, and the hourly purge of unused ones. */
export const MediaJobs = [ProcessMediaHandler, PurgeUnusedMediaHandler] as const
