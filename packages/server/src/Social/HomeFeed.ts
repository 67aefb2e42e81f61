import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import type { Post } from "@moim/domain/Posts/Post"
import { Clock, Context, Effect, Layer, Option } from "effect"
import { Actor } from "../Access/Actor.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { Posts } from "../Posts/Posts.ts"
import { Cursors, type Page, type PageQuery, TimePosition } from "../platform/Cursors.ts"
import { FeedCache } from "./FeedCache.ts"
import { GraphRepo } from "./GraphRepo.ts"

type SignedIn = CurrentUser["Service"]

/**
 * A post's time is its transaction's start, so one committed just after a page was computed may carry
 * an earlier time: a cached page is stale once its user posted less than this before it was computed.
 */
const ownPostMargin = 5_000

/** How many of a user's groups feed their home feed (the most recently joined). */
export const feedGroupLimit = 500

/**
 * The home feed, fanned out on read: each page is one query over the user's sources (whom they
 * follow, their friends, their groups), one index scan per source, merged by time. The first page
 * is cached per user (`FeedCache`); every page's posts are read and checked for the viewer on each
 * request, so what they may no longer see is never shown. See `docs/social.md` for why on read.
 */
export class HomeFeed extends Context.Service<
  HomeFeed,
  { readonly page: (user: SignedIn, query: PageQuery) => Effect.Effect<Page<Post>, InvalidCursor> }
>()("@moim/server/Social/HomeFeed") {
  static readonly layer = Layer.effect(
    HomeFeed,
    Effect.gen(function* () {
      const graph = yield* GraphRepo
      const groups = yield* GroupAccess
      const posts = yield* Posts
      const cursors = yield* Cursors
      const cache = yield* FeedCache

      const compute = Effect.fn("HomeFeed.compute")(function* (
        user: SignedIn,
        limit: number,
        after: TimePosition | null
      ) {
        const scope = `feed:${user.userId}`
        const [authors, groupIds] = yield* Effect.all(
          [graph.feedAuthors(user.userId), groups.memberOf(user.userId, feedGroupLimit)],
          { concurrency: 2 }
        )
        const rows = yield* posts.feed(
          user,
          { authors: authors.map((author) => ({ id: author.userId, friend: author.friend })), groupIds },
          { limit: limit + 1, after }
        )
        return cursors.page(
          scope,
          rows,
          limit,
          (row) => row.id,
          (row) => ({ at: row.createdAt.toISOString(), id: row.id })
        )
      })

      /** The first page from the cache, unless the user posted since it was computed. */
      const firstPage = Effect.fn("HomeFeed.firstPage")(function* (user: SignedIn, limit: number) {
        const [cached, latest] = yield* Effect.all([cache.pages.get(user.userId), posts.latestBy(user.userId)], {
          concurrency: 2
        })
        if (Option.isSome(cached)) {
          // Another page size than the cached one: served without touching the cache.
          if (cached.value.limit !== limit) return yield* compute(user, limit, null)
          if (Option.isNone(latest) || latest.value.getTime() < cached.value.computedAt - ownPostMargin) {
            return { items: cached.value.ids, nextCursor: cached.value.nextCursor }
          }
          yield* cache.invalidate(user.userId)
        }
        const entry = yield* cache.pages.getOrSet(
          user.userId,
          Effect.gen(function* () {
            const computedAt = yield* Clock.currentTimeMillis
            const page = yield* compute(user, limit, null)
            return { limit, ids: page.items, nextCursor: page.nextCursor, computedAt }
          })
        )
        return { items: entry.ids, nextCursor: entry.nextCursor }
      })

      return HomeFeed.of({
        page: Effect.fn("HomeFeed.page")(function* (user, query) {
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, `feed:${user.userId}`, query.cursor)
          const page = after === null ? yield* firstPage(user, limit) : yield* compute(user, limit, after)
          return { items: yield* posts.show(Actor.of(user), page.items), nextCursor: page.nextCursor }
        })
      })
    })
  )
}
