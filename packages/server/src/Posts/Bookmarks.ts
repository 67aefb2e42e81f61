import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import type { Post, PostId, PostNotFound } from "@moim/domain/Posts/Post"
import { Context, Effect, Layer } from "effect"
import { Actor } from "../Access/Actor.ts"
import { Cursors, type Page, type PageQuery, TimePosition } from "../platform/Cursors.ts"
import { BookmarksRepo } from "./BookmarksRepo.ts"
import { PostAccess } from "./PostAccess.ts"
import { PostPolicy } from "./PostPolicy.ts"
import { PostsRepo } from "./PostsRepo.ts"
import { PostViews } from "./PostViews.ts"

type SignedIn = CurrentUser["Service"]

/**
 * Saved posts, private to whoever saved them. A post is saved only while its saver may see it; one
 * they can no longer see (deleted, or its audience or group changed) stays saved but is left out of
 * their list until they may see it again.
 */
export class Bookmarks extends Context.Service<
  Bookmarks,
  {
    readonly save: (user: SignedIn, id: PostId) => Effect.Effect<void, PostNotFound>
    readonly remove: (user: SignedIn, id: PostId) => Effect.Effect<void>
    readonly list: (user: SignedIn, query: PageQuery) => Effect.Effect<Page<Post>, InvalidCursor>
  }
>()("@moim/server/Posts/Bookmarks") {
  static readonly layer = Layer.effect(
    Bookmarks,
    Effect.gen(function* () {
      const repo = yield* BookmarksRepo
      const posts = yield* PostsRepo
      const postAccess = yield* PostAccess
      const views = yield* PostViews
      const cursors = yield* Cursors

      return Bookmarks.of({
        save: Effect.fn("Bookmarks.save")(function* (user, id) {
          yield* postAccess.see(Actor.of(user), yield* posts.find(id))
          yield* repo.save(user.userId, id)
        }),
        remove: (user, id) => repo.remove(user.userId, id),
        list: Effect.fn("Bookmarks.list")(function* (user, query) {
          const scope = `bookmarks:${user.userId}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* repo.list({ userId: user.userId, limit: limit + 1, after })
          const page = cursors.page(
            scope,
            rows,
            limit,
            (row) => row.postId,
            (row) => ({ at: row.createdAt.toISOString(), id: row.postId })
          )
          const found = new Map((yield* posts.findMany(page.items)).map((row) => [row.id, row] as const))
          const ordered = page.items.flatMap((id) => {
            const row = found.get(id)
            return row === undefined ? [] : [row]
          })
          const seen = (yield* postAccess.contexts(Actor.of(user), ordered)).filter(PostPolicy.canSee)
          return { items: yield* views.posts(seen), nextCursor: page.nextCursor }
        })
      })
    })
  )
}
