import { Post } from "@moim/domain/Posts/Post"
import { Context, DateTime, Effect, Layer } from "effect"
import { Profiles } from "../Accounts/Profiles.ts"
import { type PostContext, PostPolicy } from "./PostPolicy.ts"

const utc = (date: Date) => DateTime.fromDateUnsafe(date)

/** How stored posts are shown: authors through `Profiles` (one batch per page), and what the viewer may do. */
export class PostViews extends Context.Service<
  PostViews,
  { readonly posts: (contexts: ReadonlyArray<PostContext>) => Effect.Effect<Array<Post>> }
>()("@moim/server/Posts/PostViews") {
  static readonly layer = Layer.effect(
    PostViews,
    Effect.gen(function* () {
      const profiles = yield* Profiles
      return PostViews.of({
        posts: Effect.fn("PostViews.posts")(function* (contexts) {
          const authors = yield* profiles.getMany(contexts.map((context) => context.post.authorId))
          return contexts.flatMap((context) => {
            const row = context.post
            const author = authors.get(row.authorId)
            // A post whose author's account is gone is not shown.
            if (author === undefined) return []
            return [
              new Post({
                id: row.id,
                author,
                place:
                  row.groupId === null
                    ? { kind: "profile", userId: row.authorId }
                    : { kind: "group", groupId: row.groupId },
                audience: row.audience,
                title: row.title,
                body: row.body,
                entities: row.entities,
                pinned: row.pinnedAt !== null,
                commentsLocked: row.commentsLocked,
                commentCount: row.commentCount,
                createdAt: utc(row.createdAt),
                editedAt: row.editedAt === null ? null : utc(row.editedAt),
                viewer: {
                  canEdit: PostPolicy.canEdit(context),
                  canDelete: PostPolicy.canDelete(context),
                  canModerate: PostPolicy.canPin(context)
                }
              })
            ]
          })
        })
      })
    })
  )
}
