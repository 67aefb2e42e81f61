import { Effect } from "effect"
import { inBatches, purgeBatchSize, Retention, retentionSeconds } from "../platform/Purge.ts"
import { PostsRepo } from "./PostsRepo.ts"

/** What the purge needs, for the worker's handler. */
export const PostsPurgeLive = PostsRepo.layer

/**
 * The `PurgeDeletedPosts` cron's work: posts deleted more than `DELETED_CONTENT_RETENTION` ago go
 * for good, with their comments, versions, bookmarks and reactions. Comments deleted on live posts
 * stay: empty placeholders of their replies. How many posts it removed.
 */
export const purgeDeletedPosts = Effect.gen(function* () {
  const posts = yield* PostsRepo
  const retention = retentionSeconds(yield* Retention.deletedContent)
  return { posts: yield* inBatches(posts.purgeDeleted(retention, purgeBatchSize)) }
}).pipe(Effect.withSpan("purgeDeletedPosts"))
