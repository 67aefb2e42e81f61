import { NotifyPostEventHandler } from "./NotifyPostEvent.ts"

/** The posts feature's jobs: notifying people of new posts, comments, mentions and reactions. */
export const PostsJobs = [NotifyPostEventHandler] as const
