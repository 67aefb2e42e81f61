import { UserId } from "@moim/domain/Accounts/User"
import type { Relationship } from "@moim/domain/Social/Profile"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

/** Someone in a list, and since when. */
const ConnectionRow = Schema.Struct({ userId: UserId, since: Schema.Date })
export type ConnectionRow = typeof ConnectionRow.Type

const FriendshipRow = Schema.Struct({
  requesterId: UserId,
  status: Schema.Literals(["pending", "accepted"])
})
export type FriendshipRow = typeof FriendshipRow.Type

const RelationRow = Schema.Struct({
  id: UserId,
  follows: Schema.Boolean,
  friends: Schema.Boolean,
  blocked: Schema.Boolean
})

const RelationshipRow = Schema.Struct({
  following: Schema.Boolean,
  followRequested: Schema.Boolean,
  followsYou: Schema.Boolean,
  friends: Schema.Boolean,
  friendRequestSent: Schema.Boolean,
  friendRequestReceived: Schema.Boolean,
  blocking: Schema.Boolean
})

const CountsRow = Schema.Struct({ followers: Schema.Int, following: Schema.Int, friends: Schema.Int })
export type CountsRow = typeof CountsRow.Type

const decodeConnections = Rows.all(ConnectionRow)
const decodeFriendship = Rows.first(FriendshipRow)
const decodeRelations = Rows.all(RelationRow)
const decodeRelationship = Rows.first(RelationshipRow)
const decodeCounts = Rows.first(CountsRow)
const decodeStatus = Rows.first(Schema.Struct({ status: Schema.Literals(["active", "pending"]) }))
const decodeIds = Rows.all(Schema.Struct({ userId: UserId }))
const decodeAuthors = Rows.all(Schema.Struct({ userId: UserId, friend: Schema.Boolean }))
const decodeCount = Rows.first(Schema.Struct({ count: Schema.Int }))
const decodeExists = Rows.first(Schema.Struct({ exists: Schema.Boolean }))

/** How one user relates to another, as audiences need it. */
export interface RelationFlags {
  readonly follows: boolean
  readonly friends: boolean
  readonly blocked: boolean
}

type Page = { readonly limit: number; readonly after: TimePosition | null }

const noCounts: CountsRow = { followers: 0, following: 0, friends: 0 }

/**
 * The `follows`, `friendships` and `social_counts` tables: who follows whom (or asked to), the one
 * row per pair of friends (`low_id < high_id`, whoever asked), and the counts every profile shows.
 * Every change that makes or ends an active follow or a friendship adjusts the counts in the same
 * statement sequence, rows locked in id order, so they stay exact under concurrency. Relations
 * also read the sibling `blocks` table.
 */
