import type { PublicProfile, UserId } from "@moim/domain/Accounts/User"
import { type EventCreation, Group, GroupBan, GroupMember, Invitation, JoinRequest } from "@moim/domain/Groups/Group"
import { Context, DateTime, Effect, Layer } from "effect"
import { Profiles } from "../Accounts/Profiles.ts"
import { ImageUploads } from "../platform/ImageUploads.ts"
import { GroupPolicy } from "./GroupPolicy.ts"
import type { GroupRow } from "./GroupsRepo.ts"
import type { InvitationRow } from "./InvitationsRepo.ts"
import type { BanRow, JoinRequestRow, MemberRow, Standing } from "./MembershipsRepo.ts"

const utc = (date: Date) => DateTime.fromDateUnsafe(date)

/**
 * How stored groups, members, requests, bans and invitations are shown. People are shown through
 * `Profiles`, fetched for a whole page at once.
 */
export class GroupViews extends Context.Service<
  GroupViews,
  {
    readonly group: (row: GroupRow, standing: Standing | null) => Group
    /** Where the viewer stands, and what the group's settings let them do. */
    readonly viewer: (standing: Standing, eventCreation: EventCreation) => NonNullable<Group["viewer"]>
    readonly members: (rows: ReadonlyArray<MemberRow>) => Effect.Effect<Array<GroupMember>>
    readonly joinRequests: (
      groupId: Group["id"],
      rows: ReadonlyArray<JoinRequestRow>
    ) => Effect.Effect<Array<JoinRequest>>
    readonly bans: (groupId: Group["id"], rows: ReadonlyArray<BanRow>) => Effect.Effect<Array<GroupBan>>
    readonly invitation: (row: InvitationRow) => Invitation
  }
>()("@moim/server/Groups/GroupViews") {
  static readonly layer = Layer.effect(
    GroupViews,
    Effect.gen(function* () {
      const images = yield* ImageUploads
      const profiles = yield* Profiles

      const viewer = (standing: Standing, eventCreation: EventCreation): NonNullable<Group["viewer"]> => ({
        status: standing.banned
          ? "banned"
          : standing.role !== null
            ? "member"
            : standing.pending
              ? "pending"
              : standing.invited
                ? "invited"
                : "none",
        role: standing.role,
        postNotifications: standing.role === null ? null : standing.postNotifications,
        canCreateEvents: GroupPolicy.canCreateEvents(eventCreation, standing.role)
      })

      /** The profiles of everyone in `rows`, in one lookup, by user id. */
      const withProfiles = <Row extends { readonly userId: UserId }, A>(
        rows: ReadonlyArray<Row>,
        show: (row: Row, profile: PublicProfile) => A
      ) =>
        Effect.flatMap(profiles.getMany(rows.map((row) => row.userId)), (found) =>
          Effect.forEach(rows, (row) => {
            const profile = found.get(row.userId)
            // Accounts are erased, never deleted, and members reference them: a missing one is a bug.
            return profile === undefined
              ? Effect.die(new Error(`No account row for user ${row.userId}`))
              : Effect.succeed(show(row, profile))
          })
        )

      return GroupViews.of({
        viewer,
        group: (row, standing) =>
          new Group({
            id: row.id,
            name: row.name,
            description: row.description,
            category: row.category,
            tags: row.tags,
            visibility: row.visibility,
            joinPolicy: row.joinPolicy,
            memberLimit: row.memberLimit,
            eventCreation: row.eventCreation,
            imageUrl: images.url(`/api/v1/groups/${row.id}/image`, row.imageKey),
            ownerId: row.ownerId,
            memberCount: row.memberCount,
            postCount: row.postCount,
            version: row.version,
            createdAt: utc(row.createdAt),
            updatedAt: utc(row.updatedAt),
            viewer: standing === null ? null : viewer(standing, row.eventCreation)
          }),
        members: (rows) =>
          withProfiles(rows, (row, user) => new GroupMember({ user, role: row.role, joinedAt: utc(row.joinedAt) })),
        joinRequests: (groupId, rows) =>
          withProfiles(
            rows,
            (row, user) => new JoinRequest({ groupId, user, message: row.message, createdAt: utc(row.createdAt) })
          ),
        bans: (groupId, rows) =>
          withProfiles(
            rows,
            (row, user) =>
              new GroupBan({ groupId, user, reason: row.reason, bannedBy: row.bannedBy, createdAt: utc(row.createdAt) })
          ),
        invitation: (row) =>
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
      })
    })
  )
}
