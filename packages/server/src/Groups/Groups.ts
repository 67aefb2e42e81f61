import { PublicProfile, type UserId, UserNotFound } from "@moim/domain/Accounts/User"
import {
  AlreadyInvited,
  AlreadyMember,
  BannedFromGroup,
  Group,
  GroupBan,
  GroupFull,
  GroupId,
  GroupMember,
  GroupNotFound,
  Invitation,
  InvitationId,
  InvitationNotFound,
  InvitationRequired,
  JoinRequest,
  JoinRequestNotFound,
  type MemberRole,
  NotAMember,
  OwnerCannotLeave
} from "@moim/domain/Groups/Group"
import type { CreateGroupPayload, UpdateGroupPayload } from "@moim/domain/Groups/GroupsApi"
import { SendEmail } from "@moim/domain/Jobs/SendEmail"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { AvatarContentType } from "@moim/domain/Kit/ImageUpload"
import { defaultPageSize } from "@moim/domain/Kit/Page"
import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SecureRandom } from "effect/crypto"
import { SqlClient } from "effect/sql"
import { AccountsConfig } from "../Accounts/AccountsConfig.ts"
import { Cache } from "../platform/Cache.ts"
import { Cursors, PositionField, TimePosition } from "../platform/Cursors.ts"
import { ImageUploads } from "../platform/ImageUploads.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { type Actor, type GroupAction, GroupPolicy } from "./GroupPolicy.ts"
import {
  type GroupFields,
  type GroupRow,
  type GroupSortKey,
  GroupsRepo,
  type InvitationRow,
  type ProfileColumns,
  toTsQuery,
  type ViewerRow
} from "./GroupsRepo.ts"

type SignedIn = CurrentUser["Service"]
type PageQuery = { readonly limit?: number | undefined; readonly cursor?: string | undefined }

const noStanding: ViewerRow = { role: null, pending: false, invited: false, banned: false }
const invitationDays = 14
/** Where a page of `GET /groups` ended, by sort: the rank, the member count or the creation time. */
const listPositions = {
  relevance: Schema.Struct({ key: PositionField.number, id: PositionField.id }),
  members: Schema.Struct({ key: PositionField.number, id: PositionField.id }),
  newest: Schema.Struct({ key: PositionField.time, id: PositionField.id })
}
const utc = (date: Date) => DateTime.fromDateUnsafe(date)
const toActor = (user: SignedIn): Actor => ({ userId: user.userId, siteRole: user.role })

/**
 * Interest groups: the one service behind the groups REST endpoints and RPCs. Every permission
 * goes through `GroupPolicy`; every write that changes what a cached group or list page shows
 * invalidates it before returning.
 */
export class Groups extends Context.Service<Groups, Effect.Success<typeof make>>()("@moim/server/Groups/Groups") {
  static readonly layer = Layer.effect(
    Groups,
    Effect.suspend(() => make)
  )
}