export class GraphRepo extends Context.Service<
  GraphRepo,
  {
    /** Starts following (or asks to): false when a follow or request was there already. */
    readonly insertFollow: (
      followerId: UserId,
      followeeId: UserId,
      status: "active" | "pending"
    ) => Effect.Effect<boolean>
    /** The follow's status, if any. */
    readonly followStatus: (
      followerId: UserId,
      followeeId: UserId
    ) => Effect.Effect<Option.Option<"active" | "pending">>
    /** Ends a follow or request, whichever there was; none when there was nothing. */
    readonly deleteFollow: (
      followerId: UserId,
      followeeId: UserId
    ) => Effect.Effect<Option.Option<"active" | "pending">>
    /** A pending request becomes a follow: false when there was no such request. */
    readonly approveFollow: (followerId: UserId, followeeId: UserId) => Effect.Effect<boolean>
    /** Every pending request to the user becomes a follow; who asked. */
    readonly approveAllFollows: (followeeId: UserId) => Effect.Effect<ReadonlyArray<UserId>>
    readonly followingCount: (userId: UserId) => Effect.Effect<number>
    readonly followers: (
      userId: UserId,
      status: "active" | "pending",
      page: Page
    ) => Effect.Effect<ReadonlyArray<ConnectionRow>>
    readonly following: (userId: UserId, page: Page) => Effect.Effect<ReadonlyArray<ConnectionRow>>
    /** Whom the user follows (active) and their friends: the authors of their home feed. */
    readonly feedAuthors: (
      userId: UserId
    ) => Effect.Effect<ReadonlyArray<{ readonly userId: UserId; readonly friend: boolean }>>
    /** The pair's row, locked for the rest of the transaction. */
    readonly lockFriendship: (a: UserId, b: UserId) => Effect.Effect<Option.Option<FriendshipRow>>
    /** False when the pair had a row already (asked at the same moment by the other). */
    readonly insertFriendRequest: (requesterId: UserId, otherId: UserId) => Effect.Effect<boolean>
    readonly acceptFriendship: (a: UserId, b: UserId) => Effect.Effect<void>
    /** Ends a friendship or request; what there was. */
    readonly deleteFriendship: (a: UserId, b: UserId) => Effect.Effect<Option.Option<FriendshipRow>>
    readonly friends: (userId: UserId, page: Page) => Effect.Effect<ReadonlyArray<ConnectionRow>>
    readonly friendRequests: (
      userId: UserId,
      direction: "incoming" | "outgoing",
      page: Page
    ) => Effect.Effect<ReadonlyArray<ConnectionRow>>
    /** The viewer's friends who are also the other's, by when they became the viewer's. */
    readonly mutualFriends: (
      viewerId: UserId,
      otherId: UserId,
      page: Page
    ) => Effect.Effect<ReadonlyArray<ConnectionRow>>
    readonly haveMutualFriend: (a: UserId, b: UserId) => Effect.Effect<boolean>
    /** The viewer's relation to each of `others`, in one query. */
    readonly relations: (
      viewerId: UserId,
      others: ReadonlyArray<UserId>
    ) => Effect.Effect<ReadonlyMap<UserId, RelationFlags>>
    /** Everything a profile shows of how the viewer relates to its owner. */
    readonly relationship: (viewerId: UserId, otherId: UserId) => Effect.Effect<Relationship>
    readonly counts: (userId: UserId) => Effect.Effect<CountsRow>
  }
