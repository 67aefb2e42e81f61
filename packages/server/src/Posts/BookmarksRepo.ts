import type { UserId } from "@moim/domain/Accounts/User"
import { PostId } from "@moim/domain/Posts/Post"
import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

const BookmarkRow = Schema.Struct({ postId: PostId, createdAt: Schema.Date })
export type BookmarkRow = typeof BookmarkRow.Type

const decodeBookmarks = Rows.all(BookmarkRow)
const decodePostIds = Rows.all(Schema.Struct({ postId: PostId }))

/** The `bookmarks` table: the posts each user saved. */
export class BookmarksRepo extends Context.Service<
  BookmarksRepo,
  {
    readonly save: (userId: UserId, postId: PostId) => Effect.Effect<void>
    readonly remove: (userId: UserId, postId: PostId) => Effect.Effect<void>
    /** Those among `postIds` the user saved. */
    readonly savedAmong: (userId: UserId, postIds: ReadonlyArray<PostId>) => Effect.Effect<ReadonlySet<PostId>>
    /** The user's bookmarks, most recently saved first. */
    readonly list: (options: {
      readonly userId: UserId
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<BookmarkRow>>
  }
>()("@moim/server/Posts/BookmarksRepo") {
  static readonly layer = Layer.effect(
    BookmarksRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return BookmarksRepo.of({
        save: Effect.fn("BookmarksRepo.save")(function* (userId, postId) {
          yield* sql`
            INSERT INTO bookmarks (user_id, post_id, created_at) VALUES (${userId}, ${postId}, now())
            ON CONFLICT DO NOTHING`
        }, Effect.orDie),
        remove: Effect.fn("BookmarksRepo.remove")(function* (userId, postId) {
          yield* sql`DELETE FROM bookmarks WHERE user_id = ${userId} AND post_id = ${postId}`
        }, Effect.orDie),
        savedAmong: Effect.fn("BookmarksRepo.savedAmong")(function* (userId, postIds) {
          if (postIds.length === 0) return new Set<PostId>()
          const rows = yield* sql`
            SELECT post_id FROM bookmarks WHERE user_id = ${userId} AND post_id = ANY(${[...postIds]}::uuid[])`.pipe(
            Effect.flatMap(decodePostIds)
          )
          return new Set(rows.map((row) => row.postId))
        }, Effect.orDie),
        list: Effect.fn("BookmarksRepo.list")(function* (options) {
          const after = options.after
          return yield* sql`
            SELECT post_id, created_at FROM bookmarks
            WHERE user_id = ${options.userId}
              AND ${after === null ? sql`true` : sql`(created_at, post_id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY created_at DESC, post_id DESC
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeBookmarks))
        }, Effect.orDie)
      })
    })
  )
}
