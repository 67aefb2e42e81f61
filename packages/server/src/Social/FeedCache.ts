import type { UserId } from "@moim/domain/Accounts/User"
import { PostId } from "@moim/domain/Posts/Post"
import { Context, Effect, Layer, Schema } from "effect"
import { Cache, type CacheNamespace } from "../platform/Cache.ts"

/** The first page of a user's home feed, as ids: the posts themselves are read (and checked) on every request. */
export const CachedFeedPage = Schema.Struct({
  limit: Schema.Int,
  ids: Schema.Array(PostId),
  nextCursor: Schema.NullOr(Schema.String),
  /** When it was computed (epoch ms): a post of the user's own after that makes it stale. */
  computedAt: Schema.Number
})
export type CachedFeedPage = typeof CachedFeedPage.Type

/** How long a first page is kept: the longest a followee's new post waits before it shows. */
export const feedCacheTtl = "30 seconds"

/**
 * The per-user cache of home feed first pages. Changes to whom a user follows or befriends, and
 * blocks, drop that user's entry at once; a post of their own makes it stale; a followee's new post
 * shows once the entry expires (`feedCacheTtl`). A deleted or newly hidden post needs no
 * invalidation: the entry holds ids, and the posts are read and checked on every request.
 */
export class FeedCache extends Context.Service<
  FeedCache,
  {
    readonly pages: CacheNamespace<CachedFeedPage>
    readonly invalidate: (userId: UserId) => Effect.Effect<void>
  }
>()("@moim/server/Social/FeedCache") {
  static readonly layer = Layer.effect(
    FeedCache,
    Effect.gen(function* () {
      const cache = yield* Cache
      const pages = cache.namespace({ name: "social:feed", schema: CachedFeedPage, ttl: feedCacheTtl })
      return FeedCache.of({ pages, invalidate: (userId) => pages.invalidate(userId) })
    })
  )
}
