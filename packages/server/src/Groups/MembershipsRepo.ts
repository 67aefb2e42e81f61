import { UserId } from "@moim/domain/Accounts/User"
import { GroupId, MemberRole, PostNotificationLevel } from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

export const MemberRow = Schema.Struct({ userId: UserId, role: MemberRole, joinedAt: Schema.Date })
export type MemberRow = typeof MemberRow.Type

export const JoinRequestRow = Schema.Struct({ userId: UserId, message: Schema.String, createdAt: Schema.Date })
export type JoinRequestRow = typeof JoinRequestRow.Type

export const BanRow = Schema.Struct({
  userId: UserId,
  reason: Schema.String,
  bannedBy: Schema.NullOr(UserId),
  createdAt: Schema.Date
})
export type BanRow = typeof BanRow.Type

/** Where a user stands with a group: member (with a role), pending request, pending invitation, banned. */
export const Standing = Schema.Struct({
  role: Schema.NullOr(MemberRole),
  /** Which of the group's posts notify them (members only). */
  postNotifications: Schema.NullOr(PostNotificationLevel),
  pending: Schema.Boolean,
  invited: Schema.Boolean,
  banned: Schema.Boolean
})
export type Standing = typeof Standing.Type

export const noStanding: Standing = {
  role: null,
  postNotifications: null,
  pending: false,
  invited: false,
  banned: false
}

const decodeMember = Rows.first(MemberRow)
const decodeUserIds = Rows.all(Schema.Struct({ userId: UserId }))
const decodeGroupIds = Rows.all(Schema.Struct({ groupId: GroupId }))
const decodeMembers = Rows.all(MemberRow)
const decodeRequests = Rows.all(JoinRequestRow)
const decodeBan = Rows.first(BanRow)
const decodeBans = Rows.all(BanRow)
const decodeStanding = Rows.first(Standing)
const decodeStandings = Rows.all(Schema.Struct({ groupId: GroupId, ...Standing.fields }))
const decodeLevels = Rows.all(Schema.Struct({ userId: UserId, postNotifications: PostNotificationLevel }))

