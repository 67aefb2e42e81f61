import type { UserId } from "@moim/domain/Accounts/User"
import type { GroupCategory, GroupId, InvitationId, MemberRole } from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"

export interface GroupRow {
  readonly id: GroupId
  readonly name: string
  readonly description: string
  readonly category: GroupCategory
  readonly tags: ReadonlyArray<string>
  readonly visibility: "public" | "private"
  readonly joinPolicy: "open" | "approval" | "invite"
  readonly memberLimit: number | null
  readonly imageKey: string | null
  readonly ownerId: UserId
  readonly memberCount: number
  readonly postCount: number
  readonly createdAt: Date
  readonly updatedAt: Date
}

export interface ListedGroupRow extends GroupRow {
  readonly rank: string
}

export interface ViewerRow {
  readonly role: MemberRole | null
  readonly pending: boolean
  readonly invited: boolean
  readonly banned: boolean
}

export interface ProfileColumns {
  readonly userId: UserId
  readonly nickname: string
  readonly bio: string
  readonly avatarKey: string | null
  readonly interests: ReadonlyArray<string>
  readonly userCreatedAt: Date
}

export interface MemberRow extends ProfileColumns {
  readonly role: MemberRole
  readonly joinedAt: Date
}

export interface JoinRequestRow extends ProfileColumns {
  readonly message: string
  readonly createdAt: Date
}

export interface BanRow extends ProfileColumns {
  readonly reason: string
  readonly bannedBy: UserId | null
  readonly createdAt: Date
}

export interface InvitationRow {
  readonly id: InvitationId
  readonly groupId: GroupId
  readonly groupName: string
  readonly inviterId: UserId
  readonly inviteeId: UserId | null
  readonly email: string | null
  readonly status: "pending" | "accepted" | "declined" | "revoked"
  readonly createdAt: Date
  readonly expiresAt: Date
}

export type GroupSortKey = "relevance" | "newest" | "members"

export interface GroupFields {
  readonly name: string
  readonly description: string
  readonly category: GroupCategory
  readonly tags: ReadonlyArray<string>
  readonly visibility: "public" | "private"
  readonly joinPolicy: "open" | "approval" | "invite"
  readonly memberLimit: number | null
}

/** Prefix terms for `to_tsquery`: each word of the query must match the start of a word. */
export const toTsQuery = (q: string): string | null => {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  return words.length === 0
    ? null
    : words
        .slice(0, 8)
        .map((word) => `${word}:*`)
        .join(" & ")
}

/** Every column but `search` (a tsvector, which is for the index, not for reading). */
const groupColumnList = `id, name, description, category, tags, visibility, join_policy, member_limit, image_key, owner_id,
  member_count, post_count, created_at, updated_at`

const profileColumns = `u.id AS user_id, u.nickname, u.bio, u.avatar_key, u.interests, u.created_at AS user_created_at`

/** The group tables: groups, members, join requests, invitations and bans. */
export class GroupsRepo extends Context.Service<GroupsRepo, Effect.Success<typeof makeRepo>>()(
  "@moim/server/Groups/GroupsRepo"
) {
  static readonly layer = Layer.effect(
    GroupsRepo,
    Effect.suspend(() => makeRepo)
  )
}

