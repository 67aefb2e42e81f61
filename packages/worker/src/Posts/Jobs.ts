import { NotifyPostEventHandler } from "./NotifyPostEvent.ts"
import { PurgeDeletedPostsHandler } from "./PurgeDeletedPosts.ts"

/** The posts feature's jobs: notifying people of new posts, comments, mentions and reactions; the purge of deleted posts. */
export const PostsJobs = [NotifyPostEventHandler, PurgeDeletedPostsHandler] as const
