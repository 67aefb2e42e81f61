import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { Email } from "./AccountFields.ts"
import { Forbidden } from "./AuthErrors.ts"
import { Authentication, OptionalAuthentication } from "./Authentication.ts"
import {
  AlreadyInvited,
  AlreadyMember,
  BannedFromGroup,
  Group,
  GroupBan,
  GroupCategory,
  GroupDescription,
  GroupFull,
  GroupId,
  GroupMember,
  GroupName,
  GroupNotFound,
  GroupTag,
  GroupTags,
  GroupVisibility,
  Invitation,
  InvitationId,
  InvitationNotFound,
  InvitationRequired,
  JoinPolicy,
  JoinRequest,
  JoinRequestNotFound,
  MemberLimit,
  MemberRole,
  NotAMember,
  OwnerCannotLeave
} from "./Group.ts"
import { AvatarContentType, AvatarUpload } from "./MeApi.ts"
import { OptionalBody } from "./OptionalBody.ts"
import { InvalidCursor, Page, PageQuery } from "./Page.ts"
import { NoteText, SearchText, UploadKey } from "./Text.ts"
import { UploadNotFound, UserId, UserNotFound } from "./User.ts"

const doc = (summary: string, description?: string) =>
  OpenApi.annotations(description === undefined ? { summary } : { summary, description })

export const CreateGroupPayload = Schema.Struct({
  name: GroupName,
  description: Schema.optional(GroupDescription),
  category: GroupCategory,
  tags: Schema.optional(GroupTags),
  visibility: Schema.optional(GroupVisibility).annotate({ description: "Default `public`" }),
  joinPolicy: Schema.optional(JoinPolicy).annotate({ description: "Default `open`" }),
  memberLimit: Schema.optional(Schema.NullOr(MemberLimit))
}).annotate({ identifier: "CreateGroupPayload", description: "A new group; you become its owner" })

export const UpdateGroupPayload = Schema.Struct({
  name: Schema.optional(GroupName),
  description: Schema.optional(GroupDescription),
  category: Schema.optional(GroupCategory),
  tags: Schema.optional(GroupTags),
  visibility: Schema.optional(GroupVisibility),
  joinPolicy: Schema.optional(JoinPolicy),
  memberLimit: Schema.optional(Schema.NullOr(MemberLimit)),
  imageUploadKey: Schema.optional(
    Schema.NullOr(UploadKey).annotate({
      description: "The `key` of a finished image upload (`POST /groups/{id}/image-upload`), or null to remove it"
    })
  )
}).annotate({ identifier: "UpdateGroupPayload", description: "Only the fields present change" })

export const GroupSort = Schema.Literals(["relevance", "newest", "members"]).annotate({
  identifier: "GroupSort",
  description: "`relevance` (default with `q`), `newest` (default without), `members` (most first)"
})

export const GroupPage = Page(Group, "GroupPage")
export const GroupMemberPage = Page(GroupMember, "GroupMemberPage")
export const JoinRequestPage = Page(JoinRequest, "JoinRequestPage")
export const GroupBanPage = Page(GroupBan, "GroupBanPage")
export const InvitationPage = Page(Invitation, "InvitationPage")

export const JoinResult = Schema.Struct({
  status: Schema.Literals(["member", "pending"]).annotate({
    description: "`member`: you joined; `pending`: your request awaits approval"
  })
}).annotate({ identifier: "JoinResult" })

export const InvitePayload = Schema.Union([
  Schema.Struct({ userId: UserId }),
  Schema.Struct({ email: Email })
]).annotate({ identifier: "InvitePayload", description: "Invite a user by id, or anyone by email" })

const groupParams = { id: GroupId }
const memberParams = { id: GroupId, userId: UserId }

/**
 * Interest groups: find, join, run. Reads of public groups need no sign-in (with a token they also
 * show your membership); everything else needs a signed-in user.
 */