const makeRepo = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const groupColumns = sql.literal(groupColumnList)
  const first = <A>(rows: ReadonlyArray<A>) => Option.fromNullishOr(rows[0])
  const searchVector = (fields: {
    readonly name: string
    readonly tags: ReadonlyArray<string>
    readonly description: string
  }) =>
    sql`setweight(to_tsvector('simple', ${fields.name}), 'A') || setweight(to_tsvector('simple', ${fields.tags.join(" ")}), 'B') || setweight(to_tsvector('simple', ${fields.description}), 'C')`

  const insertGroup = Effect.fn("GroupsRepo.insertGroup")(function* (
    id: GroupId,
    ownerId: UserId,
    fields: GroupFields
  ) {
    const rows = yield* sql<GroupRow>`
      INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, member_limit, owner_id,
        member_count, search, created_at, updated_at)
      VALUES (${id}, ${fields.name}, ${fields.description}, ${fields.category}, ${[...fields.tags]}::text[],
        ${fields.visibility}, ${fields.joinPolicy}, ${fields.memberLimit}, ${ownerId}, 1, ${searchVector(fields)},
        now(), now())
      RETURNING ${groupColumns}`
    yield* sql`INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (${id}, ${ownerId}, 'owner', now())`
    return rows[0]
  }, Effect.orDie)

  const findGroup = Effect.fn("GroupsRepo.findGroup")(function* (id: GroupId) {
    return first(yield* sql<GroupRow>`SELECT ${groupColumns} FROM groups WHERE id = ${id} AND deleted_at IS NULL`)
  }, Effect.orDie)

  /** Locks the group row for the rest of the transaction: membership changes of one group serialise on it. */
  const lockGroup = Effect.fn("GroupsRepo.lockGroup")(function* (id: GroupId) {
    return first(
      yield* sql<GroupRow>`SELECT ${groupColumns} FROM groups WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`
    )
  }, Effect.orDie)

  const updateGroup = Effect.fn("GroupsRepo.updateGroup")(function* (
    id: GroupId,
    fields: GroupFields & { readonly imageKey: string | null }
  ) {
    return first(
      yield* sql<GroupRow>`
        UPDATE groups SET name = ${fields.name}, description = ${fields.description}, category = ${fields.category},
          tags = ${[...fields.tags]}::text[], visibility = ${fields.visibility}, join_policy = ${fields.joinPolicy},
          member_limit = ${fields.memberLimit}, image_key = ${fields.imageKey}, search = ${searchVector(fields)},
          updated_at = now()
        WHERE id = ${id} AND deleted_at IS NULL RETURNING ${groupColumns}`
    )
  }, Effect.orDie)

  const softDeleteGroup = Effect.fn("GroupsRepo.softDeleteGroup")(function* (id: GroupId) {
    yield* sql`UPDATE groups SET deleted_at = now(), updated_at = now() WHERE id = ${id} AND deleted_at IS NULL`
    yield* sql`UPDATE group_invitations SET status = 'revoked', responded_at = now() WHERE group_id = ${id} AND status = 'pending'`
  }, Effect.orDie)

  const purgeDeletedGroups = Effect.fn("GroupsRepo.purgeDeletedGroups")(function* (olderThanDays: number) {
    const rows = yield* sql<{ id: GroupId; imageKey: string | null }>`
      DELETE FROM groups WHERE deleted_at < now() - make_interval(days => ${olderThanDays}) RETURNING id, image_key`
    return rows
  }, Effect.orDie)

  const listGroups = Effect.fn("GroupsRepo.listGroups")(function* (options: {
    readonly tsQuery: string | null
    readonly category: string | undefined
    readonly tag: string | undefined
    readonly sort: GroupSortKey
    readonly limit: number
    readonly after: { readonly key: string; readonly id: string } | null
  }) {
    const { after, sort, tsQuery } = options
    const rank = tsQuery === null ? sql`0::real` : sql`ts_rank_cd(search, to_tsquery('simple', ${tsQuery}))::real`
    const keyset =
      after === null
        ? sql`true`
        : sort === "relevance"
          ? sql`(rank < ${after.key}::real OR (rank = ${after.key}::real AND id > ${after.id}::uuid))`
          : sort === "members"
            ? sql`(member_count, id) < (${after.key}::int, ${after.id}::uuid)`
            : sql`(created_at, id) < (${after.key}::timestamptz, ${after.id}::uuid)`
    const order =
      sort === "relevance"
        ? sql`rank DESC, id ASC`
        : sort === "members"
          ? sql`member_count DESC, id DESC`
          : sql`created_at DESC, id DESC`
    return yield* sql<ListedGroupRow>`
      SELECT * FROM (
        SELECT ${groupColumns}, ${rank} AS rank FROM groups
        WHERE deleted_at IS NULL AND visibility = 'public'
          AND ${tsQuery === null ? sql`true` : sql`search @@ to_tsquery('simple', ${tsQuery})`}
          AND ${options.category === undefined ? sql`true` : sql`category = ${options.category}`}
          AND ${options.tag === undefined ? sql`true` : sql`tags @> ARRAY[${options.tag}]::text[]`}
      ) found
      WHERE ${keyset}
      ORDER BY ${order}
      LIMIT ${options.limit}`.pipe(Effect.map((rows) => rows.map((row) => ({ ...row, rank: String(row.rank) }))))
  }, Effect.orDie)

  const listMyGroups = Effect.fn("GroupsRepo.listMyGroups")(function* (options: {
    readonly userId: UserId
    readonly limit: number
    readonly after: TimePosition | null
  }) {
    const after = options.after
    return yield* sql<GroupRow & { readonly role: MemberRole; readonly joinedAt: Date }>`
      SELECT ${sql.literal(
        groupColumnList
          .split(",")
          .map((column) => `g.${column.trim()}`)
          .join(", ")
      )}, m.role, m.joined_at FROM group_members m JOIN groups g ON g.id = m.group_id
      WHERE m.user_id = ${options.userId} AND g.deleted_at IS NULL
        AND ${after === null ? sql`true` : sql`(m.joined_at, m.group_id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
      ORDER BY m.joined_at DESC, m.group_id DESC
      LIMIT ${options.limit}`
  }, Effect.orDie)

  const viewer = Effect.fn("GroupsRepo.viewer")(function* (groupId: GroupId, userId: UserId) {
    const rows = yield* sql<ViewerRow>`
      SELECT
        (SELECT role FROM group_members WHERE group_id = ${groupId} AND user_id = ${userId}) AS role,
        EXISTS (SELECT 1 FROM group_join_requests WHERE group_id = ${groupId} AND user_id = ${userId}) AS pending,
        EXISTS (SELECT 1 FROM group_invitations WHERE group_id = ${groupId} AND invitee_id = ${userId}
          AND status = 'pending' AND expires_at > now()) AS invited,
        EXISTS (SELECT 1 FROM group_bans WHERE group_id = ${groupId} AND user_id = ${userId}) AS banned`
    return rows[0] ?? { role: null, pending: false, invited: false, banned: false }
  }, Effect.orDie)

  /**
   * Adds a member if the group has room: the count and the limit are checked in one statement on the
   * locked row. A pending request or invitation of the new member is settled only when there is one.
   */
  const addMember = Effect.fn("GroupsRepo.addMember")(function* (
    groupId: GroupId,
    userId: UserId,
    role: MemberRole,
    standing: { readonly pending: boolean; readonly invited: boolean }
  ) {
    const counted = yield* sql<{ memberCount: number }>`
      UPDATE groups SET member_count = member_count + 1, updated_at = now()
      WHERE id = ${groupId} AND deleted_at IS NULL AND (member_limit IS NULL OR member_count < member_limit)
      RETURNING member_count`
    if (counted.length === 0) return false
    yield* sql`INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (${groupId}, ${userId}, ${role}, now())`
    if (standing.pending)
      yield* sql`DELETE FROM group_join_requests WHERE group_id = ${groupId} AND user_id = ${userId}`
    if (standing.invited) {
      yield* sql`
        UPDATE group_invitations SET status = 'accepted', responded_at = now()
        WHERE group_id = ${groupId} AND invitee_id = ${userId} AND status = 'pending'`
    }
    return true
  }, Effect.orDie)

  const removeMember = Effect.fn("GroupsRepo.removeMember")(function* (groupId: GroupId, userId: UserId) {
    const removed = yield* sql<{ role: MemberRole }>`
      DELETE FROM group_members WHERE group_id = ${groupId} AND user_id = ${userId} RETURNING role`
    if (removed.length > 0) {
      yield* sql`UPDATE groups SET member_count = member_count - 1, updated_at = now() WHERE id = ${groupId}`
    }
    return removed.length > 0
  }, Effect.orDie)

  const findMember = Effect.fn("GroupsRepo.findMember")(function* (groupId: GroupId, userId: UserId) {
    return first(
      yield* sql<MemberRow>`
        SELECT ${sql.literal(profileColumns)}, m.role, m.joined_at FROM group_members m JOIN users u ON u.id = m.user_id
        WHERE m.group_id = ${groupId} AND m.user_id = ${userId}`
    )
  }, Effect.orDie)

  const setRole = Effect.fn("GroupsRepo.setRole")(function* (groupId: GroupId, userId: UserId, role: MemberRole) {
    yield* sql`UPDATE group_members SET role = ${role} WHERE group_id = ${groupId} AND user_id = ${userId}`
  }, Effect.orDie)

  const setOwner = Effect.fn("GroupsRepo.setOwner")(function* (groupId: GroupId, ownerId: UserId) {
    return first(
      yield* sql<GroupRow>`UPDATE groups SET owner_id = ${ownerId}, updated_at = now() WHERE id = ${groupId} RETURNING ${groupColumns}`
    )
  }, Effect.orDie)

  const listMembers = Effect.fn("GroupsRepo.listMembers")(function* (options: {
    readonly groupId: GroupId
    readonly role: MemberRole | undefined
    readonly limit: number
    readonly after: TimePosition | null
  }) {
    const after = options.after
    return yield* sql<MemberRow>`
      SELECT ${sql.literal(profileColumns)}, m.role, m.joined_at FROM group_members m JOIN users u ON u.id = m.user_id
      WHERE m.group_id = ${options.groupId}
        AND ${options.role === undefined ? sql`true` : sql`m.role = ${options.role}`}
        AND ${after === null ? sql`true` : sql`(m.joined_at, m.user_id) > (${after.at}::timestamptz, ${after.id}::uuid)`}
      ORDER BY m.joined_at, m.user_id
      LIMIT ${options.limit}`
  }, Effect.orDie)

  const upsertJoinRequest = Effect.fn("GroupsRepo.upsertJoinRequest")(function* (
    groupId: GroupId,
    userId: UserId,
    message: string
  ) {
    yield* sql`
      INSERT INTO group_join_requests (group_id, user_id, message, created_at) VALUES (${groupId}, ${userId}, ${message}, now())
      ON CONFLICT (group_id, user_id) DO UPDATE SET message = EXCLUDED.message`
  }, Effect.orDie)

  const deleteJoinRequest = Effect.fn("GroupsRepo.deleteJoinRequest")(function* (groupId: GroupId, userId: UserId) {
    const rows = yield* sql<{ userId: UserId }>`
      DELETE FROM group_join_requests WHERE group_id = ${groupId} AND user_id = ${userId} RETURNING user_id`
    return rows.length > 0
  }, Effect.orDie)

  const listJoinRequests = Effect.fn("GroupsRepo.listJoinRequests")(function* (options: {
    readonly groupId: GroupId
    readonly limit: number
    readonly after: TimePosition | null
  }) {
    const after = options.after
    return yield* sql<JoinRequestRow>`
      SELECT ${sql.literal(profileColumns)}, r.message, r.created_at FROM group_join_requests r JOIN users u ON u.id = r.user_id
      WHERE r.group_id = ${options.groupId}
        AND ${after === null ? sql`true` : sql`(r.created_at, r.user_id) > (${after.at}::timestamptz, ${after.id}::uuid)`}
      ORDER BY r.created_at, r.user_id LIMIT ${options.limit}`
  }, Effect.orDie)

  const invitationColumns = sql.literal(
    `i.id, i.group_id, g.name AS group_name, i.inviter_id, i.invitee_id, i.email, i.status, i.created_at, i.expires_at`
  )

  const insertInvitation = Effect.fn("GroupsRepo.insertInvitation")(function* (invitation: {
    readonly id: InvitationId
    readonly groupId: GroupId
    readonly inviterId: UserId
    readonly inviteeId: UserId | null
    readonly email: string | null
    readonly expiresInDays: number
  }) {
    const inserted = yield* sql<{ id: InvitationId }>`
      INSERT INTO group_invitations (id, group_id, inviter_id, invitee_id, email, status, created_at, expires_at)
      VALUES (${invitation.id}, ${invitation.groupId}, ${invitation.inviterId}, ${invitation.inviteeId},
        ${invitation.email}, 'pending', now(), now() + make_interval(days => ${invitation.expiresInDays}))
      ON CONFLICT DO NOTHING RETURNING id`
    if (inserted.length === 0) return Option.none<InvitationRow>()
    return yield* findInvitation(invitation.id)
  }, Effect.orDie)

  const findInvitation = Effect.fn("GroupsRepo.findInvitation")(function* (id: InvitationId) {
    return first(
      yield* sql<InvitationRow>`
        SELECT ${invitationColumns} FROM group_invitations i JOIN groups g ON g.id = i.group_id
        WHERE i.id = ${id} AND g.deleted_at IS NULL`
    )
  }, Effect.orDie)

  /** Expired invitations no longer count as pending; they are ignored everywhere. */
  const pendingInvitationFor = Effect.fn("GroupsRepo.pendingInvitationFor")(function* (
    id: InvitationId,
    userId: UserId
  ) {
    return first(
      yield* sql<InvitationRow>`
        SELECT ${invitationColumns} FROM group_invitations i JOIN groups g ON g.id = i.group_id
        WHERE i.id = ${id} AND i.invitee_id = ${userId} AND i.status = 'pending' AND i.expires_at > now()
          AND g.deleted_at IS NULL`
    )
  }, Effect.orDie)

  const respondToInvitation = Effect.fn("GroupsRepo.respondToInvitation")(function* (
    id: InvitationId,
    status: "accepted" | "declined" | "revoked"
  ) {
    const rows = yield* sql<{ id: InvitationId }>`
      UPDATE group_invitations SET status = ${status}, responded_at = now()
      WHERE id = ${id} AND status = 'pending' RETURNING id`
    return rows.length > 0
  }, Effect.orDie)

  const listInvitations = Effect.fn("GroupsRepo.listInvitations")(function* (options: {
    readonly groupId?: GroupId | undefined
    readonly inviteeId?: UserId | undefined
    readonly limit: number
    readonly after: TimePosition | null
  }) {
    const after = options.after
    return yield* sql<InvitationRow>`
      SELECT ${invitationColumns} FROM group_invitations i JOIN groups g ON g.id = i.group_id
      WHERE i.status = 'pending' AND i.expires_at > now() AND g.deleted_at IS NULL
        AND ${options.groupId === undefined ? sql`true` : sql`i.group_id = ${options.groupId}`}
        AND ${options.inviteeId === undefined ? sql`true` : sql`i.invitee_id = ${options.inviteeId}`}
        AND ${after === null ? sql`true` : sql`(i.created_at, i.id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
      ORDER BY i.created_at DESC, i.id DESC LIMIT ${options.limit}`
  }, Effect.orDie)

  const insertBan = Effect.fn("GroupsRepo.insertBan")(function* (ban: {
    readonly groupId: GroupId
    readonly userId: UserId
    readonly bannedBy: UserId
    readonly reason: string
  }) {
    yield* sql`
      INSERT INTO group_bans (group_id, user_id, banned_by, reason, created_at)
      VALUES (${ban.groupId}, ${ban.userId}, ${ban.bannedBy}, ${ban.reason}, now())
      ON CONFLICT (group_id, user_id) DO UPDATE SET reason = EXCLUDED.reason, banned_by = EXCLUDED.banned_by`
    yield* sql`DELETE FROM group_join_requests WHERE group_id = ${ban.groupId} AND user_id = ${ban.userId}`
    yield* sql`
      UPDATE group_invitations SET status = 'revoked', responded_at = now()
      WHERE group_id = ${ban.groupId} AND invitee_id = ${ban.userId} AND status = 'pending'`
    return first(
      yield* sql<BanRow>`
        SELECT ${sql.literal(profileColumns)}, b.reason, b.banned_by, b.created_at FROM group_bans b JOIN users u ON u.id = b.user_id
        WHERE b.group_id = ${ban.groupId} AND b.user_id = ${ban.userId}`
    )
  }, Effect.orDie)

  const deleteBan = Effect.fn("GroupsRepo.deleteBan")(function* (groupId: GroupId, userId: UserId) {
    const rows = yield* sql<{ userId: UserId }>`
      DELETE FROM group_bans WHERE group_id = ${groupId} AND user_id = ${userId} RETURNING user_id`
    return rows.length > 0
  }, Effect.orDie)

  const listBans = Effect.fn("GroupsRepo.listBans")(function* (options: {
    readonly groupId: GroupId
    readonly limit: number
    readonly after: TimePosition | null
  }) {
    const after = options.after
    return yield* sql<BanRow>`
      SELECT ${sql.literal(profileColumns)}, b.reason, b.banned_by, b.created_at FROM group_bans b JOIN users u ON u.id = b.user_id
      WHERE b.group_id = ${options.groupId}
        AND ${after === null ? sql`true` : sql`(b.created_at, b.user_id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
      ORDER BY b.created_at DESC, b.user_id DESC LIMIT ${options.limit}`
  }, Effect.orDie)

  const findActiveUser = Effect.fn("GroupsRepo.findActiveUser")(function* (userId: UserId) {
    return first(yield* sql<{ id: UserId }>`SELECT id FROM users WHERE id = ${userId} AND status = 'active'`)
  }, Effect.orDie)

  const findUserIdByEmail = Effect.fn("GroupsRepo.findUserIdByEmail")(function* (email: string) {
    return first(yield* sql<{ id: UserId }>`SELECT id FROM users WHERE email = ${email} AND status = 'active'`)
  }, Effect.orDie)

  return {
    insertGroup,
    findGroup,
    lockGroup,
    updateGroup,
    softDeleteGroup,
    purgeDeletedGroups,
    listGroups,
    listMyGroups,
    viewer,
    addMember,
    removeMember,
    findMember,
    setRole,
    setOwner,
    listMembers,
    upsertJoinRequest,
    deleteJoinRequest,
    listJoinRequests,
    insertInvitation,
    findInvitation,
    pendingInvitationFor,
    respondToInvitation,
    listInvitations,
    insertBan,
    deleteBan,
    listBans,
    findActiveUser,
    findUserIdByEmail
  }
})