/** The `group_members`, `group_join_requests` and `group_bans` tables: who is in a group, asks, or is kept out. */
export class MembershipsRepo extends Context.Service<
  MembershipsRepo,
  {
    /**
     * Where the user stands, in one query (it reads the group's pending invitations too, which are
     * the same feature's: one round trip on every membership change).
     */
    readonly standing: (groupId: GroupId, userId: UserId) => Effect.Effect<Standing>
    /** Where the user stands with each of many groups, in one query. */
    readonly standings: (
      groupIds: ReadonlyArray<GroupId>,
      userId: UserId
    ) => Effect.Effect<ReadonlyMap<GroupId, Standing>>
    readonly insertMember: (groupId: GroupId, userId: UserId, role: MemberRole) => Effect.Effect<void>
    /** The removed member's role; none when they were not a member. */
    readonly deleteMember: (groupId: GroupId, userId: UserId) => Effect.Effect<Option.Option<MemberRole>>
    readonly findMember: (groupId: GroupId, userId: UserId) => Effect.Effect<Option.Option<MemberRow>>
    readonly setRole: (groupId: GroupId, userId: UserId, role: MemberRole) => Effect.Effect<void>
    readonly setPostNotifications: (
      groupId: GroupId,
      userId: UserId,
      level: PostNotificationLevel
    ) => Effect.Effect<void>
    /** The members who want to hear of every new post. */
    readonly postSubscribers: (groupId: GroupId) => Effect.Effect<ReadonlyArray<UserId>>
    /** The post notification level of those among `userIds` who are members. */
    readonly postNotificationLevels: (
      groupId: GroupId,
      userIds: ReadonlyArray<UserId>
    ) => Effect.Effect<ReadonlyMap<UserId, PostNotificationLevel>>
    /** Oldest members first. */
    readonly listMembers: (options: {
      readonly groupId: GroupId
      readonly role: MemberRole | undefined
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<MemberRow>>
    /** The owner and admins: who is told of join requests. */
    readonly moderatorIds: (groupId: GroupId) => Effect.Effect<ReadonlyArray<UserId>>
    /** The groups (not deleted) the user is a member of, most recently joined first, at most `limit`. */
    readonly groupIdsOf: (userId: UserId, limit: number) => Effect.Effect<ReadonlyArray<GroupId>>
    readonly upsertJoinRequest: (groupId: GroupId, userId: UserId, message: string) => Effect.Effect<void>
    /** False when there was no request. */
    readonly deleteJoinRequest: (groupId: GroupId, userId: UserId) => Effect.Effect<boolean>
    /** Oldest first. */
    readonly listJoinRequests: (options: {
      readonly groupId: GroupId
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<JoinRequestRow>>
    /** Records (or updates) a ban and drops the user's pending request. */
    readonly upsertBan: (ban: {
      readonly groupId: GroupId
      readonly userId: UserId
      readonly bannedBy: UserId
      readonly reason: string
    }) => Effect.Effect<BanRow>
    /** False when the user was not banned. */
    readonly deleteBan: (groupId: GroupId, userId: UserId) => Effect.Effect<boolean>
    /** Newest first. */
    readonly listBans: (options: {
      readonly groupId: GroupId
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<BanRow>>
  }
>()("@moim/server/Groups/MembershipsRepo") {
  static readonly layer = Layer.effect(
    MembershipsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return MembershipsRepo.of({
        standing: Effect.fn("MembershipsRepo.standing")(function* (groupId, userId) {
          const row = yield* sql`
            SELECT
              member.role, member.post_notifications,
              EXISTS (SELECT 1 FROM group_join_requests WHERE group_id = ${groupId} AND user_id = ${userId}) AS pending,
              EXISTS (SELECT 1 FROM group_invitations WHERE group_id = ${groupId} AND invitee_id = ${userId}
                AND status = 'pending' AND expires_at > now()) AS invited,
              EXISTS (SELECT 1 FROM group_bans WHERE group_id = ${groupId} AND user_id = ${userId}) AS banned
            FROM (SELECT 1) AS one
            LEFT JOIN group_members member ON member.group_id = ${groupId} AND member.user_id = ${userId}`.pipe(
            Effect.flatMap(decodeStanding)
          )
          return Option.getOrElse(row, () => noStanding)
        }, Effect.orDie),

        standings: Effect.fn("MembershipsRepo.standings")(function* (groupIds, userId) {
          if (groupIds.length === 0) return new Map()
          const rows = yield* sql`
            SELECT g.id AS group_id, member.role, member.post_notifications,
              EXISTS (SELECT 1 FROM group_join_requests WHERE group_id = g.id AND user_id = ${userId}) AS pending,
              EXISTS (SELECT 1 FROM group_invitations WHERE group_id = g.id AND invitee_id = ${userId}
                AND status = 'pending' AND expires_at > now()) AS invited,
              EXISTS (SELECT 1 FROM group_bans WHERE group_id = g.id AND user_id = ${userId}) AS banned
            FROM unnest(${[...new Set(groupIds)]}::uuid[]) AS g (id)
            LEFT JOIN group_members member ON member.group_id = g.id AND member.user_id = ${userId}`.pipe(
            Effect.flatMap(decodeStandings)
          )
          return new Map(rows.map(({ groupId, ...standing }) => [groupId, standing] as const))
        }, Effect.orDie),

        insertMember: Effect.fn("MembershipsRepo.insertMember")(function* (groupId, userId, role) {
          yield* sql`
            INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (${groupId}, ${userId}, ${role}, now())`
        }, Effect.orDie),

        deleteMember: Effect.fn("MembershipsRepo.deleteMember")(function* (groupId, userId) {
          const removed = yield* sql`
            DELETE FROM group_members WHERE group_id = ${groupId} AND user_id = ${userId}
            RETURNING user_id, role, joined_at`.pipe(Effect.flatMap(decodeMember))
          return Option.map(removed, (member) => member.role)
        }, Effect.orDie),

        findMember: Effect.fn("MembershipsRepo.findMember")(function* (groupId, userId) {
          return yield* sql`
            SELECT user_id, role, joined_at FROM group_members WHERE group_id = ${groupId} AND user_id = ${userId}`.pipe(
            Effect.flatMap(decodeMember)
          )
        }, Effect.orDie),

        setRole: Effect.fn("MembershipsRepo.setRole")(function* (groupId, userId, role) {
          yield* sql`UPDATE group_members SET role = ${role} WHERE group_id = ${groupId} AND user_id = ${userId}`
        }, Effect.orDie),

        setPostNotifications: Effect.fn("MembershipsRepo.setPostNotifications")(function* (groupId, userId, level) {
          yield* sql`
            UPDATE group_members SET post_notifications = ${level} WHERE group_id = ${groupId} AND user_id = ${userId}`
        }, Effect.orDie),

        postSubscribers: Effect.fn("MembershipsRepo.postSubscribers")(function* (groupId) {
          const rows = yield* sql`
            SELECT user_id FROM group_members WHERE group_id = ${groupId} AND post_notifications = 'all'`.pipe(
            Effect.flatMap(decodeUserIds)
          )
          return rows.map((row) => row.userId)
        }, Effect.orDie),

        postNotificationLevels: Effect.fn("MembershipsRepo.postNotificationLevels")(function* (groupId, userIds) {
          if (userIds.length === 0) return new Map()
          const rows = yield* sql`
            SELECT user_id, post_notifications FROM group_members
            WHERE group_id = ${groupId} AND user_id = ANY(${[...userIds]}::uuid[])`.pipe(Effect.flatMap(decodeLevels))
          return new Map(rows.map((row) => [row.userId, row.postNotifications] as const))
        }, Effect.orDie),

        listMembers: Effect.fn("MembershipsRepo.listMembers")(function* (options) {
          const after = options.after
          return yield* sql`
            SELECT user_id, role, joined_at FROM group_members
            WHERE group_id = ${options.groupId}
              AND ${options.role === undefined ? sql`true` : sql`role = ${options.role}`}
              AND ${after === null ? sql`true` : sql`(joined_at, user_id) > (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY joined_at, user_id
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeMembers))
        }, Effect.orDie),

        moderatorIds: Effect.fn("MembershipsRepo.moderatorIds")(function* (groupId) {
          const rows = yield* sql`
            SELECT user_id FROM group_members WHERE group_id = ${groupId} AND role IN ('owner', 'admin')`.pipe(
            Effect.flatMap(decodeUserIds)
          )
          return rows.map((row) => row.userId)
        }, Effect.orDie),

        groupIdsOf: Effect.fn("MembershipsRepo.groupIdsOf")(function* (userId, limit) {
          const rows = yield* sql`
            SELECT m.group_id FROM group_members m JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
            WHERE m.user_id = ${userId} ORDER BY m.joined_at DESC LIMIT ${limit}`.pipe(Effect.flatMap(decodeGroupIds))
          return rows.map((row) => row.groupId)
        }, Effect.orDie),

        upsertJoinRequest: Effect.fn("MembershipsRepo.upsertJoinRequest")(function* (groupId, userId, message) {
          yield* sql`
            INSERT INTO group_join_requests (group_id, user_id, message, created_at)
            VALUES (${groupId}, ${userId}, ${message}, now())
            ON CONFLICT (group_id, user_id) DO UPDATE SET message = EXCLUDED.message`
        }, Effect.orDie),

        deleteJoinRequest: Effect.fn("MembershipsRepo.deleteJoinRequest")(function* (groupId, userId) {
          const rows = yield* sql`
            DELETE FROM group_join_requests WHERE group_id = ${groupId} AND user_id = ${userId} RETURNING user_id`
          return rows.length > 0
        }, Effect.orDie),

        listJoinRequests: Effect.fn("MembershipsRepo.listJoinRequests")(function* (options) {
          const after = options.after
          return yield* sql`
            SELECT user_id, message, created_at FROM group_join_requests
            WHERE group_id = ${options.groupId}
              AND ${after === null ? sql`true` : sql`(created_at, user_id) > (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY created_at, user_id LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeRequests))
        }, Effect.orDie),

        upsertBan: Effect.fn("MembershipsRepo.upsertBan")(function* (ban) {
          const row = yield* sql`
            INSERT INTO group_bans (group_id, user_id, banned_by, reason, created_at)
            VALUES (${ban.groupId}, ${ban.userId}, ${ban.bannedBy}, ${ban.reason}, now())
            ON CONFLICT (group_id, user_id) DO UPDATE SET reason = EXCLUDED.reason, banned_by = EXCLUDED.banned_by
            RETURNING user_id, reason, banned_by, created_at`.pipe(Effect.flatMap(decodeBan))
          yield* sql`DELETE FROM group_join_requests WHERE group_id = ${ban.groupId} AND user_id = ${ban.userId}`
          if (row._tag === "None") return yield* Effect.die(new Error("The ban was not recorded"))
          return row.value
        }, Effect.orDie),

        deleteBan: Effect.fn("MembershipsRepo.deleteBan")(function* (groupId, userId) {
          const rows = yield* sql`
            DELETE FROM group_bans WHERE group_id = ${groupId} AND user_id = ${userId} RETURNING user_id`
          return rows.length > 0
        }, Effect.orDie),

        listBans: Effect.fn("MembershipsRepo.listBans")(function* (options) {
          const after = options.after
          return yield* sql`
            SELECT user_id, reason, banned_by, created_at FROM group_bans
            WHERE group_id = ${options.groupId}
              AND ${after === null ? sql`true` : sql`(created_at, user_id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY created_at DESC, user_id DESC LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeBans))
        }, Effect.orDie)
      })
    })
  )
}
