import type { UserId } from "@moim/domain/Accounts/User"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import type { CommentSort, CreateCommentPayload } from "@moim/domain/Posts/CommentsApi"
import {
  type Comment,
  CommentId,
  CommentNotFound,
  CommentsLocked,
  maxCommentDepth,
  type PostId,
  type PostNotFound
} from "@moim/domain/Posts/Post"
import { Context, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { ActivityLog } from "../Access/ActivityLog.ts"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { Cursors, type Page, type PageQuery, TimePosition } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { type CommentRow, CommentsRepo } from "./CommentsRepo.ts"
import { PostAccess } from "./PostAccess.ts"
import { resolveEntities } from "./PostEntities.ts"
import { PostEvents } from "./PostNotifier.ts"
import { type PostContext, PostPolicy } from "./PostPolicy.ts"
import { PostStream } from "./PostStream.ts"
import { PostsRepo } from "./PostsRepo.ts"
import { PostViews } from "./PostViews.ts"
import { ReactionsRepo } from "./ReactionsRepo.ts"

type SignedIn = CurrentUser["Service"]
type Viewer = Option.Option<SignedIn>

const commentNotFound = new CommentNotFound({ message: "No such comment" })

/**
 * Threaded comments on posts. A comment answers the post (depth 0) or another comment; replies nest
 * two levels deep, and a reply to the deepest level joins that level (as Discourse and Facebook
 * flatten long threads). Whoever sees the post sees its comments; whoever may take part in it
 * (`PostPolicy.canParticipate`) comments, unless its comments are locked. A deleted comment that
 * has replies stays as an empty placeholder, so the thread still reads; one without goes.
 */
export class Comments extends Context.Service<
  Comments,
  {
    readonly create: (
      user: SignedIn,
      postId: PostId,
      input: typeof CreateCommentPayload.Type
    ) => Effect.Effect<Comment, PostNotFound | CommentNotFound | CommentsLocked | Forbidden>
    readonly list: (
      viewer: Viewer,
      postId: PostId,
      query: PageQuery & {
        readonly parentId?: CommentId | undefined
        readonly sort?: typeof CommentSort.Type | undefined
      }
    ) => Effect.Effect<Page<Comment>, PostNotFound | CommentNotFound | InvalidCursor>
    readonly update: (
      user: SignedIn,
      id: CommentId,
      body: string
    ) => Effect.Effect<Comment, CommentNotFound | Forbidden>
    readonly remove: (user: SignedIn, id: CommentId) => Effect.Effect<void, CommentNotFound | Forbidden>
    /**
     * The comment and its post's context, if the actor may see the post; a deleted placeholder is
     * `CommentNotFound` (nothing to react to).
     */
    readonly see: (
      actor: Actor,
      id: CommentId
    ) => Effect.Effect<{ readonly comment: CommentRow; readonly context: PostContext }, CommentNotFound>
  }
>()("@moim/server/Posts/Comments") {
  static readonly layer = Layer.effect(
    Comments,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const activity = yield* ActivityLog
      const comments = yield* CommentsRepo
      const posts = yield* PostsRepo
      const reactions = yield* ReactionsRepo
      const postAccess = yield* PostAccess
      const blocks = yield* Blocks
      const views = yield* PostViews
      const cursors = yield* Cursors
      const entitiesOf = resolveEntities(yield* Profiles)
      const record = yield* PostEvents.make
      const stream = yield* PostStream.make

      const showOne = (context: PostContext, row: CommentRow) =>
        Effect.flatMap(views.comments(context, [row]), ([comment]) =>
          comment === undefined ? Effect.die(new Error("A comment just read was not shown")) : Effect.succeed(comment)
        )

      /** The comment (placeholders too) and its post, if the actor sees the post. */
      const locate = Effect.fn("Comments.locate")(function* (actor: Actor, found: Option.Option<CommentRow>) {
        if (Option.isNone(found)) return yield* commentNotFound
        const context = yield* postAccess
          .see(actor, yield* posts.find(found.value.postId))
          .pipe(Effect.catchTag("PostNotFound", () => commentNotFound))
        return { comment: found.value, context }
      })

      return Comments.of({
        create: Effect.fn("Comments.create")(function* (user, postId, input) {
          const actor = Actor.of(user)
          const entities = yield* entitiesOf([input.body])
          const { context, row } = yield* transaction(
            Effect.gen(function* () {
              // The post's row lock orders the comments on it, so its count stays exact.
              const context = yield* postAccess.see(actor, yield* posts.lock(postId))
              yield* postAccess.participate(context)
              if (context.post.commentsLocked && !PostPolicy.canLockComments(context)) {
                return yield* new CommentsLocked({ message: "Comments on this post are locked" })
              }
              let parentId: CommentId | null = null
              let depth = 0
              if (input.parentId !== undefined) {
                const parent = yield* comments.lock(input.parentId)
                if (Option.isNone(parent) || parent.value.postId !== postId || parent.value.deletedAt !== null) {
                  return yield* commentNotFound
                }
                const deepest = parent.value.depth >= maxCommentDepth
                parentId = deepest ? parent.value.parentId : parent.value.id
                depth = deepest ? parent.value.depth : parent.value.depth + 1
              }
              const row = yield* comments.insert({
                id: CommentId.make(SecureRandom.uuidV7Unsafe()),
                postId,
                authorId: user.userId,
                parentId,
                depth,
                body: input.body,
                entities: entities(input.body)
              })
              if (parentId !== null) yield* comments.replied(parentId, 1)
              yield* posts.commented(postId, 1)
              yield* record({ _tag: "Commented", postId, commentId: row.id, by: user.userId })
              yield* stream.commented(postId, row.id, parentId, user.userId)
              return { context, row }
            })
          )
          yield* activity.record({
            kind: "comment",
            userId: user.userId,
            subjectId: postId,
            groupId: context.post.groupId
          })
          return yield* showOne(context, row)
        }),

        list: Effect.fn("Comments.list")(function* (viewer, postId, query) {
          const context = yield* postAccess.see(
            Option.match(viewer, { onNone: () => null, onSome: Actor.of }),
            yield* posts.find(postId)
          )
          const parentId = query.parentId ?? null
          if (parentId !== null) {
            const parent = yield* comments.find(parentId)
            if (Option.isNone(parent) || parent.value.postId !== postId) return yield* commentNotFound
          }
          const sort = query.sort ?? "oldest"
          const scope = `comments:${postId}:${parentId ?? ""}:${sort}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* comments.list({
            postId,
            parentId,
            newestFirst: sort === "newest",
            limit: limit + 1,
            after
          })
          const page = cursors.page(
            scope,
            rows,
            limit,
            (row) => row,
            (row) => ({ at: row.createdAt.toISOString(), id: row.id })
          )
          // Comments of someone either blocked are left out (the page may then hold fewer than `limit`).
          const hidden =
            context.actor === null
              ? new Set<UserId>()
              : yield* blocks.hiddenAmong(
                  context.actor.userId,
                  page.items.map((row) => row.authorId)
                )
          const shown = page.items.filter((row) => !hidden.has(row.authorId))
          return { items: yield* views.comments(context, shown), nextCursor: page.nextCursor }
        }),

        update: Effect.fn("Comments.update")(function* (user, id, body) {
          const actor = Actor.of(user)
          const entities = yield* entitiesOf([body])
          const { comment, context } = yield* locate(actor, yield* comments.find(id))
          if (comment.deletedAt !== null) return yield* commentNotFound
          if (comment.authorId !== user.userId)
            return yield* new Forbidden({ message: "Only its author edits a comment" })
          return yield* showOne(context, yield* comments.update(id, body, entities(body)))
        }),

        remove: Effect.fn("Comments.remove")(function* (user, id) {
          const actor = Actor.of(user)
          yield* transaction(
            Effect.gen(function* () {
              const { comment, context } = yield* locate(actor, yield* comments.find(id))
              if (comment.deletedAt !== null) return yield* commentNotFound
              if (comment.authorId !== user.userId && !PostPolicy.canModerateComments(context)) {
                return yield* new Forbidden({
                  message: "Only its author, the post's author and the group's moderators delete a comment"
                })
              }
              yield* posts.lock(comment.postId)
              const current = yield* comments.lock(id)
              if (Option.isNone(current) || current.value.deletedAt !== null) return yield* commentNotFound
              const gone = yield* comments.remove(id)
              yield* reactions.forget("comment", [id])
              yield* posts.commented(comment.postId, -1)
              // The parent loses a reply; a placeholder left with none goes too, and so up the thread.
              let parentId = gone ? comment.parentId : null
              while (parentId !== null) {
                yield* comments.replied(parentId, -1)
                const parent = yield* comments.find(parentId)
                const emptyPlaceholder =
                  Option.isSome(parent) && parent.value.deletedAt !== null && parent.value.replyCount === 0
                parentId = emptyPlaceholder && (yield* comments.remove(parent.value.id)) ? parent.value.parentId : null
              }
            })
          )
        }),

        see: Effect.fn("Comments.see")(function* (actor, id) {
          const located = yield* locate(actor, yield* comments.find(id))
          if (located.comment.deletedAt !== null) return yield* commentNotFound
          if (actor !== null && (yield* blocks.between(actor.userId, located.comment.authorId))) {
            return yield* commentNotFound
          }
          return located
        })
      })
    })
  )
}
