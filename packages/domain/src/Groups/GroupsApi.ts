import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { Email } from "../Accounts/AccountFields.ts"
import { UploadNotFound, UserId, UserNotFound } from "../Accounts/User.ts"
import { Forbidden } from "../Kit/AccessErrors.ts"
import { Batch, BatchIds } from "../Kit/Batch.ts"
import { PreconditionFailed } from "../Kit/ConditionalRequests.ts"
import * as Feature from "../Kit/Feature.ts"
import { AvatarContentType, AvatarUpload } from "../Kit/ImageUpload.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, Page, PageQuery } from "../Kit/Page.ts"
import { NoteText, SearchText, UploadKey } from "../Kit/Text.ts"
import {
  AlreadyInvited,
  AlreadyMember,
  BannedFromGroup,
  EventCreation,
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
  OwnerCannotLeave,
  PostNotificationLevel
} from "./Group.ts"

export const CreateGroupPayload = Schema.Struct({
  name: GroupName,
  description: Schema.optional(GroupDescription),
  category: GroupCategory,
  tags: Schema.optional(GroupTags),
  visibility: Schema.optional(GroupVisibility).annotate({ description: "Default `public`" }),
  joinPolicy: Schema.optional(JoinPolicy).annotate({ description: "Default `open`" }),
  memberLimit: Schema.optional(Schema.NullOr(MemberLimit)),
  eventCreation: Schema.optional(EventCreation).annotate({ description: "Default `members`" })
}).annotate({ identifier: "CreateGroupPayload", description: "A new group; you become its owner" })