const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const repo = yield* GroupsRepo
  const images = yield* ImageUploads
  const jobs = yield* JobQueue
  const cache = yield* Cache
  const cursors = yield* Cursors
  const accountsConfig = yield* AccountsConfig

  /** Group details for about a minute, list pages for about five; both dropped on every relevant write. */
  const details = cache.namespace({ name: "groups:detail", schema: Group, ttl: "1 minute" })
  const lists = cache.namespace({
    name: "groups:list",
    schema: Schema.Struct({ items: Schema.Array(Group), nextCursor: Schema.NullOr(Schema.String) }),
    ttl: "5 minutes"
  })
  const invalidate = (groupId: GroupId) => Effect.andThen(details.invalidate(groupId), lists.invalidateAll)

  const toProfile = (row: ProfileColumns) =>
    new PublicProfile({
      id: row.userId,
      nickname: row.nickname,
      bio: row.bio,
      avatarUrl: images.url(`/api/v1/users/${row.userId}/avatar`, row.avatarKey),
      interests: row.interests,
      createdAt: utc(row.userCreatedAt)
    })

  const toGroup = (row: GroupRow, viewer: ViewerRow | null) =>
    new Group({
      id: row.id,
      name: row.name,
      description: row.description,
      category: row.category,
      tags: row.tags,
      visibility: row.visibility,
      joinPolicy: row.joinPolicy,
      memberLimit: row.memberLimit,
      imageUrl: images.url(`/api/v1/groups/${row.id}/image`, row.imageKey),
      ownerId: row.ownerId,
      memberCount: row.memberCount,
      postCount: row.postCount,
      createdAt: utc(row.createdAt),
      updatedAt: utc(row.updatedAt),
      viewer: viewer === null ? null : toViewer(viewer)
    })

  const toViewer = (standing: ViewerRow) => ({
    status: standing.banned
      ? ("banned" as const)
      : standing.role !== null
        ? ("member" as const)
        : standing.pending
          ? ("pending" as const)
          : standing.invited
            ? ("invited" as const)
            : ("none" as const),
    role: standing.role
  })

  const notFound = () => new GroupNotFound({ message: "No such group" })

  const requireMember = (groupId: GroupId, userId: UserId) =>
    Effect.flatMap(repo.findMember(groupId, userId), (member) =>
      Option.isNone(member)
        ? Effect.die(new Error("The member just added was not found"))
        : Effect.succeed(member.value)
    )

  /** The group (from the cache when fresh) and where the actor stands with it. */
  const load = Effect.fn("Groups.load")(function* (groupId: GroupId, actor: Actor) {
    const group = yield* details.getOrSet(
      groupId,
      Effect.flatMap(repo.findGroup(groupId), (row) =>
        Option.isNone(row) ? Effect.fail(notFound()) : Effect.succeed(toGroup(row.value, null))
      )
    )
    const standing = actor === null ? noStanding : yield* repo.viewer(groupId, actor.userId)
    return { group, standing, context: { group, actor, standing } }
  })

  /** Loads the group fresh and locked inside a transaction, for an actor who may see it. */
  const lockVisible = Effect.fn("Groups.lockVisible")(function* (groupId: GroupId, user: SignedIn) {
    const row = yield* repo.lockGroup(groupId)
    if (Option.isNone(row)) return yield* notFound()
    const standing = yield* repo.viewer(groupId, user.userId)
    const context = { group: row.value, actor: toActor(user), standing }
    yield* GroupPolicy.checkView(context)
    return context
  })

  /** `lockVisible`, and the actor may do `action`. */
  const authorize = Effect.fn("Groups.authorize")(function* (
    groupId: GroupId,
    user: SignedIn,
    action: Exclude<GroupAction, "view">
  ) {
    const context = yield* lockVisible(groupId, user)
    yield* GroupPolicy.check(action, context)
    return context
  })

  /** One page of a time-ordered list: `limit` rows after the cursor, and the cursor after them. */
  const timePage = <Row, Item, E, R>(
    scope: string,
    query: PageQuery,
    fetch: (limit: number, after: TimePosition | null) => Effect.Effect<ReadonlyArray<Row>, E, R>,
    toItem: (row: Row) => Item,
    toCursor: (row: Row) => TimePosition
  ) =>
    Effect.gen(function* () {
      const limit = query.limit ?? defaultPageSize
      const after = yield* cursors.decode(TimePosition, scope, query.cursor)
      const rows = yield* fetch(limit + 1, after)
      return cursors.page(scope, rows, limit, toItem, toCursor)
    })

  /** The group, for an actor who may moderate it (owner, admin, site admin). */
  const requireModerator = (user: SignedIn, groupId: GroupId) =>
    Effect.flatMap(load(groupId, toActor(user)), ({ context }) => GroupPolicy.check("moderate", context))

  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    sql.withTransaction(effect).pipe(Effect.catchTag("SqlError", Effect.die))

  const list = Effect.fn("Groups.list")(function* (query: {
    readonly q?: string | undefined
    readonly category?: string | undefined
    readonly tag?: string | undefined
    readonly sort?: GroupSortKey | undefined
    readonly limit?: number | undefined
    readonly cursor?: string | undefined
  }) {
    const limit = query.limit ?? defaultPageSize
    const tsQuery = query.q === undefined ? null : toTsQuery(query.q)
    const sort: GroupSortKey = query.sort ?? (tsQuery === null ? "newest" : "relevance")
    const effectiveSort: GroupSortKey = sort === "relevance" && tsQuery === null ? "newest" : sort
    const key = JSON.stringify([tsQuery, query.category, query.tag?.toLowerCase(), effectiveSort, limit, query.cursor])
    return yield* lists.getOrSet(
      key,
      Effect.gen(function* () {
        const scope = `groups:${JSON.stringify([tsQuery, query.category, query.tag?.toLowerCase(), effectiveSort])}`
        const after = yield* cursors.decode(listPositions[effectiveSort], scope, query.cursor)
        const rows = yield* repo.listGroups({
          tsQuery,
          category: query.category,
          tag: query.tag?.toLowerCase(),
          sort: effectiveSort,
          limit: limit + 1,
          after
        })
        return cursors.page(
          scope,
          rows,
          limit,
          (row) => toGroup(row, null),
          (row) => ({
            key:
              effectiveSort === "relevance"
                ? row.rank
                : effectiveSort === "members"
                  ? String(row.memberCount)
                  : row.createdAt.toISOString(),
            id: row.id
          })
        )
      })
    )
  })

  const get = Effect.fn("Groups.get")(function* (groupId: GroupId, viewer: Option.Option<SignedIn>) {
    const { group, standing, context } = yield* load(
      groupId,
      Option.match(viewer, { onNone: () => null, onSome: toActor })
    )
    yield* GroupPolicy.checkView(context)
    return new Group({ ...group, viewer: Option.isSome(viewer) ? toViewer(standing) : null })
  })

  const listMembers = Effect.fn("Groups.listMembers")(function* (
    groupId: GroupId,
    viewer: Option.Option<SignedIn>,
    query: PageQuery & { readonly role?: MemberRole | undefined }
  ) {
    const { context } = yield* load(groupId, Option.match(viewer, { onNone: () => null, onSome: toActor }))
    yield* GroupPolicy.checkView(context)
    return yield* timePage(
      `group-members:${groupId}:${query.role ?? ""}`,
      query,
      (limit, after) => repo.listMembers({ groupId, role: query.role, limit, after }),
      (row) => new GroupMember({ user: toProfile(row), role: row.role, joinedAt: utc(row.joinedAt) }),
      (row) => ({ at: row.joinedAt.toISOString(), id: row.userId })
    )
  })

  const create = Effect.fn("Groups.create")(function* (user: SignedIn, input: typeof CreateGroupPayload.Type) {
    const fields: GroupFields = {
      name: input.name.trim(),
      description: input.description ?? "",
      category: input.category,
      tags: [...new Set((input.tags ?? []).map((tag) => tag.toLowerCase()))],
      visibility: input.visibility ?? "public",
      joinPolicy: input.joinPolicy ?? "open",
      memberLimit: input.memberLimit ?? null
    }
    const id = GroupId.make(SecureRandom.uuidV7Unsafe())
    const row = yield* transaction(repo.insertGroup(id, user.userId, fields))
    if (row === undefined) return yield* Effect.die(new Error("The new group was not returned"))
    yield* lists.invalidateAll
    return toGroup(row, { role: "owner", pending: false, invited: false, banned: false })
  })

  const update = Effect.fn("Groups.update")(function* (
    user: SignedIn,
    groupId: GroupId,
    input: typeof UpdateGroupPayload.Type
  ) {
    const imagePrefix = `uploads/groups/${groupId}/`
    if (input.imageUploadKey !== undefined && input.imageUploadKey !== null) {
      yield* images.verify(imagePrefix, input.imageUploadKey)
    }
    const { updated, previousImage } = yield* transaction(
      Effect.gen(function* () {
        const { group, standing } = yield* authorize(groupId, user, "moderate")
        const row = yield* repo.updateGroup(groupId, {
          name: input.name?.trim() ?? group.name,
          description: input.description ?? group.description,
          category: input.category ?? group.category,
          tags: input.tags === undefined ? group.tags : [...new Set(input.tags.map((tag) => tag.toLowerCase()))],
          visibility: input.visibility ?? group.visibility,
          joinPolicy: input.joinPolicy ?? group.joinPolicy,
          memberLimit: input.memberLimit === undefined ? group.memberLimit : input.memberLimit,
          imageKey: input.imageUploadKey === undefined ? group.imageKey : input.imageUploadKey
        })
        if (Option.isNone(row)) return yield* notFound()
        return { updated: toGroup(row.value, standing), previousImage: group.imageKey }
      })
    )
    yield* invalidate(groupId)
    if (input.imageUploadKey !== undefined && previousImage !== null && previousImage !== input.imageUploadKey) {
      yield* images.remove(previousImage)
    }
    return updated
  })

  const remove = Effect.fn("Groups.remove")(function* (user: SignedIn, groupId: GroupId) {
    yield* transaction(
      Effect.gen(function* () {
        yield* authorize(groupId, user, "delete")
        yield* repo.softDeleteGroup(groupId)
      })
    )
    yield* invalidate(groupId)
  })

  const createImageUpload = Effect.fn("Groups.createImageUpload")(function* (
    user: SignedIn,
    groupId: GroupId,
    contentType: typeof AvatarContentType.Type
  ) {
    yield* requireModerator(user, groupId)
    return yield* images.start(`uploads/groups/${groupId}/`, contentType)
  })

  const imageDownloadUrl = Effect.fn("Groups.imageDownloadUrl")(function* (groupId: GroupId) {
    const row = yield* repo.findGroup(groupId)
    if (Option.isNone(row) || row.value.imageKey === null || row.value.visibility !== "public") {
      return Option.none<string>()
    }
    return Option.some(yield* images.downloadUrl(row.value.imageKey))
  })

  const mine = Effect.fn("Groups.mine")(function* (user: SignedIn, query: PageQuery) {
    return yield* timePage(
      `my-groups:${user.userId}`,
      query,
      (limit, after) => repo.listMyGroups({ userId: user.userId, limit, after }),
      (row) => toGroup(row, { role: row.role, pending: false, invited: false, banned: false }),
      (row) => ({ at: row.joinedAt.toISOString(), id: row.id })
    )
  })

  const join = Effect.fn("Groups.join")(function* (user: SignedIn, groupId: GroupId, message: string) {
    const status = yield* transaction(
      Effect.gen(function* () {
        const { group, standing } = yield* lockVisible(groupId, user)
        if (standing.banned) return yield* new BannedFromGroup({ message: "You are banned from this group" })
        if (standing.role !== null) return yield* new AlreadyMember({ message: "You are already a member" })
        if (group.joinPolicy === "invite" && !standing.invited) {
          return yield* new InvitationRequired({ message: "This group takes members by invitation only" })
        }
        if (group.joinPolicy === "approval" && !standing.invited) {
          if (group.memberLimit !== null && group.memberCount >= group.memberLimit) {
            return yield* new GroupFull({ message: "This group is full" })
          }
          yield* repo.upsertJoinRequest(groupId, user.userId, message)
          return "pending" as const
        }
        if (!(yield* repo.addMember(groupId, user.userId, "member", standing))) {
          return yield* new GroupFull({ message: "This group is full" })
        }
        return "member" as const
      })
    )
    if (status === "member") yield* invalidate(groupId)
    return { status }
  })

  const leave = Effect.fn("Groups.leave")(function* (user: SignedIn, groupId: GroupId) {
    yield* transaction(
      Effect.gen(function* () {
        const { standing } = yield* lockVisible(groupId, user)
        if (standing.role === "owner") {
          return yield* new OwnerCannotLeave({ message: "Transfer ownership to another member before leaving" })
        }
        if (standing.role === null) {
          if (yield* repo.deleteJoinRequest(groupId, user.userId)) return
          return yield* new NotAMember({ message: "You are not a member of this group" })
        }
        yield* repo.removeMember(groupId, user.userId)
      })
    )
    yield* invalidate(groupId)
  })

  const listJoinRequests = Effect.fn("Groups.listJoinRequests")(function* (
    user: SignedIn,
    groupId: GroupId,
    query: PageQuery
  ) {
    yield* requireModerator(user, groupId)
    return yield* timePage(
      `join-requests:${groupId}`,
      query,
      (limit, after) => repo.listJoinRequests({ groupId, limit, after }),
      (row) => new JoinRequest({ groupId, user: toProfile(row), message: row.message, createdAt: utc(row.createdAt) }),
      (row) => ({ at: row.createdAt.toISOString(), id: row.userId })
    )
  })

  const approveJoinRequest = Effect.fn("Groups.approveJoinRequest")(function* (
    user: SignedIn,
    groupId: GroupId,
    userId: UserId
  ) {
    const member = yield* transaction(
      Effect.gen(function* () {
        yield* authorize(groupId, user, "moderate")
        const target = yield* repo.viewer(groupId, userId)
        if (!target.pending) return yield* new JoinRequestNotFound({ message: "No pending request from this user" })
        if (!(yield* repo.addMember(groupId, userId, "member", target))) {
          return yield* new GroupFull({ message: "This group is full" })
        }
        return yield* requireMember(groupId, userId)
      })
    )
    yield* invalidate(groupId)
    return new GroupMember({ user: toProfile(member), role: member.role, joinedAt: utc(member.joinedAt) })
  })

  const rejectJoinRequest = Effect.fn("Groups.rejectJoinRequest")(function* (
    user: SignedIn,
    groupId: GroupId,
    userId: UserId
  ) {
    yield* transaction(
      Effect.gen(function* () {
        yield* authorize(groupId, user, "moderate")
        if (!(yield* repo.deleteJoinRequest(groupId, userId))) {
          return yield* new JoinRequestNotFound({ message: "No pending request from this user" })
        }
      })
    )
  })

  const toInvitation = (row: InvitationRow) =>
    new Invitation({
      id: row.id,
      groupId: row.groupId,
      groupName: row.groupName,
      inviterId: row.inviterId,
      inviteeId: row.inviteeId,
      email: row.email,
      status: row.status,
      createdAt: utc(row.createdAt),
      expiresAt: utc(row.expiresAt)
    })

  const invite = Effect.fn("Groups.invite")(function* (
    user: SignedIn,
    groupId: GroupId,
    target: { readonly userId: UserId } | { readonly email: string }
  ) {
    return yield* transaction(
      Effect.gen(function* () {
        const { group } = yield* authorize(groupId, user, "moderate")
        const inviteeId =
          "userId" in target
            ? yield* Effect.flatMap(repo.findActiveUser(target.userId), (found) =>
                Option.isNone(found)
                  ? Effect.fail(new UserNotFound({ message: "No such user" }))
                  : Effect.succeed(Option.some(found.value.id))
              )
            : Option.map(yield* repo.findUserIdByEmail(target.email), (found) => found.id)
        if (Option.isSome(inviteeId)) {
          const standing = yield* repo.viewer(groupId, inviteeId.value)
          if (standing.banned) return yield* new BannedFromGroup({ message: "This user is banned from the group" })
          if (standing.role !== null) return yield* new AlreadyMember({ message: "This user is already a member" })
        }
        const email = "email" in target && Option.isNone(inviteeId) ? target.email : null
        const row = yield* repo.insertInvitation({
          id: InvitationId.make(SecureRandom.uuidV7Unsafe()),
          groupId,
          inviterId: user.userId,
          inviteeId: Option.getOrNull(inviteeId),
          email,
          expiresInDays: invitationDays
        })
        if (Option.isNone(row)) return yield* new AlreadyInvited({ message: "An invitation is already pending" })
        if ("email" in target) {
          const link =
            email === null
              ? `${accountsConfig.appUrl}/invitations/${row.value.id}`
              : `${accountsConfig.appUrl}/signup?invitation=${row.value.id}`
          yield* jobs.enqueue(SendEmail, {
            to: target.email,
            subject: `You are invited to ${group.name} on Moim`,
            text:
              email === null
                ? `You have been invited to join "${group.name}" on Moim. Open this link to accept or decline:\n${link}\n`
                : `You have been invited to join "${group.name}" on Moim. Create your account with this email address and confirm it, and the invitation will be waiting for you:\n${link}\n`
          })
        }
        return toInvitation(row.value)
      })
    )
  })

  const listInvitations = Effect.fn("Groups.listInvitations")(function* (
    user: SignedIn,
    groupId: GroupId,
    query: PageQuery
  ) {
    yield* requireModerator(user, groupId)
    return yield* invitationPage({ groupId }, query)
  })

  const invitationPage = Effect.fn("Groups.invitationPage")(function* (
    filter: { readonly groupId?: GroupId; readonly inviteeId?: UserId },
    query: PageQuery
  ) {
    return yield* timePage(
      `invitations:${filter.groupId ?? ""}:${filter.inviteeId ?? ""}`,
      query,
      (limit, after) => repo.listInvitations({ ...filter, limit, after }),
      toInvitation,
      (row) => ({ at: row.createdAt.toISOString(), id: row.id })
    )
  })

  const revokeInvitation = Effect.fn("Groups.revokeInvitation")(function* (
    user: SignedIn,
    groupId: GroupId,
    invitationId: InvitationId
  ) {
    yield* transaction(
      Effect.gen(function* () {
        yield* authorize(groupId, user, "moderate")
        const invitation = yield* repo.findInvitation(invitationId)
        if (
          Option.isNone(invitation) ||
          invitation.value.groupId !== groupId ||
          !(yield* repo.respondToInvitation(invitationId, "revoked"))
        ) {
          return yield* new InvitationNotFound({ message: "No pending invitation with this id in this group" })
        }
      })
    )
  })

  const myInvitations = (user: SignedIn, query: PageQuery) => invitationPage({ inviteeId: user.userId }, query)

  const acceptInvitation = Effect.fn("Groups.acceptInvitation")(function* (user: SignedIn, invitationId: InvitationId) {
    const { member, groupId } = yield* transaction(
      Effect.gen(function* () {
        const invitation = yield* repo.pendingInvitationFor(invitationId, user.userId)
        if (Option.isNone(invitation)) {
          return yield* new InvitationNotFound({ message: "No pending invitation with this id for you" })
        }
        const groupId = invitation.value.groupId
        const group = yield* repo.lockGroup(groupId)
        if (Option.isNone(group)) return yield* new InvitationNotFound({ message: "The group no longer exists" })
        const standing = yield* repo.viewer(groupId, user.userId)
        if (standing.banned) return yield* new BannedFromGroup({ message: "You are banned from this group" })
        if (standing.role !== null) return yield* new AlreadyMember({ message: "You are already a member" })
        if (!(yield* repo.addMember(groupId, user.userId, "member", standing))) {
          return yield* new GroupFull({ message: "This group is full" })
        }
        return { member: yield* requireMember(groupId, user.userId), groupId }
      })
    )
    yield* invalidate(groupId)
    return new GroupMember({ user: toProfile(member), role: member.role, joinedAt: utc(member.joinedAt) })
  })

  const declineInvitation = Effect.fn("Groups.declineInvitation")(function* (
    user: SignedIn,
    invitationId: InvitationId
  ) {
    const invitation = yield* repo.pendingInvitationFor(invitationId, user.userId)
    if (Option.isNone(invitation) || !(yield* repo.respondToInvitation(invitationId, "declined"))) {
      return yield* new InvitationNotFound({ message: "No pending invitation with this id for you" })
    }
  })

  const changeRole = Effect.fn("Groups.changeRole")(function* (
    user: SignedIn,
    groupId: GroupId,
    userId: UserId,
    role: "admin" | "member"
  ) {
    const member = yield* transaction(
      Effect.gen(function* () {
        const context = yield* authorize(groupId, user, "changeRoles")
        const target = yield* repo.findMember(groupId, userId)
        if (Option.isNone(target)) return yield* new NotAMember({ message: "That user is not a member" })
        if (target.value.role === "owner") {
          return yield* GroupPolicy.checkRemove(context, "owner").pipe(Effect.as(target.value))
        }
        yield* repo.setRole(groupId, userId, role)
        return { ...target.value, role }
      })
    )
    return new GroupMember({ user: toProfile(member), role: member.role, joinedAt: utc(member.joinedAt) })
  })

  const removeMember = Effect.fn("Groups.removeMember")(function* (user: SignedIn, groupId: GroupId, userId: UserId) {
    yield* transaction(
      Effect.gen(function* () {
        const context = yield* authorize(groupId, user, "moderate")
        const target = yield* repo.findMember(groupId, userId)
        if (Option.isNone(target)) return yield* new NotAMember({ message: "That user is not a member" })
        yield* GroupPolicy.checkRemove(context, target.value.role)
        yield* repo.removeMember(groupId, userId)
      })
    )
    yield* invalidate(groupId)
  })

  const ban = Effect.fn("Groups.ban")(function* (
    user: SignedIn,
    groupId: GroupId,
    input: { readonly userId: UserId; readonly reason?: string | undefined }
  ) {
    const row = yield* transaction(
      Effect.gen(function* () {
        const context = yield* authorize(groupId, user, "moderate")
        if (Option.isNone(yield* repo.findActiveUser(input.userId))) {
          return yield* new UserNotFound({ message: "No such user" })
        }
        const target = yield* repo.findMember(groupId, input.userId)
        yield* GroupPolicy.checkRemove(
          context,
          Option.match(target, { onNone: () => null, onSome: (member) => member.role })
        )
        if (Option.isSome(target)) yield* repo.removeMember(groupId, input.userId)
        const ban = yield* repo.insertBan({
          groupId,
          userId: input.userId,
          bannedBy: user.userId,
          reason: input.reason ?? ""
        })
        if (Option.isNone(ban)) return yield* Effect.die(new Error("The ban was not recorded"))
        return ban.value
      })
    )
    yield* invalidate(groupId)
    return new GroupBan({
      groupId,
      user: toProfile(row),
      reason: row.reason,
      bannedBy: row.bannedBy,
      createdAt: utc(row.createdAt)
    })
  })

  const listBans = Effect.fn("Groups.listBans")(function* (user: SignedIn, groupId: GroupId, query: PageQuery) {
    yield* requireModerator(user, groupId)
    return yield* timePage(
      `group-bans:${groupId}`,
      query,
      (limit, after) => repo.listBans({ groupId, limit, after }),
      (row) =>
        new GroupBan({
          groupId,
          user: toProfile(row),
          reason: row.reason,
          bannedBy: row.bannedBy,
          createdAt: utc(row.createdAt)
        }),
      (row) => ({ at: row.createdAt.toISOString(), id: row.userId })
    )
  })

  const unban = Effect.fn("Groups.unban")(function* (user: SignedIn, groupId: GroupId, userId: UserId) {
    yield* transaction(
      Effect.gen(function* () {
        yield* authorize(groupId, user, "moderate")
        if (!(yield* repo.deleteBan(groupId, userId))) {
          return yield* new NotAMember({ message: "That user is not banned from this group" })
        }
      })
    )
  })

  const transferOwnership = Effect.fn("Groups.transferOwnership")(function* (
    user: SignedIn,
    groupId: GroupId,
    userId: UserId
  ) {
    const row = yield* transaction(
      Effect.gen(function* () {
        yield* authorize(groupId, user, "transfer")
        const target = yield* repo.findMember(groupId, userId)
        if (Option.isNone(target) || userId === user.userId) {
          return yield* new NotAMember({ message: "The new owner must be another member of the group" })
        }
        yield* repo.setRole(groupId, user.userId, "admin")
        yield* repo.setRole(groupId, userId, "owner")
        const updated = yield* repo.setOwner(groupId, userId)
        if (Option.isNone(updated)) return yield* notFound()
        return updated.value
      })
    )
    yield* invalidate(groupId)
    return toGroup(row, { role: "admin", pending: false, invited: false, banned: false })
  })

  /** Removes groups deleted more than `retentionDays` ago, with their images; for the cleanup cron. */
  const purgeDeleted = Effect.fn("Groups.purgeDeleted")(function* (retentionDays: number) {
    const purged = yield* repo.purgeDeletedGroups(retentionDays)
    yield* Effect.forEach(purged, (group) => (group.imageKey === null ? Effect.void : images.remove(group.imageKey)), {
      discard: true
    })
    return purged.length
  })

  return {
    list,
    get,
    listMembers,
    create,
    update,
    remove,
    createImageUpload,
    imageDownloadUrl,
    mine,
    join,
    leave,
    listJoinRequests,
    approveJoinRequest,
    rejectJoinRequest,
    invite,
    listInvitations,
    revokeInvitation,
    myInvitations,
    acceptInvitation,
    declineInvitation,
    changeRole,
    removeMember,
    ban,
    listBans,
    unban,
    transferOwnership,
    purgeDeleted
  }
})
