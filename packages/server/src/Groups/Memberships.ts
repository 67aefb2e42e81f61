import { type UserId, UserNotFound } from "@moim/domain/Accounts/User"
import {
  AlreadyMember,
  BannedFromGroup,
  Group,
  type GroupBan,
  GroupFull,
  type GroupId,
  type GroupMember,
  type GroupNotFound,
  InvitationRequired,
  type JoinRequest,
  JoinRequestNotFound,
  type MemberRole,
  NotAMember,
  OwnerCannotLeave,
  type PostNotificationLevel
} from "@moim/domain/Groups/Group"
import type { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import { Context, Effect, Layer, Option } from "effect"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { Cursors, type Page, type PageQuery, TimePosition } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { GroupAccess } from "./GroupAccess.ts"
import { GroupCache } from "./GroupCache.ts"
import { GroupEvents } from "./GroupNotifier.ts"
import { GroupPolicy } from "./GroupPolicy.ts"
import { GroupStream } from "./GroupStream.ts"
import { GroupsRepo } from "./GroupsRepo.ts"
import { GroupViews } from "./GroupViews.ts"
import { InvitationsRepo } from "./InvitationsRepo.ts"
import { MembershipChanges } from "./MembershipChanges.ts"
import { MembershipsRepo, type Standing } from "./MembershipsRepo.ts"

type SignedIn = CurrentUser["Service"]

/**
 * Who is in a group and how: joining and leaving, join requests, roles, removals and bans, and
 * handing over ownership. The member count changes in the same statement that checks the limit, on
 * the locked group row, so concurrent joins never overshoot it and counts never drift.
 */
export class Memberships extends Context.Service<
  Memberships,
  {
    /** Oldest members first; for anyone who may see the group. */
    readonly list: (
      groupId: GroupId,
      viewer: Option.Option<SignedIn>,
      query: PageQuery & { readonly role?: MemberRole | undefined }
    ) => Effect.Effect<Page<GroupMember>, GroupNotFound | InvalidCursor>
    /** Open: a member at once. Approval: a pending request. Invite-only: refused without an invitation. */
    readonly join: (
      user: SignedIn,
      groupId: GroupId,
      message: string
    ) => Effect.Effect<
      { readonly status: "member" | "pending" },
      GroupNotFound | GroupFull | AlreadyMember | InvitationRequired | BannedFromGroup
    >
    /** Also withdraws a pending request. */
    readonly leave: (
      user: SignedIn,
      groupId: GroupId
    ) => Effect.Effect<void, GroupNotFound | NotAMember | OwnerCannotLeave>
    /** Which of the group's posts notify the member. */
    readonly setPostNotifications: (
      user: SignedIn,
      groupId: GroupId,
      level: PostNotificationLevel
    ) => Effect.Effect<Group, GroupNotFound | NotAMember>
    /** For the posts feature's notifications: who hears of every new post, and the level of some members. */
    readonly postSubscribers: (groupId: GroupId) => Effect.Effect<ReadonlyArray<UserId>>
    readonly postNotificationLevels: (
      groupId: GroupId,
      userIds: ReadonlyArray<UserId>
    ) => Effect.Effect<ReadonlyMap<UserId, PostNotificationLevel>>
    /**
     * Adds a member to the locked group if it has room, settling their request and invitation; for
     * `Invitations.accept` too. Call inside a transaction after `GroupAccess.require`.
     */
    readonly admit: (groupId: GroupId, userId: UserId, standing: Standing) => Effect.Effect<void, GroupFull>
    readonly listJoinRequests: (
      user: SignedIn,
      groupId: GroupId,
      query: PageQuery
    ) => Effect.Effect<Page<JoinRequest>, GroupNotFound | Forbidden | InvalidCursor>
    readonly approveJoinRequest: (
      user: SignedIn,
      groupId: GroupId,
      userId: UserId
    ) => Effect.Effect<GroupMember, GroupNotFound | Forbidden | JoinRequestNotFound | GroupFull>
    readonly rejectJoinRequest: (
      user: SignedIn,
      groupId: GroupId,
      userId: UserId
    ) => Effect.Effect<void, GroupNotFound | Forbidden | JoinRequestNotFound>
    /** Only the owner makes or unmakes admins; the owner's role cannot change. */
    readonly changeRole: (
      user: SignedIn,
      groupId: GroupId,
      userId: UserId,
      role: "admin" | "member"
    ) => Effect.Effect<GroupMember, GroupNotFound | Forbidden | NotAMember>
    readonly remove: (
      user: SignedIn,
      groupId: GroupId,
      userId: UserId
    ) => Effect.Effect<void, GroupNotFound | Forbidden | NotAMember>
    /** Removes the user, drops their request and invitations; they cannot rejoin until unbanned. */
    readonly ban: (
      user: SignedIn,
      groupId: GroupId,
      input: { readonly userId: UserId; readonly reason?: string | undefined }
    ) => Effect.Effect<GroupBan, GroupNotFound | Forbidden | UserNotFound>
    readonly listBans: (
      user: SignedIn,
      groupId: GroupId,
      query: PageQuery
    ) => Effect.Effect<Page<GroupBan>, GroupNotFound | Forbidden | InvalidCursor>
    readonly unban: (
      user: SignedIn,
      groupId: GroupId,
      userId: UserId
    ) => Effect.Effect<void, GroupNotFound | Forbidden | NotAMember>
    /** The new owner must be another member; the old owner becomes an admin. */
    readonly transferOwnership: (
      user: SignedIn,
      groupId: GroupId,
      userId: UserId
    ) => Effect.Effect<Group, GroupNotFound | Forbidden | NotAMember>
  }
>()("@moim/server/Groups/Memberships") {
  static readonly layer = Layer.effect(
    Memberships,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const groups = yield* GroupsRepo
      const repo = yield* MembershipsRepo
      const invitations = yield* InvitationsRepo
      const access = yield* GroupAccess
      const cache = yield* GroupCache
      const views = yield* GroupViews
      const profiles = yield* Profiles
      const cursors = yield* Cursors
      const record = yield* GroupEvents.make
      const stream = yield* GroupStream.make
      const changes = yield* MembershipChanges
      const blocks = yield* Blocks

      /** One page of a time-ordered list: `limit` rows after the cursor, and the cursor after them. */
      const timePage = <Row, Item, E>(
        scope: string,
        query: PageQuery,
        fetch: (limit: number, after: TimePosition | null) => Effect.Effect<ReadonlyArray<Row>>,
        show: (rows: ReadonlyArray<Row>) => Effect.Effect<ReadonlyArray<Item>, E>,
        toPosition: (row: Row) => TimePosition
      ) =>
        Effect.gen(function* () {
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* fetch(limit + 1, after)
          const page = cursors.page(scope, rows, limit, (row) => row, toPosition)
          return { items: yield* show(page.items), nextCursor: page.nextCursor }
        })

      /** The member just admitted or changed, as shown. */
      const memberView = Effect.fn("Memberships.memberView")(function* (groupId: GroupId, userId: UserId) {
        const member = yield* repo.findMember(groupId, userId)
        const [view] = Option.isNone(member) ? [] : yield* views.members([member.value])
        if (view === undefined) return yield* Effect.die(new Error("The member just written was not found"))
        return view
      })

      const admit = Effect.fn("Memberships.admit")(function* (groupId: GroupId, userId: UserId, standing: Standing) {
        if (!(yield* groups.reserveSeat(groupId))) return yield* new GroupFull({ message: "This group is full" })
        yield* repo.insertMember(groupId, userId, "member")
        if (standing.pending) yield* repo.deleteJoinRequest(groupId, userId)
        if (standing.invited) yield* invitations.acceptFor(groupId, userId)
        yield* stream.joined(groupId, userId)
        yield* changes.joined(groupId, userId)
      })

      const removeMember = Effect.fn("Memberships.removeMember")(function* (groupId: GroupId, userId: UserId) {
        const removed = yield* repo.deleteMember(groupId, userId)
        if (Option.isSome(removed)) {
          yield* groups.releaseSeat(groupId)
          yield* stream.left(groupId, userId)
          yield* changes.left(groupId, userId)
        }
        return Option.isSome(removed)
      })

      return Memberships.of({
        admit,

        list: Effect.fn("Memberships.list")(function* (groupId, viewer, query) {
          const { standing } = yield* access.view(
            groupId,
            Option.match(viewer, { onNone: () => null, onSome: Actor.of })
          )
          const page = yield* timePage(
            `group-members:${groupId}:${query.role ?? ""}`,
            query,
            (limit, after) => repo.listMembers({ groupId, role: query.role, limit, after }),
            views.members,
            (row) => ({ at: row.joinedAt.toISOString(), id: row.userId })
          )
          // Two people of whom either blocked the other do not see each other here either; the
          // group's owner and admins see every member, since they must be able to moderate them.
          if (Option.isNone(viewer) || standing.role === "owner" || standing.role === "admin") return page
          const hidden = yield* blocks.hiddenAmong(
            viewer.value.userId,
            page.items.map((member) => member.user.id)
          )
          return hidden.size === 0
            ? page
            : { ...page, items: page.items.filter((member) => !hidden.has(member.user.id)) }
        }),

        join: Effect.fn("Memberships.join")(function* (user, groupId, message) {
          const status = yield* transaction(
            Effect.gen(function* () {
              const { group, standing } = yield* access.lock(groupId, Actor.of(user))
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
                yield* record({ _tag: "JoinRequested", groupId, by: user.userId })
                return "pending" as const
              }
              yield* admit(groupId, user.userId, standing)
              return "member" as const
            })
          )
          if (status === "member") yield* cache.invalidate(groupId)
          return { status }
        }),

        leave: Effect.fn("Memberships.leave")(function* (user, groupId) {
          yield* transaction(
            Effect.gen(function* () {
              const { standing } = yield* access.lock(groupId, Actor.of(user))
              if (standing.role === "owner") {
                return yield* new OwnerCannotLeave({ message: "Transfer ownership to another member before leaving" })
              }
              if (standing.role === null) {
                if (yield* repo.deleteJoinRequest(groupId, user.userId)) return
                return yield* new NotAMember({ message: "You are not a member of this group" })
              }
              yield* removeMember(groupId, user.userId)
            })
          )
          yield* cache.invalidate(groupId)
        }),

        setPostNotifications: Effect.fn("Memberships.setPostNotifications")(function* (user, groupId, level) {
          const { group, standing } = yield* access.view(groupId, Actor.of(user))
          if (standing.role === null) return yield* new NotAMember({ message: "You are not a member of this group" })
          yield* repo.setPostNotifications(groupId, user.userId, level)
          return new Group({
            ...group,
            viewer: views.viewer({ ...standing, postNotifications: level }, group.eventCreation)
          })
        }),

        postSubscribers: (groupId) => repo.postSubscribers(groupId),
        postNotificationLevels: (groupId, userIds) => repo.postNotificationLevels(groupId, userIds),

        listJoinRequests: Effect.fn("Memberships.listJoinRequests")(function* (user, groupId, query) {
          yield* access.check(groupId, Actor.of(user), "moderate")
          return yield* timePage(
            `join-requests:${groupId}`,
            query,
            (limit, after) => repo.listJoinRequests({ groupId, limit, after }),
            (rows) => views.joinRequests(groupId, rows),
            (row) => ({ at: row.createdAt.toISOString(), id: row.userId })
          )
        }),

        approveJoinRequest: Effect.fn("Memberships.approveJoinRequest")(function* (user, groupId, userId) {
          yield* transaction(
            Effect.gen(function* () {
              yield* access.require(groupId, Actor.of(user), "moderate")
              const target = yield* access.standing(groupId, userId)
              if (!target.pending)
                return yield* new JoinRequestNotFound({ message: "No pending request from this user" })
              yield* admit(groupId, userId, target)
              yield* record({ _tag: "JoinApproved", groupId, userId, by: user.userId })
            })
          )
          yield* cache.invalidate(groupId)
          return yield* memberView(groupId, userId)
        }),

        rejectJoinRequest: Effect.fn("Memberships.rejectJoinRequest")(function* (user, groupId, userId) {
          yield* transaction(
            Effect.gen(function* () {
              yield* access.require(groupId, Actor.of(user), "moderate")
              if (!(yield* repo.deleteJoinRequest(groupId, userId))) {
                return yield* new JoinRequestNotFound({ message: "No pending request from this user" })
              }
              yield* record({ _tag: "JoinRejected", groupId, userId, by: user.userId })
            })
          )
        }),

        changeRole: Effect.fn("Memberships.changeRole")(function* (user, groupId, userId, role) {
          yield* transaction(
            Effect.gen(function* () {
              const { context } = yield* access.require(groupId, Actor.of(user), "changeRoles")
              const target = yield* repo.findMember(groupId, userId)
              if (Option.isNone(target)) return yield* new NotAMember({ message: "That user is not a member" })
              if (target.value.role === "owner") return yield* GroupPolicy.checkRemove(context, "owner")
              yield* repo.setRole(groupId, userId, role)
              if (target.value.role !== role)
                yield* record({ _tag: "RoleChanged", groupId, userId, role, by: user.userId })
            })
          )
          return yield* memberView(groupId, userId)
        }),

        remove: Effect.fn("Memberships.remove")(function* (user, groupId, userId) {
          yield* transaction(
            Effect.gen(function* () {
              const { context } = yield* access.require(groupId, Actor.of(user), "moderate")
              const target = yield* repo.findMember(groupId, userId)
              if (Option.isNone(target)) return yield* new NotAMember({ message: "That user is not a member" })
              yield* GroupPolicy.checkRemove(context, target.value.role)
              yield* removeMember(groupId, userId)
              yield* record({ _tag: "MemberRemoved", groupId, userId, by: user.userId })
            })
          )
          yield* cache.invalidate(groupId)
        }),

        ban: Effect.fn("Memberships.ban")(function* (user, groupId, input) {
          const row = yield* transaction(
            Effect.gen(function* () {
              const { context } = yield* access.require(groupId, Actor.of(user), "moderate")
              if (Option.isNone(yield* profiles.findActive(input.userId))) {
                return yield* new UserNotFound({ message: "No such user" })
              }
              const target = yield* repo.findMember(groupId, input.userId)
              yield* GroupPolicy.checkRemove(
                context,
                Option.match(target, { onNone: () => null, onSome: (member) => member.role })
              )
              if (Option.isSome(target)) yield* removeMember(groupId, input.userId)
              yield* invitations.revokeFor(groupId, input.userId)
              yield* record({ _tag: "MemberBanned", groupId, userId: input.userId, by: user.userId })
              return yield* repo.upsertBan({
                groupId,
                userId: input.userId,
                bannedBy: user.userId,
                reason: input.reason ?? ""
              })
            })
          )
          yield* cache.invalidate(groupId)
          const [ban] = yield* views.bans(groupId, [row])
          if (ban === undefined) return yield* Effect.die(new Error("No ban view"))
          return ban
        }),

        listBans: Effect.fn("Memberships.listBans")(function* (user, groupId, query) {
          yield* access.check(groupId, Actor.of(user), "moderate")
          return yield* timePage(
            `group-bans:${groupId}`,
            query,
            (limit, after) => repo.listBans({ groupId, limit, after }),
            (rows) => views.bans(groupId, rows),
            (row) => ({ at: row.createdAt.toISOString(), id: row.userId })
          )
        }),

        unban: Effect.fn("Memberships.unban")(function* (user, groupId, userId) {
          yield* transaction(
            Effect.gen(function* () {
              yield* access.require(groupId, Actor.of(user), "moderate")
              if (!(yield* repo.deleteBan(groupId, userId))) {
                return yield* new NotAMember({ message: "That user is not banned from this group" })
              }
            })
          )
        }),

        transferOwnership: Effect.fn("Memberships.transferOwnership")(function* (user, groupId, userId) {
          const row = yield* transaction(
            Effect.gen(function* () {
              const { standing } = yield* access.require(groupId, Actor.of(user), "transfer")
              const target = yield* repo.findMember(groupId, userId)
              if (Option.isNone(target) || userId === user.userId) {
                return yield* new NotAMember({ message: "The new owner must be another member of the group" })
              }
              yield* repo.setRole(groupId, user.userId, "admin")
              yield* repo.setRole(groupId, userId, "owner")
              const updated = yield* groups.setOwner(groupId, userId)
              if (Option.isNone(updated)) return yield* Effect.die(new Error("The locked group was not updated"))
              yield* record({ _tag: "OwnershipTransferred", groupId, userId, by: user.userId })
              yield* stream.updated(groupId)
              return { row: updated.value, postNotifications: standing.postNotifications }
            })
          )
          yield* cache.invalidate(groupId)
          return views.group(row.row, {
            role: "admin",
            postNotifications: row.postNotifications,
            pending: false,
            invited: false,
            banned: false
          })
        })
      })
    })
  )
}
