import { UserId } from "@moim/domain/Accounts/User"
import { GroupId } from "@moim/domain/Groups/Group"
import { MediaId } from "@moim/domain/Media/Media"
import { PostAudience, PostEntity, PostId } from "@moim/domain/Posts/Post"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

export const PostRow = Schema.Struct({
  id: PostId,
  authorId: UserId,
  groupId: Schema.NullOr(GroupId),
  audience: Schema.NullOr(PostAudience),
  audienceUserIds: Schema.Array(UserId),
  title: Schema.NullOr(Schema.String),
  body: Schema.String,
  entities: Schema.Array(PostEntity),
  attachmentIds: Schema.Array(MediaId),
  pinnedAt: Schema.NullOr(Schema.Date),
  commentsLocked: Schema.Boolean,
  commentCount: Schema.Int,
  version: Schema.Int,
  hiddenAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
  editedAt: Schema.NullOr(Schema.Date),
  activityAt: Schema.Date
})
export type PostRow = typeof PostRow.Type

const RankedPostRow = Schema.Struct({ ...PostRow.fields, rank: Schema.Number })
export type RankedPostRow = typeof RankedPostRow.Type

const VersionRow = Schema.Struct({ title: Schema.NullOr(Schema.String), body: Schema.String, createdAt: Schema.Date })
export type VersionRow = typeof VersionRow.Type

const decodePost = Rows.first(PostRow)
const decodePosts = Rows.all(PostRow)
const decodeRanked = Rows.all(RankedPostRow)
const decodeVersions = Rows.all(VersionRow)
const decodeCount = Rows.first(Schema.Struct({ count: Schema.Int }))
const decodeLatest = Rows.first(Schema.Struct({ createdAt: Schema.Date }))
const decodeFeed = Rows.all(Schema.Struct({ id: PostId, createdAt: Schema.Date }))

const columns = `id, author_id, group_id, audience, audience_user_ids::text[] AS audience_user_ids, title, body, entities,
  attachment_ids::text[] AS attachment_ids, pinned_at, comments_locked, comment_count, version, hidden_at, created_at, edited_at,
  activity_at`

/** What a post says: its title, body and what was recognised in it. */
export interface PostContent {
  readonly title: string | null
  readonly body: string
  readonly entities: ReadonlyArray<PostEntity>
  readonly attachmentIds: ReadonlyArray<MediaId>
}

const encodeEntities = Schema.encodeSync(Schema.toCodecJson(Schema.Array(PostEntity)))

/**
 * The `posts` and `post_versions` tables. Deleted posts are kept (`deleted_at`) and read as absent
 * everywhere here.
 */
