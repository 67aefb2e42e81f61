import type { Attachment } from "@moim/domain/Media/Media"
import { Comment, Post } from "@moim/domain/Posts/Post"
import { Context, DateTime, Effect, Layer } from "effect"
import { Profiles } from "../Accounts/Profiles.ts"
import { MediaLibrary } from "../Media/MediaLibrary.ts"
import { BookmarksRepo } from "./BookmarksRepo.ts"
import type { CommentRow } from "./CommentsRepo.ts"
import { type PostContext, PostPolicy } from "./PostPolicy.ts"
import { ReactionsRepo } from "./ReactionsRepo.ts"

const utc = (date: Date) => DateTime.fromDateUnsafe(date)

/**
 * How stored posts and comments are shown: authors through `Profiles`, photos through
 * `MediaLibrary`, reactions and bookmarks, each fetched once per page; and what the viewer may do.
 */
export class PostViews extends Context.Service<
  PostViews,
  {
    readonly posts: (contexts: ReadonlyArray<PostContext>) => Effect.Effect<Array<Post>>
    /** Comments of one post, seen in its context. */
    readonly comments: (context: PostContext, rows: ReadonlyArray<CommentRow>) => Effect.Effect<Array<Comment>>
  }
>()("@moim/server/Posts/PostViews") {
  static readonly layer = Layer.effect(
    PostViews,
    Effect.gen(function* () {
      const profiles = yield* Profiles
      const media = yield* MediaLibrary
      const reactions = yield* ReactionsRepo
      const bookmarks = yield* BookmarksRepo

      return PostViews.of({
        posts: Effect.fn("PostViews.posts")(function* (contexts) {
          const viewer = contexts[0]?.actor?.userId ?? null
          const ids = contexts.map((context) => context.post.id)
          const [authors, photos, summaries, saved] = yield* Effect.all(
            [
              profiles.getMany(contexts.map((context) => context.post.authorId)),
              media.attachments(contexts.flatMap((context) => context.post.attachmentIds)),
              reactions.summaries("post", ids, viewer),
              viewer === null ? Effect.succeed(new Set<string>()) : bookmarks.savedAmong(viewer, ids)
            ],
            { concurrency: "unbounded" }
          )
          return contexts.flatMap((context) => {
            const row = context.post
            const author = authors.get(row.authorId)
            // A post whose author's account row is gone is not shown.
            if (author === undefined) return []
            const summary = summaries.get(row.id)
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
                attachments: row.attachmentIds.flatMap((id): Array<Attachment> => {
                  const photo = photos.get(id)
                  return photo === undefined ? [] : [photo]
                }),
                pinned: row.pinnedAt !== null,
                commentsLocked: row.commentsLocked,
                hidden: row.hiddenAt !== null,
                commentCount: row.commentCount,
                version: row.version,
                reactions: summary ?? { counts: { like: 0, love: 0, laugh: 0, wow: 0, sad: 0, angry: 0 }, mine: null },
                createdAt: utc(row.createdAt),
                editedAt: row.editedAt === null ? null : utc(row.editedAt),
                viewer: {
                  bookmarked: saved.has(row.id),
                  canEdit: PostPolicy.canEdit(context),
                  canDelete: PostPolicy.canDelete(context),
                  canModerate: PostPolicy.canPin(context)
                }
              })
            ]
          })
        }),

        comments: Effect.fn("PostViews.comments")(function* (context, rows) {
          const viewer = context.actor?.userId ?? null
          const [authors, summaries] = yield* Effect.all([
            profiles.getMany(rows.filter((row) => row.deletedAt === null).map((row) => row.authorId)),
            reactions.summaries(
              "comment",
              rows.map((row) => row.id),
              viewer
            )
          ])
          const moderates = PostPolicy.canModerateComments(context)
          return rows.map((row) => {
            const deleted = row.deletedAt !== null
            const own = viewer !== null && row.authorId === viewer
            return new Comment({
              id: row.id,
              postId: row.postId,
              parentId: row.parentId,
              depth: row.depth,
              author: deleted ? null : (authors.get(row.authorId) ?? null),
              body: deleted ? "" : row.body,
              entities: deleted ? [] : row.entities,
              deleted,
              replyCount: row.replyCount,
              reactions: summaries.get(row.id) ?? {
                counts: { like: 0, love: 0, laugh: 0, wow: 0, sad: 0, angry: 0 },
                mine: null
              },
              createdAt: utc(row.createdAt),
              editedAt: row.editedAt === null ? null : utc(row.editedAt),
              viewer: { canEdit: own && !deleted, canDelete: !deleted && (own || moderates) }
            })
          })
        })
      })
    })
  )
}
