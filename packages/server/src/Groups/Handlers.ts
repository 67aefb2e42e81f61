import { Api } from "@moim/domain/Api"
import {
  AcceptInvitation,
  ApproveJoinRequest,
  BanFromGroup,
  ChangeMemberRole,
  CreateGroup,
  CreateGroupImageUpload,
  DeclineInvitation,
  DeleteGroup,
  GetGroup,
  GetGroupsByIds,
  GroupsRpcs,
  InviteToGroup,
  JoinGroup,
  LeaveGroup,
  ListGroupBans,
  ListGroupInvitations,
  ListGroupMembers,
  ListGroups,
  ListJoinRequests,
  MyGroups,
  MyInvitations,
  RejectJoinRequest,
  RemoveMember,
  RevokeInvitation,
  SetPostNotifications,
  TransferOwnership,
  UnbanFromGroup,
  UpdateGroup
} from "@moim/domain/Groups/GroupsApi"
import { CurrentUser, CurrentViewer } from "@moim/domain/Kit/Authentication"
import { Effect, Layer, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive, OptionalAuthenticationLive } from "../Access/AccessLive.ts"
import { ActivityLog } from "../Access/ActivityLog.ts"
import * as Operations from "../http/Operations.ts"
import { Groups } from "./Groups.ts"
import { Invitations } from "./Invitations.ts"
import { Memberships } from "./Memberships.ts"

/** One handler per group operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const groups = yield* Groups
  const memberships = yield* Memberships
  const invitations = yield* Invitations
  const activity = yield* ActivityLog
  return GroupsRpcs.of({
    ListGroups: (query) => groups.list(query),
    GetGroupsByIds: ({ ids }) =>
      CurrentViewer.use((viewer) => Effect.map(groups.getMany(ids, viewer), (items) => ({ items }))),
    GetGroup: ({ id }) =>
      CurrentViewer.use((viewer) =>
        groups.get(id, viewer).pipe(
          Effect.tap(() =>
            activity.record({
              kind: "group_view",
              userId: Option.match(viewer, { onNone: () => null, onSome: (user) => user.userId }),
              groupId: id
            })
          )
        )
      ),
    ListGroupMembers: ({ id, ...query }) => CurrentViewer.use((viewer) => memberships.list(id, viewer, query)),
    CreateGroup: (input) => CurrentUser.use((user) => groups.create(user, input)),
    UpdateGroup: ({ id, expectedVersion, ...input }) =>
      CurrentUser.use((user) => groups.update(user, id, input, expectedVersion)),
    DeleteGroup: ({ id }) => CurrentUser.use((user) => groups.remove(user, id)),
    CreateGroupImageUpload: ({ id, contentType }) =>
      CurrentUser.use((user) => groups.createImageUpload(user, id, contentType)),
    MyGroups: (query) => CurrentUser.use((user) => groups.mine(user, query ?? {})),
    JoinGroup: ({ id, message }) => CurrentUser.use((user) => memberships.join(user, id, message ?? "")),
    LeaveGroup: ({ id }) => CurrentUser.use((user) => memberships.leave(user, id)),
    SetGroupPostNotifications: ({ id, level }) =>
      CurrentUser.use((user) => memberships.setPostNotifications(user, id, level)),
    ListJoinRequests: ({ id, ...query }) => CurrentUser.use((user) => memberships.listJoinRequests(user, id, query)),
    ApproveJoinRequest: ({ id, userId }) => CurrentUser.use((user) => memberships.approveJoinRequest(user, id, userId)),
    RejectJoinRequest: ({ id, userId }) => CurrentUser.use((user) => memberships.rejectJoinRequest(user, id, userId)),
    InviteToGroup: ({ id, invitee }) => CurrentUser.use((user) => invitations.invite(user, id, invitee)),
    ListGroupInvitations: ({ id, ...query }) => CurrentUser.use((user) => invitations.listForGroup(user, id, query)),
    RevokeInvitation: ({ id, invitationId }) => CurrentUser.use((user) => invitations.revoke(user, id, invitationId)),
    MyInvitations: (query) => CurrentUser.use((user) => invitations.mine(user, query ?? {})),
    AcceptInvitation: ({ invitationId }) => CurrentUser.use((user) => invitations.accept(user, invitationId)),
    DeclineInvitation: ({ invitationId }) => CurrentUser.use((user) => invitations.decline(user, invitationId)),
    ChangeMemberRole: ({ id, userId, role }) =>
      CurrentUser.use((user) => memberships.changeRole(user, id, userId, role)),
    RemoveMember: ({ id, userId }) => CurrentUser.use((user) => memberships.remove(user, id, userId)),
    BanFromGroup: ({ id, userId, reason }) => CurrentUser.use((user) => memberships.ban(user, id, { userId, reason })),
    ListGroupBans: ({ id, ...query }) => CurrentUser.use((user) => memberships.listBans(user, id, query)),
    UnbanFromGroup: ({ id, userId }) => CurrentUser.use((user) => memberships.unban(user, id, userId)),
    TransferOwnership: ({ id, userId }) => CurrentUser.use((user) => memberships.transferOwnership(user, id, userId))
  })
})

export const GroupsRpc = GroupsRpcs.toLayer(handlers)

const GroupsHttp = HttpApiBuilder.group(Api, "groups", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(ListGroups, handler.ListGroups),
      ...Operations.rest(GetGroup, handler.GetGroup),
      ...Operations.rest(GetGroupsByIds, handler.GetGroupsByIds),
      ...Operations.rest(ListGroupMembers, handler.ListGroupMembers),
      ...Operations.rest(CreateGroup, handler.CreateGroup),
      ...Operations.rest(UpdateGroup, handler.UpdateGroup),
      ...Operations.rest(DeleteGroup, handler.DeleteGroup),
      ...Operations.rest(CreateGroupImageUpload, handler.CreateGroupImageUpload),
      ...Operations.rest(MyGroups, handler.MyGroups),
      ...Operations.rest(JoinGroup, handler.JoinGroup),
      ...Operations.rest(LeaveGroup, handler.LeaveGroup),
      ...Operations.rest(SetPostNotifications, handler.SetGroupPostNotifications),
      ...Operations.rest(ListJoinRequests, handler.ListJoinRequests),
      ...Operations.rest(ApproveJoinRequest, handler.ApproveJoinRequest),
      ...Operations.rest(RejectJoinRequest, handler.RejectJoinRequest),
      ...Operations.rest(InviteToGroup, handler.InviteToGroup),
      ...Operations.rest(ListGroupInvitations, handler.ListGroupInvitations),
      ...Operations.rest(RevokeInvitation, handler.RevokeInvitation),
      ...Operations.rest(MyInvitations, handler.MyInvitations),
      ...Operations.rest(AcceptInvitation, handler.AcceptInvitation),
      ...Operations.rest(DeclineInvitation, handler.DeclineInvitation),
      ...Operations.rest(ChangeMemberRole, handler.ChangeMemberRole),
      ...Operations.rest(RemoveMember, handler.RemoveMember),
      ...Operations.rest(BanFromGroup, handler.BanFromGroup),
      ...Operations.rest(ListGroupBans, handler.ListGroupBans),
      ...Operations.rest(UnbanFromGroup, handler.UnbanFromGroup),
      ...Operations.rest(TransferOwnership, handler.TransferOwnership)
    })
  )
)

/** The groups REST group with the middleware its endpoints use. */
export const GroupsHttpLive = GroupsHttp.pipe(Layer.provide([AuthenticationLive, OptionalAuthenticationLive]))