export class GroupsApi extends HttpApiGroup.make("groups")
  .add(
    HttpApiEndpoint.get("list", "/groups", {
      query: {
        q: Schema.optional(SearchText).annotate({
          description: "Words to find in the name, tags or description (prefixes match)"
        }),
        category: Schema.optional(GroupCategory),
        tag: Schema.optional(GroupTag),
        sort: Schema.optional(GroupSort),
        ...PageQuery
      },
      success: GroupPage,
      error: InvalidCursor
    })
      .middleware(OptionalAuthentication)
      .annotateMerge(doc("Find groups", "Public groups, filtered and sorted; full-text search with `q`.")),
    HttpApiEndpoint.get("get", "/groups/:id", {
      params: groupParams,
      success: Group,
      error: GroupNotFound
    })
      .middleware(OptionalAuthentication)
      .annotateMerge(doc("A group", "Private groups are visible to their members only; to others they answer 404.")),
    HttpApiEndpoint.get("listMembers", "/groups/:id/members", {
      params: groupParams,
      query: { role: Schema.optional(MemberRole), ...PageQuery },
      success: GroupMemberPage,
      error: [GroupNotFound, InvalidCursor]
    })
      .middleware(OptionalAuthentication)
      .annotateMerge(doc("Members of a group", "Oldest members first; filter by role."))
  )
  .add(
    HttpApiEndpoint.post("create", "/groups", {
      payload: CreateGroupPayload,
      success: Group.pipe(HttpApiSchema.status(201))
    })
      .middleware(Authentication)
      .annotateMerge(doc("Create a group", "You become its owner.")),
    HttpApiEndpoint.patch("update", "/groups/:id", {
      params: groupParams,
      payload: UpdateGroupPayload,
      success: Group,
      error: [GroupNotFound, Forbidden, UploadNotFound]
    })
      .middleware(Authentication)
      .annotateMerge(doc("Edit a group", "Owner and admins.")),
    HttpApiEndpoint.delete("delete", "/groups/:id", {
      params: groupParams,
      success: HttpApiSchema.NoContent,
      error: [GroupNotFound, Forbidden]
    })
      .middleware(Authentication)
      .annotateMerge(doc("Delete a group", "Owner only. The group disappears at once and is purged after 30 days.")),
    HttpApiEndpoint.post("createImageUpload", "/groups/:id/image-upload", {
      params: groupParams,
      payload: Schema.Struct({ contentType: AvatarContentType }),
      success: AvatarUpload,
      error: [GroupNotFound, Forbidden]
    })
      .middleware(Authentication)
      .annotateMerge(
        doc("Start a group image upload", "Owner and admins; then PATCH the group with `imageUploadKey`.")
      ),
    HttpApiEndpoint.get("mine", "/me/groups", {
      query: PageQuery,
      success: GroupPage,
      error: InvalidCursor
    })
      .middleware(Authentication)
      .annotateMerge(doc("Your groups", "Groups you belong to, most recently joined first.")),
    HttpApiEndpoint.post("join", "/groups/:id/join", {
      params: groupParams,
      payload: OptionalBody(Schema.Struct({ message: Schema.optional(NoteText) })),
      success: JoinResult,
      error: [GroupNotFound, GroupFull, AlreadyMember, InvitationRequired, BannedFromGroup]
    })
      .middleware(Authentication)
      .annotateMerge(
        doc(
          "Join a group",
          "Open groups: you are a member at once. Approval groups: a pending request (with an optional message). Invite-only groups: accept an invitation instead."
        )
      ),
    HttpApiEndpoint.post("leave", "/groups/:id/leave", {
      params: groupParams,
      success: HttpApiSchema.NoContent,
      error: [GroupNotFound, NotAMember, OwnerCannotLeave]
    })
      .middleware(Authentication)
      .annotateMerge(
        doc("Leave a group", "Also withdraws a pending join request. The owner must transfer ownership first.")
      ),
    HttpApiEndpoint.get("listJoinRequests", "/groups/:id/join-requests", {
      params: groupParams,
      query: PageQuery,
      success: JoinRequestPage,
      error: [GroupNotFound, Forbidden, InvalidCursor]
    })
      .middleware(Authentication)
      .annotateMerge(doc("Pending join requests", "Owner and admins; oldest first.")),
    HttpApiEndpoint.post("approveJoinRequest", "/groups/:id/join-requests/:userId/approve", {
      params: memberParams,
      success: GroupMember,
      error: [GroupNotFound, Forbidden, JoinRequestNotFound, GroupFull]
    })
      .middleware(Authentication)
      .annotateMerge(doc("Approve a join request", "Owner and admins.")),
    HttpApiEndpoint.post("rejectJoinRequest", "/groups/:id/join-requests/:userId/reject", {
      params: memberParams,
      success: HttpApiSchema.NoContent,
      error: [GroupNotFound, Forbidden, JoinRequestNotFound]
    })
      .middleware(Authentication)
      .annotateMerge(doc("Reject a join request", "Owner and admins.")),
    HttpApiEndpoint.post("invite", "/groups/:id/invitations", {
      params: groupParams,
      payload: InvitePayload,
      success: Invitation.pipe(HttpApiSchema.status(201)),
      error: [GroupNotFound, Forbidden, UserNotFound, AlreadyMember, AlreadyInvited, BannedFromGroup]
    })
      .middleware(Authentication)
      .annotateMerge(
        doc(
          "Invite someone",
          "Owner and admins. By user id, or by email: the address gets a link, and an invitation by email reaches the account that verifies that address."
        )
      ),
    HttpApiEndpoint.get("listInvitations", "/groups/:id/invitations", {
      params: groupParams,
      query: PageQuery,
      success: InvitationPage,
      error: [GroupNotFound, Forbidden, InvalidCursor]
    })
      .middleware(Authentication)
      .annotateMerge(doc("A group's pending invitations", "Owner and admins.")),
    HttpApiEndpoint.delete("revokeInvitation", "/groups/:id/invitations/:invitationId", {
      params: { id: GroupId, invitationId: InvitationId },
      success: HttpApiSchema.NoContent,
      error: [GroupNotFound, Forbidden, InvitationNotFound]
    })
      .middleware(Authentication)
      .annotateMerge(doc("Revoke an invitation", "Owner and admins.")),
    HttpApiEndpoint.get("myInvitations", "/me/invitations", {
      query: PageQuery,
      success: InvitationPage,
      error: InvalidCursor
    })
      .middleware(Authentication)
      .annotateMerge(
        doc("Invitations waiting for you", "Pending, unexpired invitations addressed to you, newest first.")
      ),
    HttpApiEndpoint.post("acceptInvitation", "/invitations/:invitationId/accept", {
      params: { invitationId: InvitationId },
      success: GroupMember,
      error: [InvitationNotFound, GroupFull, BannedFromGroup, AlreadyMember]
    })
      .middleware(Authentication)
      .annotateMerge(doc("Accept an invitation", "You join the group, whatever its join policy.")),
    HttpApiEndpoint.post("declineInvitation", "/invitations/:invitationId/decline", {
      params: { invitationId: InvitationId },
      success: HttpApiSchema.NoContent,
      error: InvitationNotFound
    })
      .middleware(Authentication)
      .annotateMerge(doc("Decline an invitation", "The invitation ends; the group may invite you again later.")),
    HttpApiEndpoint.patch("changeRole", "/groups/:id/members/:userId", {
      params: memberParams,
      payload: Schema.Struct({ role: Schema.Literals(["admin", "member"]) }),
      success: GroupMember,
      error: [GroupNotFound, Forbidden, NotAMember]
    })
      .middleware(Authentication)
      .annotateMerge(
        doc("Change a member's role", "Only the owner makes or unmakes admins; the owner's role cannot change.")
      ),
    HttpApiEndpoint.delete("removeMember", "/groups/:id/members/:userId", {
      params: memberParams,
      success: HttpApiSchema.NoContent,
      error: [GroupNotFound, Forbidden, NotAMember]
    })
      .middleware(Authentication)
      .annotateMerge(doc("Remove a member", "The owner removes anyone; admins remove members.")),
    HttpApiEndpoint.post("ban", "/groups/:id/bans", {
      params: groupParams,
      payload: Schema.Struct({ userId: UserId, reason: Schema.optional(NoteText) }),
      success: GroupBan.pipe(HttpApiSchema.status(201)),
      error: [GroupNotFound, Forbidden, UserNotFound]
    })
      .middleware(Authentication)
      .annotateMerge(
        doc(
          "Ban a user",
          "Removes them, cancels their request and invitations; they cannot rejoin or be invited until unbanned."
        )
      ),
    HttpApiEndpoint.get("listBans", "/groups/:id/bans", {
      params: groupParams,
      query: PageQuery,
      success: GroupBanPage,
      error: [GroupNotFound, Forbidden, InvalidCursor]
    })
      .middleware(Authentication)
      .annotateMerge(doc("Banned users", "Owner and admins.")),
    HttpApiEndpoint.delete("unban", "/groups/:id/bans/:userId", {
      params: memberParams,
      success: HttpApiSchema.NoContent,
      error: [GroupNotFound, Forbidden, NotAMember]
    })
      .middleware(Authentication)
      .annotateMerge(doc("Lift a ban", "Owner and admins.")),
    HttpApiEndpoint.post("transferOwnership", "/groups/:id/transfer", {
      params: groupParams,
      payload: Schema.Struct({ userId: UserId }),
      success: Group,
      error: [GroupNotFound, Forbidden, NotAMember]
    })
      .middleware(Authentication)
      .annotateMerge(
        doc("Transfer ownership", "Owner only; the new owner must be a member, the old owner becomes an admin.")
      )
  )
  .annotateMerge(OpenApi.annotations({ title: "Groups", description: "Interest groups" })) {}