export const UpdateGroupPayload = Schema.Struct({
  name: Schema.optional(GroupName),
  description: Schema.optional(GroupDescription),
  category: Schema.optional(GroupCategory),
  tags: Schema.optional(GroupTags),
  visibility: Schema.optional(GroupVisibility),
  joinPolicy: Schema.optional(JoinPolicy),
  memberLimit: Schema.optional(Schema.NullOr(MemberLimit)),
  eventCreation: Schema.optional(EventCreation),
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

export const ListGroups = Operation.make(
  {
    rpc: "ListGroups",
    access: Access.anyone,
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
    errors: [InvalidCursor],
    summary: "Find groups",
    description: "Public groups, filtered and sorted; full-text search with `q`."
  },
  (rest) => HttpApiEndpoint.get("list", "/groups", rest.options).middleware(rest.middleware)
)

export const GetGroup = Operation.make(
  {
    rpc: "GetGroup",
    access: Access.anyone,
    params: groupParams,
    success: Group,
    versioned: true,
    errors: [GroupNotFound],
    summary: "A group",
    description: "Private groups are visible to their members only; to others they answer 404."
  },
  (rest) => HttpApiEndpoint.get("get", "/groups/:id", rest.options).middleware(rest.middleware)
)

export const GetGroupsByIds = Operation.make(
  {
    rpc: "GetGroupsByIds",
    access: Access.anyone,
    query: BatchIds(GroupId),
    success: Batch(Group, "GroupBatch"),
    errors: [],
    summary: "Several groups",
    description:
      "Up to 100 groups by id in one call, in the order asked, each as `GET /groups/{id}` shows it. Private groups you are not a member of, deleted groups and unknown ids are left out."
  },
  (rest) => HttpApiEndpoint.get("byIds", "/groups/by-ids", rest.options).middleware(rest.middleware)
)

export const ListGroupMembers = Operation.make(
  {
    rpc: "ListGroupMembers",
    access: Access.anyone,
    params: groupParams,
    query: { role: Schema.optional(MemberRole), ...PageQuery },
    success: GroupMemberPage,
    errors: [GroupNotFound, InvalidCursor],
    summary: "Members of a group",
    description: "Oldest members first; filter by role."
  },
  (rest) => HttpApiEndpoint.get("listMembers", "/groups/:id/members", rest.options).middleware(rest.middleware)
)

export const CreateGroup = Operation.make(
  {
    rpc: "CreateGroup",
    access: Access.signedIn,
    body: Operation.body(CreateGroupPayload),
    success: Group,
    status: 201,
    errors: [],
    summary: "Create a group",
    description: "You become its owner."
  },
  (rest) => HttpApiEndpoint.post("create", "/groups", rest.options).middleware(rest.middleware)
)

export const UpdateGroup = Operation.make(
  {
    rpc: "UpdateGroup",
    access: Access.signedIn,
    params: groupParams,
    body: Operation.body(UpdateGroupPayload),
    success: Group,
    versioned: true,
    ifMatch: true,
    errors: [GroupNotFound, Forbidden, UploadNotFound, PreconditionFailed],
    summary: "Edit a group",
    description:
      "Owner and admins. With `If-Match` (REST) or `expectedVersion` (RPC) the edit applies only if nobody edited the group since that version."
  },
  (rest) => HttpApiEndpoint.patch("update", "/groups/:id", rest.options).middleware(rest.middleware)
)

export const DeleteGroup = Operation.make(
  {
    rpc: "DeleteGroup",
    access: Access.signedIn,
    params: groupParams,
    errors: [GroupNotFound, Forbidden],
    summary: "Delete a group",
    description: "Owner only. The group disappears at once and is purged after 30 days."
  },
  (rest) => HttpApiEndpoint.delete("delete", "/groups/:id", rest.options).middleware(rest.middleware)
)

export const CreateGroupImageUpload = Operation.make(
  {
    rpc: "CreateGroupImageUpload",
    access: Access.signedIn,
    params: groupParams,
    body: Operation.body(Schema.Struct({ contentType: AvatarContentType })),
    success: AvatarUpload,
    errors: [GroupNotFound, Forbidden],
    summary: "Start a group image upload",
    description: "Owner and admins; then PATCH the group with `imageUploadKey`."
  },
  (rest) =>
    HttpApiEndpoint.post("createImageUpload", "/groups/:id/image-upload", rest.options).middleware(rest.middleware)
)

export const MyGroups = Operation.make(
  {
    rpc: "MyGroups",
    access: Access.signedIn,
    query: PageQuery,
    success: GroupPage,
    errors: [InvalidCursor],
    summary: "Your groups",
    description: "Groups you belong to, most recently joined first."
  },
  (rest) => HttpApiEndpoint.get("mine", "/me/groups", rest.options).middleware(rest.middleware)
)

export const JoinGroup = Operation.make(
  {
    rpc: "JoinGroup",
    access: Access.signedIn,
    params: groupParams,
    body: Operation.optionalBody(Schema.Struct({ message: Schema.optional(NoteText) })),
    success: JoinResult,
    errors: [GroupNotFound, GroupFull, AlreadyMember, InvitationRequired, BannedFromGroup],
    summary: "Join a group",
    description:
      "Open groups: you are a member at once. Approval groups: a pending request (with an optional message). Invite-only groups: accept an invitation instead."
  },
  (rest) => HttpApiEndpoint.post("join", "/groups/:id/join", rest.options).middleware(rest.middleware)
)

export const LeaveGroup = Operation.make(
  {
    rpc: "LeaveGroup",
    access: Access.signedIn,
    params: groupParams,
    errors: [GroupNotFound, NotAMember, OwnerCannotLeave],
    summary: "Leave a group",
    description: "Also withdraws a pending join request. The owner must transfer ownership first."
  },
  (rest) => HttpApiEndpoint.post("leave", "/groups/:id/leave", rest.options).middleware(rest.middleware)
)

export const SetPostNotifications = Operation.make(
  {
    rpc: "SetGroupPostNotifications",
    access: Access.signedIn,
    params: groupParams,
    body: Operation.body(
      Schema.Struct({ level: PostNotificationLevel }).annotate({
        identifier: "SetPostNotificationsPayload",
        description: "Which of the group's posts notify you"
      })
    ),
    success: Group,
    errors: [GroupNotFound, NotAMember],
    summary: "Choose which posts of a group notify you",
    description: "Members only: every new post, only those that mention you (the default), or none."
  },
  (rest) =>
    HttpApiEndpoint.put("setPostNotifications", "/groups/:id/post-notifications", rest.options).middleware(
      rest.middleware
    )
)

export const ListJoinRequests = Operation.make(
  {
    rpc: "ListJoinRequests",
    access: Access.signedIn,
    params: groupParams,
    query: PageQuery,
    success: JoinRequestPage,
    errors: [GroupNotFound, Forbidden, InvalidCursor],
    summary: "Pending join requests",
    description: "Owner and admins; oldest first."
  },
  (rest) =>
    HttpApiEndpoint.get("listJoinRequests", "/groups/:id/join-requests", rest.options).middleware(rest.middleware)
)

export const ApproveJoinRequest = Operation.make(
  {
    rpc: "ApproveJoinRequest",
    access: Access.signedIn,
    params: memberParams,
    success: GroupMember,
    errors: [GroupNotFound, Forbidden, JoinRequestNotFound, GroupFull],
    summary: "Approve a join request",
    description: "Owner and admins."
  },
  (rest) =>
    HttpApiEndpoint.post("approveJoinRequest", "/groups/:id/join-requests/:userId/approve", rest.options).middleware(
      rest.middleware
    )
)

export const RejectJoinRequest = Operation.make(
  {
    rpc: "RejectJoinRequest",
    access: Access.signedIn,
    params: memberParams,
    errors: [GroupNotFound, Forbidden, JoinRequestNotFound],
    summary: "Reject a join request",
    description: "Owner and admins."
  },
  (rest) =>
    HttpApiEndpoint.post("rejectJoinRequest", "/groups/:id/join-requests/:userId/reject", rest.options).middleware(
      rest.middleware
    )
)

export const InviteToGroup = Operation.make(
  {
    rpc: "InviteToGroup",
    access: Access.signedIn,
    params: groupParams,
    body: Operation.namedBody("invitee", InvitePayload),
    success: Invitation,
    status: 201,
    errors: [GroupNotFound, Forbidden, UserNotFound, AlreadyMember, AlreadyInvited, BannedFromGroup],
    summary: "Invite someone",
    description:
      "Owner and admins. By user id, or by email: the address gets a link, and an invitation by email reaches the account that verifies that address."
  },
  (rest) => HttpApiEndpoint.post("invite", "/groups/:id/invitations", rest.options).middleware(rest.middleware)
)

export const ListGroupInvitations = Operation.make(
  {
    rpc: "ListGroupInvitations",
    access: Access.signedIn,
    params: groupParams,
    query: PageQuery,
    success: InvitationPage,
    errors: [GroupNotFound, Forbidden, InvalidCursor],
    summary: "A group's pending invitations",
    description: "Owner and admins."
  },
  (rest) => HttpApiEndpoint.get("listInvitations", "/groups/:id/invitations", rest.options).middleware(rest.middleware)
)

export const RevokeInvitation = Operation.make(
  {
    rpc: "RevokeInvitation",
    access: Access.signedIn,
    params: { id: GroupId, invitationId: InvitationId },
    errors: [GroupNotFound, Forbidden, InvitationNotFound],
    summary: "Revoke an invitation",
    description: "Owner and admins."
  },
  (rest) =>
    HttpApiEndpoint.delete("revokeInvitation", "/groups/:id/invitations/:invitationId", rest.options).middleware(
      rest.middleware
    )
)

export const MyInvitations = Operation.make(
  {
    rpc: "MyInvitations",
    access: Access.signedIn,
    query: PageQuery,
    success: InvitationPage,
    errors: [InvalidCursor],
    summary: "Invitations waiting for you",
    description: "Pending, unexpired invitations addressed to you, newest first."
  },
  (rest) => HttpApiEndpoint.get("myInvitations", "/me/invitations", rest.options).middleware(rest.middleware)
)

export const AcceptInvitation = Operation.make(
  {
    rpc: "AcceptInvitation",
    access: Access.signedIn,
    params: { invitationId: InvitationId },
    success: GroupMember,
    errors: [InvitationNotFound, GroupFull, BannedFromGroup, AlreadyMember],
    summary: "Accept an invitation",
    description: "You join the group, whatever its join policy."
  },
  (rest) =>
    HttpApiEndpoint.post("acceptInvitation", "/invitations/:invitationId/accept", rest.options).middleware(
      rest.middleware
    )
)

export const DeclineInvitation = Operation.make(
  {
    rpc: "DeclineInvitation",
    access: Access.signedIn,
    params: { invitationId: InvitationId },
    errors: [InvitationNotFound],
    summary: "Decline an invitation",
    description: "The invitation ends; the group may invite you again later."
  },
  (rest) =>
    HttpApiEndpoint.post("declineInvitation", "/invitations/:invitationId/decline", rest.options).middleware(
      rest.middleware
    )
)

export const ChangeMemberRole = Operation.make(
  {
    rpc: "ChangeMemberRole",
    access: Access.signedIn,
    params: memberParams,
    body: Operation.body(Schema.Struct({ role: Schema.Literals(["admin", "member"]) })),
    success: GroupMember,
    errors: [GroupNotFound, Forbidden, NotAMember],
    summary: "Change a member's role",
    description: "Only the owner makes or unmakes admins; the owner's role cannot change."
  },
  (rest) => HttpApiEndpoint.patch("changeRole", "/groups/:id/members/:userId", rest.options).middleware(rest.middleware)
)

export const RemoveMember = Operation.make(
  {
    rpc: "RemoveMember",
    access: Access.signedIn,
    params: memberParams,
    errors: [GroupNotFound, Forbidden, NotAMember],
    summary: "Remove a member",
    description: "The owner removes anyone; admins remove members."
  },
  (rest) =>
    HttpApiEndpoint.delete("removeMember", "/groups/:id/members/:userId", rest.options).middleware(rest.middleware)
)

export const BanFromGroup = Operation.make(
  {
    rpc: "BanFromGroup",
    access: Access.signedIn,
    params: groupParams,
    body: Operation.body(Schema.Struct({ userId: UserId, reason: Schema.optional(NoteText) })),
    success: GroupBan,
    status: 201,
    errors: [GroupNotFound, Forbidden, UserNotFound],
    summary: "Ban a user",
    description: "Removes them, cancels their request and invitations; they cannot rejoin or be invited until unbanned."
  },
  (rest) => HttpApiEndpoint.post("ban", "/groups/:id/bans", rest.options).middleware(rest.middleware)
)

export const ListGroupBans = Operation.make(
  {
    rpc: "ListGroupBans",
    access: Access.signedIn,
    params: groupParams,
    query: PageQuery,
    success: GroupBanPage,
    errors: [GroupNotFound, Forbidden, InvalidCursor],
    summary: "Banned users",
    description: "Owner and admins."
  },
  (rest) => HttpApiEndpoint.get("listBans", "/groups/:id/bans", rest.options).middleware(rest.middleware)
)

export const UnbanFromGroup = Operation.make(
  {
    rpc: "UnbanFromGroup",
    access: Access.signedIn,
    params: memberParams,
    errors: [GroupNotFound, Forbidden, NotAMember],
    summary: "Lift a ban",
    description: "Owner and admins."
  },
  (rest) => HttpApiEndpoint.delete("unban", "/groups/:id/bans/:userId", rest.options).middleware(rest.middleware)
)

export const TransferOwnership = Operation.make(
  {
    rpc: "TransferOwnership",
    access: Access.signedIn,
    params: groupParams,
    body: Operation.body(Schema.Struct({ userId: UserId })),
    success: Group,
    errors: [GroupNotFound, Forbidden, NotAMember],
    summary: "Transfer ownership",
    description: "Owner only; the new owner must be a member, the old owner becomes an admin."
  },
  (rest) => HttpApiEndpoint.post("transferOwnership", "/groups/:id/transfer", rest.options).middleware(rest.middleware)
)

/**
 * Interest groups: find, join, run. Reads of public groups need no sign-in (with a token they also
 * show your membership); everything else needs a signed-in user.
 */
export const GroupsOperations = [
  ListGroups,
  GetGroup,
  GetGroupsByIds,
  ListGroupMembers,
  CreateGroup,
  UpdateGroup,
  DeleteGroup,
  CreateGroupImageUpload,
  MyGroups,
  JoinGroup,
  LeaveGroup,
  SetPostNotifications,
  ListJoinRequests,
  ApproveJoinRequest,
  RejectJoinRequest,
  InviteToGroup,
  ListGroupInvitations,
  RevokeInvitation,
  MyInvitations,
  AcceptInvitation,
  DeclineInvitation,
  ChangeMemberRole,
  RemoveMember,
  BanFromGroup,
  ListGroupBans,
  UnbanFromGroup,
  TransferOwnership
] as const

export class GroupsApi extends Operation.httpGroup("groups", GroupsOperations).annotateMerge(
  OpenApi.annotations({ title: "Groups", description: "Interest groups" })
) {}

/** The RPC twins of the group operations, one RPC per operation. */
export class GroupsRpcs extends Operation.rpcGroup(GroupsOperations) {}

export const GroupsFeature = Feature.make({
  name: "groups",
  rest: [GroupsApi],
  rpcs: GroupsRpcs,
  operations: GroupsOperations,
  restOnly: [],
  rpcOnly: []
})