>()("@moim/server/Social/GraphRepo") {
  static readonly layer = Layer.effect(
    GraphRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient

      /** Adds to the counts of each user, rows locked in id order so that concurrent changes never deadlock. */
      const adjust = (
        changes: ReadonlyArray<{
          readonly userId: UserId
          readonly column: "followers" | "following" | "friends"
          readonly delta: number
        }>
      ) =>
        Effect.forEach(
          [...changes].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)),
          (change) => {
            const column = sql(change.column)
            return sql`
              INSERT INTO social_counts (user_id, ${column}) VALUES (${change.userId}, greatest(${change.delta}, 0))
              ON CONFLICT (user_id) DO UPDATE SET ${column} = greatest(social_counts.${column} + ${change.delta}, 0)`
          },
          { discard: true }
        )

      const follow = (followerId: UserId, followeeId: UserId, delta: number) =>
        adjust([
          { userId: followerId, column: "following", delta },
          { userId: followeeId, column: "followers", delta }
        ])

      const friendship = (a: UserId, b: UserId, delta: number) =>
        adjust([
          { userId: a, column: "friends", delta },
          { userId: b, column: "friends", delta }
        ])

      const pair = (a: UserId, b: UserId) =>
        sql`low_id = least(${a}::uuid, ${b}::uuid) AND high_id = greatest(${a}::uuid, ${b}::uuid)`

      const after = (page: Page, time: string, id: string) =>
        page.after === null
          ? sql`true`
          : sql`(${sql(time)}, ${sql(id)}) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)`

      /** One side of the friendships of a user: the friend's id column, from the user's column. */
      const side = (
        userId: UserId,
        mine: "low_id" | "high_id",
        status: "pending" | "accepted",
        page: Page,
        extra = sql`true`
      ) => {
        const theirs = mine === "low_id" ? "high_id" : "low_id"
        return sql`
          SELECT ${sql(theirs)} AS user_id, since FROM friendships f
          WHERE ${sql(mine)} = ${userId} AND status = ${status} AND ${extra} AND ${after(page, "since", theirs)}
          ORDER BY since DESC, ${sql(theirs)} DESC LIMIT ${page.limit}`
      }

      const bothSides = (userId: UserId, status: "pending" | "accepted", page: Page, extra = sql`true`) => sql`
        SELECT user_id, since FROM ((${side(userId, "low_id", status, page, extra)}) UNION ALL (${side(userId, "high_id", status, page, extra)})) f
        ORDER BY since DESC, user_id DESC LIMIT ${page.limit}`

      return GraphRepo.of({
        insertFollow: Effect.fn("GraphRepo.insertFollow")(function* (followerId, followeeId, status) {
          const rows = yield* sql`
            INSERT INTO follows (follower_id, followee_id, status, created_at)
            VALUES (${followerId}, ${followeeId}, ${status}, now())
            ON CONFLICT DO NOTHING RETURNING status`
          if (rows.length === 0) return false
          if (status === "active") yield* follow(followerId, followeeId, 1)
          return true
        }, Effect.orDie),

        followStatus: Effect.fn("GraphRepo.followStatus")(function* (followerId, followeeId) {
          const row = yield* sql`
            SELECT status FROM follows WHERE follower_id = ${followerId} AND followee_id = ${followeeId}`.pipe(
            Effect.flatMap(decodeStatus)
          )
          return Option.map(row, (found) => found.status)
        }, Effect.orDie),

        deleteFollow: Effect.fn("GraphRepo.deleteFollow")(function* (followerId, followeeId) {
          const row = yield* sql`
            DELETE FROM follows WHERE follower_id = ${followerId} AND followee_id = ${followeeId}
            RETURNING status`.pipe(Effect.flatMap(decodeStatus))
          if (Option.isSome(row) && row.value.status === "active") yield* follow(followerId, followeeId, -1)
          return Option.map(row, (found) => found.status)
        }, Effect.orDie),

        approveFollow: Effect.fn("GraphRepo.approveFollow")(function* (followerId, followeeId) {
          const rows = yield* sql`
            UPDATE follows SET status = 'active', created_at = now()
            WHERE follower_id = ${followerId} AND followee_id = ${followeeId} AND status = 'pending'
            RETURNING status`
          if (rows.length === 0) return false
          yield* follow(followerId, followeeId, 1)
          return true
        }, Effect.orDie),

        approveAllFollows: Effect.fn("GraphRepo.approveAllFollows")(function* (followeeId) {
          const rows = yield* sql`
            UPDATE follows SET status = 'active', created_at = now()
            WHERE followee_id = ${followeeId} AND status = 'pending'
            RETURNING follower_id AS user_id`.pipe(Effect.flatMap(decodeIds))
          if (rows.length === 0) return []
          yield* adjust([
            { userId: followeeId, column: "followers", delta: rows.length },
            ...rows.map((row) => ({ userId: row.userId, column: "following" as const, delta: 1 }))
          ])
          return rows.map((row) => row.userId)
        }, Effect.orDie),

        followingCount: Effect.fn("GraphRepo.followingCount")(function* (userId) {
          const row = yield* sql`
            SELECT count(*)::int AS count FROM follows WHERE follower_id = ${userId}`.pipe(Effect.flatMap(decodeCount))
          return Option.match(row, { onNone: () => 0, onSome: (found) => found.count })
        }, Effect.orDie),

        followers: Effect.fn("GraphRepo.followers")(function* (userId, status, page) {
          return yield* sql`
            SELECT follower_id AS user_id, created_at AS since FROM follows
            WHERE followee_id = ${userId} AND status = ${status} AND ${after(page, "created_at", "follower_id")}
            ORDER BY created_at DESC, follower_id DESC LIMIT ${page.limit}`.pipe(Effect.flatMap(decodeConnections))
        }, Effect.orDie),

        following: Effect.fn("GraphRepo.following")(function* (userId, page) {
          return yield* sql`
            SELECT followee_id AS user_id, created_at AS since FROM follows
            WHERE follower_id = ${userId} AND status = 'active' AND ${after(page, "created_at", "followee_id")}
            ORDER BY created_at DESC, followee_id DESC LIMIT ${page.limit}`.pipe(Effect.flatMap(decodeConnections))
        }, Effect.orDie),

        feedAuthors: Effect.fn("GraphRepo.feedAuthors")(function* (userId) {
          return yield* sql`
            SELECT user_id, bool_or(friend) AS friend FROM (
              SELECT followee_id AS user_id, false AS friend FROM follows WHERE follower_id = ${userId} AND status = 'active'
              UNION ALL
              SELECT high_id, true FROM friendships WHERE low_id = ${userId} AND status = 'accepted'
              UNION ALL
              SELECT low_id, true FROM friendships WHERE high_id = ${userId} AND status = 'accepted'
            ) authors GROUP BY user_id`.pipe(Effect.flatMap(decodeAuthors))
        }, Effect.orDie),

        lockFriendship: Effect.fn("GraphRepo.lockFriendship")(function* (a, b) {
          return yield* sql`SELECT requester_id, status FROM friendships WHERE ${pair(a, b)} FOR UPDATE`.pipe(
            Effect.flatMap(decodeFriendship)
          )
        }, Effect.orDie),

        insertFriendRequest: Effect.fn("GraphRepo.insertFriendRequest")(function* (requesterId, otherId) {
          const rows = yield* sql`
            INSERT INTO friendships (low_id, high_id, requester_id, status, created_at, since)
            VALUES (least(${requesterId}::uuid, ${otherId}::uuid), greatest(${requesterId}::uuid, ${otherId}::uuid),
              ${requesterId}, 'pending', now(), now())
            ON CONFLICT DO NOTHING RETURNING status`
          return rows.length > 0
        }, Effect.orDie),

        acceptFriendship: Effect.fn("GraphRepo.acceptFriendship")(function* (a, b) {
          const rows = yield* sql`
            UPDATE friendships SET status = 'accepted', since = now()
            WHERE ${pair(a, b)} AND status = 'pending' RETURNING status`
          if (rows.length > 0) yield* friendship(a, b, 1)
        }, Effect.orDie),

        deleteFriendship: Effect.fn("GraphRepo.deleteFriendship")(function* (a, b) {
          const row = yield* sql`
            DELETE FROM friendships WHERE ${pair(a, b)} RETURNING requester_id, status`.pipe(
            Effect.flatMap(decodeFriendship)
          )
          if (Option.isSome(row) && row.value.status === "accepted") yield* friendship(a, b, -1)
          return row
        }, Effect.orDie),

        friends: Effect.fn("GraphRepo.friends")(function* (userId, page) {
          return yield* bothSides(userId, "accepted", page).pipe(Effect.flatMap(decodeConnections))
        }, Effect.orDie),

        friendRequests: Effect.fn("GraphRepo.friendRequests")(function* (userId, direction, page) {
          const extra = direction === "outgoing" ? sql`requester_id = ${userId}` : sql`requester_id <> ${userId}`
          return yield* bothSides(userId, "pending", page, extra).pipe(Effect.flatMap(decodeConnections))
        }, Effect.orDie),

        mutualFriends: Effect.fn("GraphRepo.mutualFriends")(function* (viewerId, otherId, page) {
          // Their friendship with the friend on the other side of the viewer's row (`f`, aliased in `side`).
          const theirs = (mine: "low_id" | "high_id") => {
            const friend = sql.literal(mine === "low_id" ? "f.high_id" : "f.low_id")
            return sql`EXISTS (
              SELECT 1 FROM friendships o
              WHERE o.status = 'accepted' AND o.low_id = least(${friend}, ${otherId}::uuid)
                AND o.high_id = greatest(${friend}, ${otherId}::uuid))`
          }
          return yield* sql`
            SELECT user_id, since FROM (
              (${side(viewerId, "low_id", "accepted", page, theirs("low_id"))})
              UNION ALL (${side(viewerId, "high_id", "accepted", page, theirs("high_id"))})) f
            ORDER BY since DESC, user_id DESC LIMIT ${page.limit}`.pipe(Effect.flatMap(decodeConnections))
        }, Effect.orDie),

        haveMutualFriend: Effect.fn("GraphRepo.haveMutualFriend")(function* (a, b) {
          const row = yield* sql`
            SELECT EXISTS (
              SELECT 1 FROM (
                SELECT high_id AS friend FROM friendships WHERE low_id = ${a} AND status = 'accepted'
                UNION ALL SELECT low_id FROM friendships WHERE high_id = ${a} AND status = 'accepted'
              ) mine
              JOIN friendships o ON o.status = 'accepted'
                AND o.low_id = least(mine.friend, ${b}::uuid) AND o.high_id = greatest(mine.friend, ${b}::uuid)
            ) AS exists`.pipe(Effect.flatMap(decodeExists))
          return Option.match(row, { onNone: () => false, onSome: (found) => found.exists })
        }, Effect.orDie),

        relations: Effect.fn("GraphRepo.relations")(function* (viewerId, others) {
          if (others.length === 0) return new Map()
          const rows = yield* sql`
            SELECT o.id,
              EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ${viewerId} AND f.followee_id = o.id
                AND f.status = 'active') AS follows,
              EXISTS (SELECT 1 FROM friendships p WHERE p.low_id = least(${viewerId}::uuid, o.id)
                AND p.high_id = greatest(${viewerId}::uuid, o.id) AND p.status = 'accepted') AS friends,
              EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ${viewerId} AND b.blocked_id = o.id)
                OR (b.blocker_id = o.id AND b.blocked_id = ${viewerId})) AS blocked
            FROM unnest(${[...new Set(others)]}::uuid[]) AS o (id)`.pipe(Effect.flatMap(decodeRelations))
          return new Map(
            rows.map((row) => [row.id, { follows: row.follows, friends: row.friends, blocked: row.blocked }] as const)
          )
        }, Effect.orDie),

        relationship: Effect.fn("GraphRepo.relationship")(function* (viewerId, otherId) {
          const row = yield* sql`
            SELECT
              EXISTS (SELECT 1 FROM follows WHERE follower_id = ${viewerId} AND followee_id = ${otherId}
                AND status = 'active') AS following,
              EXISTS (SELECT 1 FROM follows WHERE follower_id = ${viewerId} AND followee_id = ${otherId}
                AND status = 'pending') AS follow_requested,
              EXISTS (SELECT 1 FROM follows WHERE follower_id = ${otherId} AND followee_id = ${viewerId}
                AND status = 'active') AS follows_you,
              EXISTS (SELECT 1 FROM friendships WHERE ${pair(viewerId, otherId)} AND status = 'accepted') AS friends,
              EXISTS (SELECT 1 FROM friendships WHERE ${pair(viewerId, otherId)} AND status = 'pending'
                AND requester_id = ${viewerId}) AS friend_request_sent,
              EXISTS (SELECT 1 FROM friendships WHERE ${pair(viewerId, otherId)} AND status = 'pending'
                AND requester_id = ${otherId}) AS friend_request_received,
              EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ${viewerId} AND blocked_id = ${otherId}) AS blocking`.pipe(
            Effect.flatMap(decodeRelationship)
          )
          if (Option.isNone(row)) return yield* Effect.die(new Error("The relationship query returned no row"))
          return row.value
        }, Effect.orDie),

        counts: Effect.fn("GraphRepo.counts")(function* (userId) {
          const row = yield* sql`
            SELECT followers, following, friends FROM social_counts WHERE user_id = ${userId}`.pipe(
            Effect.flatMap(decodeCounts)
          )
          return Option.getOrElse(row, () => noCounts)
        }, Effect.orDie)
      })
    })
  )
}
