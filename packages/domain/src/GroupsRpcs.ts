import { Schema } from "effect"
import { Rpc, RpcGroup } from "effect/rpc"
import { Forbidden } from "./AuthErrors.ts"
import { RpcAuthentication, RpcOptionalAuthentication } from "./Authentication.ts"
import {
  AlreadyInvited,
  AlreadyMember,
  BannedFromGroup,
  Group,
  GroupBan,
  GroupCategory,
  GroupFull,
  GroupId,
  GroupMember,
  GroupNotFound,
  GroupTag,
  Invitation,
  InvitationId,
  InvitationNotFound,
  InvitationRequired,
  JoinRequestNotFound,
  MemberRole,
  NotAMember,
  OwnerCannotLeave
} from "./Group.ts"
import {
  CreateGroupPayload,
  GroupBanPage,
  GroupMemberPage,
  GroupPage,
  GroupSort,
  InvitationPage,
  InvitePayload,
  JoinRequestPage,
  JoinResult,
  UpdateGroupPayload
} from "./GroupsApi.ts"
import { AvatarContentType, AvatarUpload } from "./MeApi.ts"
import { InvalidCursor, PageQuery } from "./Page.ts"
import { NoteText, SearchText } from "./Text.ts"
import { UploadNotFound, UserId, UserNotFound } from "./User.ts"

const group = { id: GroupId }
const member = { id: GroupId, userId: UserId }
const either = <A extends Schema.Top, B extends Schema.Top>(a: A, b: B) => Schema.Union([a, b])

/** The RPC twins of the groups REST endpoints; each calls the same service method. */
export class GroupsRpcs extends RpcGroup.make(
  Rpc.make("ListGroups", {
    payload: {
      q: Schema.optional(SearchText),
      category: Schema.optional(GroupCategory),
      tag: Schema.optional(GroupTag),
      sort: Schema.optional(GroupSort),
      ...PageQuery
    },
    success: GroupPage,
    error: InvalidCursor
  }).middleware(RpcOptionalAuthentication),
  Rpc.make("GetGroup", { payload: group, success: Group, error: GroupNotFound }).middleware(RpcOptionalAuthentication),
  Rpc.make("ListGroupMembers", {
    payload: { ...group, role: Schema.optional(MemberRole), ...PageQuery },
    success: GroupMemberPage,
    error: either(GroupNotFound, InvalidCursor)
  }).middleware(RpcOptionalAuthentication),
  Rpc.make("CreateGroup", { payload: CreateGroupPayload, success: Group }).middleware(RpcAuthentication),
  Rpc.make("UpdateGroup", {
    payload: Schema.Struct({ ...group, ...UpdateGroupPayload.fields }),
    success: Group,
    error: Schema.Union([GroupNotFound, Forbidden, UploadNotFound])
  }).middleware(RpcAuthentication),
  Rpc.make("DeleteGroup", { payload: group, error: either(GroupNotFound, Forbidden) }).middleware(RpcAuthentication),
  Rpc.make("CreateGroupImageUpload", {
    payload: { ...group, contentType: AvatarContentType },
    success: AvatarUpload,
    error: either(GroupNotFound, Forbidden)
  }).middleware(RpcAuthentication),
  Rpc.make("MyGroups", { payload: PageQuery, success: GroupPage, error: InvalidCursor }).middleware(RpcAuthentication),
  Rpc.make("JoinGroup", {
    payload: { ...group, message: Schema.optional(NoteText) },
    success: JoinResult,
    error: Schema.Union([GroupNotFound, GroupFull, AlreadyMember, InvitationRequired, BannedFromGroup])
  }).middleware(RpcAuthentication),
  Rpc.make("LeaveGroup", {
    payload: group,
    error: Schema.Union([GroupNotFound, NotAMember, OwnerCannotLeave])
  }).middleware(RpcAuthentication),
  Rpc.make("ListJoinRequests", {
    payload: { ...group, ...PageQuery },
    success: JoinRequestPage,
    error: Schema.Union([GroupNotFound, Forbidden, InvalidCursor])
  }).middleware(RpcAuthentication),
  Rpc.make("ApproveJoinRequest", {
    payload: member,
    success: GroupMember,
    error: Schema.Union([GroupNotFound, Forbidden, JoinRequestNotFound, GroupFull])
  }).middleware(RpcAuthentication),
  Rpc.make("RejectJoinRequest", {
    payload: member,
    error: Schema.Union([GroupNotFound, Forbidden, JoinRequestNotFound])
  }).middleware(RpcAuthentication),
  Rpc.make("InviteToGroup", {
    payload: Schema.Struct({ ...group, invitee: InvitePayload }),
    success: Invitation,
    error: Schema.Union([GroupNotFound, Forbidden, UserNotFound, AlreadyMember, AlreadyInvited, BannedFromGroup])
  }).middleware(RpcAuthentication),
  Rpc.make("ListGroupInvitations", {
    payload: { ...group, ...PageQuery },
    success: InvitationPage,
    error: Schema.Union([GroupNotFound, Forbidden, InvalidCursor])
  }).middleware(RpcAuthentication),
  Rpc.make("RevokeInvitation", {
    payload: { ...group, invitationId: InvitationId },
    error: Schema.Union([GroupNotFound, Forbidden, InvitationNotFound])
  }).middleware(RpcAuthentication),
  Rpc.make("MyInvitations", { payload: PageQuery, success: InvitationPage, error: InvalidCursor }).middleware(
    RpcAuthentication
  ),
  Rpc.make("AcceptInvitation", {
    payload: { invitationId: InvitationId },
    success: GroupMember,
    error: Schema.Union([InvitationNotFound, GroupFull, BannedFromGroup, AlreadyMember])
  }).middleware(RpcAuthentication),
  Rpc.make("DeclineInvitation", { payload: { invitationId: InvitationId }, error: InvitationNotFound }).middleware(
    RpcAuthentication
  ),
  Rpc.make("ChangeMemberRole", {
    payload: { ...member, role: Schema.Literals(["admin", "member"]) },
    success: GroupMember,
    error: Schema.Union([GroupNotFound, Forbidden, NotAMember])
  }).middleware(RpcAuthentication),
  Rpc.make("RemoveMember", {
    payload: member,
    error: Schema.Union([GroupNotFound, Forbidden, NotAMember])
  }).middleware(RpcAuthentication),
  Rpc.make("BanFromGroup", {
    payload: { ...member, reason: Schema.optional(NoteText) },
    success: GroupBan,
    error: Schema.Union([GroupNotFound, Forbidden, UserNotFound])
  }).middleware(RpcAuthentication),
  Rpc.make("ListGroupBans", {
    payload: { ...group, ...PageQuery },
    success: GroupBanPage,
    error: Schema.Union([GroupNotFound, Forbidden, InvalidCursor])
  }).middleware(RpcAuthentication),
  Rpc.make("UnbanFromGroup", {
    payload: member,
    error: Schema.Union([GroupNotFound, Forbidden, NotAMember])
  }).middleware(RpcAuthentication),
  Rpc.make("TransferOwnership", {
    payload: member,
    success: Group,
    error: Schema.Union([GroupNotFound, Forbidden, NotAMember])
  }).middleware(RpcAuthentication)
) {}
