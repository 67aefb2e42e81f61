import { UserId } from "@moim/domain/Accounts/User"
import { CommentId, PostEntity, PostId } from "@moim/domain/Posts/Post"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

export const CommentRow = Schema.Struct({
  id: CommentId,
  postId: PostId,
  authorId: UserId,
  parentId: Schema.NullOr(CommentId),
  depth: Schema.Int,
  body: Schema.String,
  entities: Schema.Array(PostEntity),
  replyCount: Schema.Int,
  createdAt: Schema.Date,
  editedAt: Schema.NullOr(Schema.Date),
  deletedAt: Schema.NullOr(Schema.Date)
})
export type CommentRow = typeof CommentRow.Type

const decodeComment = Rows.first(CommentRow)
const decodeComments = Rows.all(CommentRow)
const encodeEntities = Schema.encodeSync(Schema.toCodecJson(Schema.Array(PostEntity)))

const columns = `id, post_id, author_id, parent_id, depth, body, entities, reply_count, created_at, edited_at, deleted_at`

/** The `comments` table. A deleted comment with replies stays (`deleted_at`, empty body) as their placeholder. */
export class CommentsRepo extends Context.Service<
  CommentsRepo,
  {
    readonly insert: (comment: {
      readonly id: CommentId
      readonly postId: PostId
      readonly authorId: UserId
      readonly parentId: CommentId | null
      readonly depth: number
      readonly body: string
      readonly entities: ReadonlyArray<PostEntity>
    }) => Effect.Effect<CommentRow>
    /** The comment, deleted placeholders included. */
    readonly find: (id: CommentId) => Effect.Effect<Option.Option<CommentRow>>
    readonly lock: (id: CommentId) => Effect.Effect<Option.Option<CommentRow>>
    readonly update: (id: CommentId, body: string, entities: ReadonlyArray<PostEntity>) => Effect.Effect<CommentRow>
    /** A reply was added (1) or went away (-1). */
    readonly replied: (id: CommentId, delta: 1 | -1) => Effect.Effect<void>
    /** Deletes the comment: kept, empty, while it has replies; gone otherwise. Returns whether it is gone. */
    readonly remove: (id: CommentId) => Effect.Effect<boolean>
    /** The comments on a post (`parentId` null) or the replies to one, with placeholders that still have replies. */
    readonly list: (options: {
      readonly postId: PostId
      readonly parentId: CommentId | null
      readonly newestFirst: boolean
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<CommentRow>>
  }
>()("@moim/server/Posts/CommentsRepo") {
  static readonly layer = Layer.effect(
    CommentsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)
      const first = (rows: ReadonlyArray<CommentRow>) => {
        const [row] = rows
        return row === undefined ? Effect.die(new Error("The comment was not returned")) : Effect.succeed(row)
      }

      return CommentsRepo.of({
        insert: Effect.fn("CommentsRepo.insert")(function* (comment) {
          return yield* sql`
            INSERT INTO comments (id, post_id, author_id, parent_id, depth, body, entities, created_at)
            VALUES (${comment.id}, ${comment.postId}, ${comment.authorId}, ${comment.parentId}, ${comment.depth},
              ${comment.body}, ${JSON.stringify(encodeEntities(comment.entities))}::jsonb, now())
            RETURNING ${selected}`.pipe(Effect.flatMap(decodeComments), Effect.flatMap(first))
        }, Effect.orDie),

        find: Effect.fn("CommentsRepo.find")(function* (id) {
          return yield* sql`SELECT ${selected} FROM comments WHERE id = ${id}`.pipe(Effect.flatMap(decodeComment))
        }, Effect.orDie),

        lock: Effect.fn("CommentsRepo.lock")(function* (id) {
          return yield* sql`SELECT ${selected} FROM comments WHERE id = ${id} FOR UPDATE`.pipe(
            Effect.flatMap(decodeComment)
          )
        }, Effect.orDie),

        update: Effect.fn("CommentsRepo.update")(function* (id, body, entities) {
          return yield* sql`
            UPDATE comments SET body = ${body}, entities = ${JSON.stringify(encodeEntities(entities))}::jsonb,
              edited_at = now()
            WHERE id = ${id} RETURNING ${selected}`.pipe(Effect.flatMap(decodeComments), Effect.flatMap(first))
        }, Effect.orDie),

        replied: Effect.fn("CommentsRepo.replied")(function* (id, delta) {
          yield* sql`UPDATE comments SET reply_count = greatest(reply_count + ${delta}, 0) WHERE id = ${id}`
        }, Effect.orDie),

        remove: Effect.fn("CommentsRepo.remove")(function* (id) {
          const kept = yield* sql`
            UPDATE comments SET deleted_at = now(), body = '', entities = '[]'
            WHERE id = ${id} AND reply_count > 0 RETURNING id`
          if (kept.length > 0) return false
          yield* sql`DELETE FROM comments WHERE id = ${id}`
          return true
        }, Effect.orDie),

        list: Effect.fn("CommentsRepo.list")(function* (options) {
          const after = options.after
          const parent = options.parentId === null ? sql`parent_id IS NULL` : sql`parent_id = ${options.parentId}`
          const keyset =
            after === null
              ? sql`true`
              : options.newestFirst
                ? sql`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`
                : sql`(created_at, id) > (${after.at}::timestamptz, ${after.id}::uuid)`
          const order = options.newestFirst ? sql`created_at DESC, id DESC` : sql`created_at, id`
          return yield* sql`
            SELECT ${selected} FROM comments
            WHERE post_id = ${options.postId} AND ${parent} AND (deleted_at IS NULL OR reply_count > 0) AND ${keyset}
            ORDER BY ${order}
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeComments))
        }, Effect.orDie)
      })
    })
  )
}