export class PostsRepo extends Context.Service<
  PostsRepo,
  {
    readonly insert: (
      post: PostContent & {
        readonly id: PostId
        readonly authorId: UserId
        readonly groupId: GroupId | null
        readonly audience: PostAudience | null
        readonly audienceUserIds: ReadonlyArray<UserId>
      }
    ) => Effect.Effect<PostRow>
    readonly find: (id: PostId) => Effect.Effect<Option.Option<PostRow>>
    readonly findMany: (ids: ReadonlyArray<PostId>) => Effect.Effect<ReadonlyArray<PostRow>>
    /** A comment was added (1) or removed (-1): the count, and (when added) the activity time. */
    readonly commented: (id: PostId, delta: 1 | -1) => Effect.Effect<void>
    /** The post, locked for the rest of the transaction. */
    readonly lock: (id: PostId) => Effect.Effect<Option.Option<PostRow>>
    /** New content (keeping the previous title and body as a version) and audience. */
    readonly update: (
      id: PostId,
      change: PostContent & {
        readonly audience: PostAudience | null
        readonly audienceUserIds: ReadonlyArray<UserId>
        readonly edited: boolean
      }
    ) => Effect.Effect<PostRow>
    readonly versions: (id: PostId) => Effect.Effect<ReadonlyArray<VersionRow>>
    readonly softDelete: (id: PostId) => Effect.Effect<void>
    readonly setPinned: (id: PostId, pinned: boolean) => Effect.Effect<PostRow>
    readonly pinnedCount: (groupId: GroupId) => Effect.Effect<number>
    readonly setCommentsLocked: (id: PostId, locked: boolean) => Effect.Effect<PostRow>
    /** Hides the post pending review, or shows it again. */
    readonly setHidden: (id: PostId, hidden: boolean) => Effect.Effect<void>
    /** A group's pinned posts, most recently pinned first. */
    readonly pinned: (groupId: GroupId) => Effect.Effect<ReadonlyArray<PostRow>>
    /** A group's unpinned posts, by `sort`, after the position. */
    readonly listInGroup: (options: {
      readonly groupId: GroupId
      readonly sort: "newest" | "active"
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<PostRow>>
    /**
     * An author's posts, newest first: in groups, and on their profile those the viewer's relation
     * may allow (public, their own, `specific` naming them, and `followers`/`friends` for the caller
     * to decide).
     */
    readonly listByAuthor: (options: {
      readonly authorId: UserId
      readonly viewerId: UserId | null
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<PostRow>>
    /**
     * A home feed page, newest first: the profile posts of `authors` their audience shows the viewer
     * (all of a friend's but `specific` ones not naming the viewer; a followee's public and
     * followers-only), the viewer's own, and the posts of `groupIds`; one index scan per source.
     */
    readonly feed: (options: {
      readonly viewerId: UserId
      readonly authors: ReadonlyArray<{ readonly id: UserId; readonly friend: boolean }>
      readonly groupIds: ReadonlyArray<GroupId>
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<{ readonly id: PostId; readonly createdAt: Date }>>
    /** When the author last posted (anywhere), if they have. */
    readonly latestBy: (authorId: UserId) => Effect.Effect<Option.Option<Date>>
    /** How many of the author's profile posts the viewer's relation shows them. */
    readonly countOnProfile: (options: {
      readonly authorId: UserId
      readonly viewerId: UserId | null
      readonly follows: boolean
      readonly friends: boolean
    }) => Effect.Effect<number>
    /** Posts matching the prefix terms, best first, optionally of one group or author. */
    readonly search: (options: {
      readonly tsQuery: string
      readonly groupId?: GroupId | undefined
      readonly authorId?: UserId | undefined
      readonly limit: number
      readonly after: { readonly score: string; readonly id: string } | null
    }) => Effect.Effect<ReadonlyArray<RankedPostRow>>
    /**
     * Removes up to `limit` posts deleted more than `retentionSeconds` ago for good: with their
     * comments, earlier versions and bookmarks (by their foreign keys) and the reactions to them and
     * to their comments. Their photos were released when they were deleted.
     */
    readonly purgeDeleted: (retentionSeconds: number, limit: number) => Effect.Effect<number>
  }
>()("@moim/server/Posts/PostsRepo") {
  static readonly layer = Layer.effect(
    PostsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)
      const searchVector = (content: PostContent) =>
        sql`setweight(to_tsvector('simple', ${content.title ?? ""}), 'A') || setweight(to_tsvector('simple', ${content.body}), 'B')`

      return PostsRepo.of({
        purgeDeleted: Effect.fn("PostsRepo.purgeDeleted")(function* (retentionSeconds, limit) {
          const rows = yield* sql<{ posts: number }>`
            WITH doomed AS (
              SELECT id FROM posts
              WHERE deleted_at < now() - make_interval(secs => ${retentionSeconds}) LIMIT ${limit}
            ), subjects AS (
              SELECT 'post' AS kind, id FROM doomed
              UNION ALL SELECT 'comment', c.id FROM comments c WHERE c.post_id IN (SELECT id FROM doomed)
            ), reacted AS (
              DELETE FROM reactions r USING subjects s WHERE r.subject_kind = s.kind AND r.subject_id = s.id RETURNING 1
            ), counted AS (
              DELETE FROM reaction_counts r USING subjects s WHERE r.subject_kind = s.kind AND r.subject_id = s.id
              RETURNING 1
            ), removed AS (
              DELETE FROM posts WHERE id IN (SELECT id FROM doomed) RETURNING 1
            )
            SELECT (SELECT count(*) FROM removed)::int AS posts,
              (SELECT count(*) FROM reacted)::int AS reactions, (SELECT count(*) FROM counted)::int AS counts`
          return rows[0]?.posts ?? 0
        }, Effect.orDie),

        insert: Effect.fn("PostsRepo.insert")(function* (post) {
          const rows = yield* sql`
            INSERT INTO posts (id, author_id, group_id, audience, audience_user_ids, title, body, entities, attachment_ids,
              search, created_at, activity_at)
            VALUES (${post.id}, ${post.authorId}, ${post.groupId}, ${post.audience}, ${[...post.audienceUserIds]}::uuid[],
              ${post.title}, ${post.body}, ${JSON.stringify(encodeEntities(post.entities))}::jsonb,
              ${[...post.attachmentIds]}::uuid[], ${searchVector(post)}, now(), now())
            RETURNING ${selected}`.pipe(Effect.flatMap(decodePosts))
          const [row] = rows
          if (row === undefined) return yield* Effect.die(new Error("The inserted post was not returned"))
          return row
        }, Effect.orDie),

        find: Effect.fn("PostsRepo.find")(function* (id) {
          return yield* sql`SELECT ${selected} FROM posts WHERE id = ${id} AND deleted_at IS NULL`.pipe(
            Effect.flatMap(decodePost)
          )
        }, Effect.orDie),

        findMany: Effect.fn("PostsRepo.findMany")(function* (ids) {
          if (ids.length === 0) return []
          return yield* sql`SELECT ${selected} FROM posts WHERE id = ANY(${[...ids]}::uuid[]) AND deleted_at IS NULL`.pipe(
            Effect.flatMap(decodePosts)
          )
        }, Effect.orDie),

        commented: Effect.fn("PostsRepo.commented")(function* (id, delta) {
          yield* sql`
            UPDATE posts SET comment_count = greatest(comment_count + ${delta}, 0),
              activity_at = ${delta > 0 ? sql`now()` : sql`activity_at`}
            WHERE id = ${id}`
        }, Effect.orDie),

        lock: Effect.fn("PostsRepo.lock")(function* (id) {
          return yield* sql`SELECT ${selected} FROM posts WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`.pipe(
            Effect.flatMap(decodePost)
          )
        }, Effect.orDie),

        update: Effect.fn("PostsRepo.update")(function* (id, change) {
          if (change.edited) {
            yield* sql`
              INSERT INTO post_versions (post_id, title, body, created_at)
              SELECT id, title, body, coalesce(edited_at, created_at) FROM posts WHERE id = ${id}`
          }
          const rows = yield* sql`
            UPDATE posts SET title = ${change.title}, body = ${change.body},
              entities = ${JSON.stringify(encodeEntities(change.entities))}::jsonb, search = ${searchVector(change)},
              attachment_ids = ${[...change.attachmentIds]}::uuid[],
              audience = ${change.audience}, audience_user_ids = ${[...change.audienceUserIds]}::uuid[],
              edited_at = ${change.edited ? sql`now()` : sql`edited_at`}, version = version + 1
            WHERE id = ${id} RETURNING ${selected}`.pipe(Effect.flatMap(decodePosts))
          const [row] = rows
          if (row === undefined) return yield* Effect.die(new Error("The locked post was not updated"))
          return row
        }, Effect.orDie),

        versions: Effect.fn("PostsRepo.versions")(function* (id) {
          return yield* sql`
            SELECT title, body, created_at FROM post_versions WHERE post_id = ${id} ORDER BY id DESC LIMIT 100`.pipe(
            Effect.flatMap(decodeVersions)
          )
        }, Effect.orDie),

        softDelete: Effect.fn("PostsRepo.softDelete")(function* (id) {
          yield* sql`UPDATE posts SET deleted_at = now(), pinned_at = NULL WHERE id = ${id} AND deleted_at IS NULL`
        }, Effect.orDie),

        setPinned: Effect.fn("PostsRepo.setPinned")(function* (id, pinned) {
          const rows = yield* sql`
            UPDATE posts SET pinned_at = ${pinned ? sql`coalesce(pinned_at, now())` : sql`NULL`}
            WHERE id = ${id} RETURNING ${selected}`.pipe(Effect.flatMap(decodePosts))
          const [row] = rows
          if (row === undefined) return yield* Effect.die(new Error("The locked post was not updated"))
          return row
        }, Effect.orDie),

        pinnedCount: Effect.fn("PostsRepo.pinnedCount")(function* (groupId) {
          const counted = yield* sql`
            SELECT count(*)::int AS count FROM posts
            WHERE group_id = ${groupId} AND pinned_at IS NOT NULL AND deleted_at IS NULL`.pipe(
            Effect.flatMap(decodeCount)
          )
          return counted._tag === "Some" ? counted.value.count : 0
        }, Effect.orDie),

        setHidden: Effect.fn("PostsRepo.setHidden")(function* (id, hidden) {
          yield* sql`
            UPDATE posts SET hidden_at = ${hidden ? sql`coalesce(hidden_at, now())` : sql`NULL`} WHERE id = ${id}`
        }, Effect.orDie),

        setCommentsLocked: Effect.fn("PostsRepo.setCommentsLocked")(function* (id, locked) {
          const rows = yield* sql`
            UPDATE posts SET comments_locked = ${locked} WHERE id = ${id} RETURNING ${selected}`.pipe(
            Effect.flatMap(decodePosts)
          )
          const [row] = rows
          if (row === undefined) return yield* Effect.die(new Error("The locked post was not updated"))
          return row
        }, Effect.orDie),

        pinned: Effect.fn("PostsRepo.pinned")(function* (groupId) {
          return yield* sql`
            SELECT ${selected} FROM posts
            WHERE group_id = ${groupId} AND pinned_at IS NOT NULL AND deleted_at IS NULL
            ORDER BY pinned_at DESC LIMIT 3`.pipe(Effect.flatMap(decodePosts))
        }, Effect.orDie),

        listInGroup: Effect.fn("PostsRepo.listInGroup")(function* (options) {
          const after = options.after
          const column = options.sort === "active" ? sql`activity_at` : sql`created_at`
          return yield* sql`
            SELECT ${selected} FROM posts
            WHERE group_id = ${options.groupId} AND deleted_at IS NULL AND pinned_at IS NULL
              AND ${after === null ? sql`true` : sql`(${column}, id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY ${column} DESC, id DESC
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodePosts))
        }, Effect.orDie),

        listByAuthor: Effect.fn("PostsRepo.listByAuthor")(function* (options) {
          const after = options.after
          const viewer = options.viewerId
          const visible =
            viewer === null
              ? sql`(group_id IS NOT NULL OR audience IN ('public', 'followers', 'friends'))`
              : viewer === options.authorId
                ? sql`true`
                : sql`(group_id IS NOT NULL OR audience IN ('public', 'followers', 'friends')
                    OR (audience = 'specific' AND ${viewer}::uuid = ANY(audience_user_ids)))`
          return yield* sql`
            SELECT ${selected} FROM posts
            WHERE author_id = ${options.authorId} AND deleted_at IS NULL AND ${visible}
              AND ${after === null ? sql`true` : sql`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY created_at DESC, id DESC
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodePosts))
        }, Effect.orDie),

        feed: Effect.fn("PostsRepo.feed")(function* (options) {
          const after = options.after
          const before =
            after === null ? sql`true` : sql`(p.created_at, p.id) < (${after.at}::timestamptz, ${after.id}::uuid)`
          const viewer = options.viewerId
          // 2: the viewer (every post of theirs), 1: a friend, 0: someone they follow.
          const sources = [
            { id: viewer, level: 2 },
            ...options.authors
              .filter((author) => author.id !== viewer)
              .map((author) => ({
                id: author.id,
                level: author.friend ? 1 : 0
              }))
          ]
          return yield* sql`
            SELECT x.id, x.created_at FROM unnest(${sources.map((source) => source.id)}::uuid[],
              ${sources.map((source) => source.level)}::int[]) AS s (author_id, level)
            CROSS JOIN LATERAL (
              SELECT p.id, p.created_at FROM posts p
              WHERE p.author_id = s.author_id AND p.group_id IS NULL AND p.deleted_at IS NULL
                AND (s.level = 2 OR (p.hidden_at IS NULL AND (p.audience IN ('public', 'followers')
                  OR (s.level = 1 AND p.audience = 'friends')
                  OR (p.audience = 'specific' AND ${viewer}::uuid = ANY(p.audience_user_ids)))))
                AND ${before}
              ORDER BY p.created_at DESC, p.id DESC LIMIT ${options.limit}) x
            UNION ALL
            SELECT x.id, x.created_at FROM unnest(${[...options.groupIds]}::uuid[]) AS g (group_id)
            CROSS JOIN LATERAL (
              SELECT p.id, p.created_at FROM posts p
              WHERE p.group_id = g.group_id AND p.deleted_at IS NULL AND (p.hidden_at IS NULL OR p.author_id = ${viewer})
                AND ${before}
              ORDER BY p.created_at DESC, p.id DESC LIMIT ${options.limit}) x
            ORDER BY created_at DESC, id DESC
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeFeed))
        }, Effect.orDie),

        latestBy: Effect.fn("PostsRepo.latestBy")(function* (authorId) {
          const row = yield* sql`
            SELECT created_at FROM posts WHERE author_id = ${authorId} AND deleted_at IS NULL
            ORDER BY created_at DESC, id DESC LIMIT 1`.pipe(Effect.flatMap(decodeLatest))
          return Option.map(row, (found) => found.createdAt)
        }, Effect.orDie),

        countOnProfile: Effect.fn("PostsRepo.countOnProfile")(function* (options) {
          const viewer = options.viewerId
          const visible =
            viewer === options.authorId
              ? sql`true`
              : sql`(audience = 'public'
                  OR (audience = 'followers' AND ${options.follows || options.friends})
                  OR (audience = 'friends' AND ${options.friends})
                  OR (audience = 'specific' AND ${viewer ?? null}::uuid = ANY(audience_user_ids)))
                  AND hidden_at IS NULL`
          const counted = yield* sql`
            SELECT count(*)::int AS count FROM posts
            WHERE author_id = ${options.authorId} AND group_id IS NULL AND deleted_at IS NULL AND ${visible}`.pipe(
            Effect.flatMap(decodeCount)
          )
          return counted._tag === "Some" ? counted.value.count : 0
        }, Effect.orDie),

        search: Effect.fn("PostsRepo.search")(function* (options) {
          const rank = sql`ts_rank_cd(search, to_tsquery('simple', ${options.tsQuery}))::real`
          const after = options.after
          return yield* sql`
            SELECT * FROM (
              SELECT ${selected}, ${rank} AS rank FROM posts
              WHERE deleted_at IS NULL AND search @@ to_tsquery('simple', ${options.tsQuery})
                AND ${options.groupId === undefined ? sql`true` : sql`group_id = ${options.groupId}`}
                AND ${options.authorId === undefined ? sql`true` : sql`author_id = ${options.authorId}`}
            ) found
            WHERE ${after === null ? sql`true` : sql`(rank < ${after.score}::real OR (rank = ${after.score}::real AND id > ${after.id}::uuid))`}
            ORDER BY rank DESC, id ASC
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeRanked))
        }, Effect.orDie)
      })
    })
  )
}
