import { CurrentUser, CurrentViewer } from "@moim/domain/Authentication"
import { GroupsRpcs } from "@moim/domain/GroupsRpcs"
import { Effect } from "effect"
import { Groups } from "./Groups.ts"

export const GroupsRpc = GroupsRpcs.toLayer(
  Effect.gen(function* () {
    const groups = yield* Groups
    return GroupsRpcs.of({
      ListGroups: (query) => groups.list(query),
      GetGroup: ({ id }) => CurrentViewer.use((viewer) => groups.get(id, viewer)),
      ListGroupMembers: ({ id, ...query }) => CurrentViewer.use((viewer) => groups.listMembers(id, viewer, query)),
      CreateGroup: (payload) => CurrentUser.use((user) => groups.create(user, payload)),
      UpdateGroup: ({ id, ...payload }) => CurrentUser.use((user) => groups.update(user, id, payload)),
      DeleteGroup: ({ id }) => CurrentUser.use((user) => groups.remove(user, id)),
      CreateGroupImageUpload: ({ id, contentType }) =>
        CurrentUser.use((user) => groups.createImageUpload(user, id, contentType)),
      MyGroups: (query) => CurrentUser.use((user) => groups.mine(user, query)),
      JoinGroup: ({ id, message }) => CurrentUser.use((user) => groups.join(user, id, message ?? "")),
      LeaveGroup: ({ id }) => CurrentUser.use((user) => groups.leave(user, id)),
      ListJoinRequests: ({ id, ...query }) => CurrentUser.use((user) => groups.listJoinRequests(user, id, query)),
      ApproveJoinRequest: ({ id, userId }) => CurrentUser.use((user) => groups.approveJoinRequest(user, id, userId)),
      RejectJoinRequest: ({ id, userId }) => CurrentUser.use((user) => groups.rejectJoinRequest(user, id, userId)),
      InviteToGroup: ({ id, invitee }) => CurrentUser.use((user) => groups.invite(user, id, invitee)),
      ListGroupInvitations: ({ id, ...query }) => CurrentUser.use((user) => groups.listInvitations(user, id, query)),
      RevokeInvitation: ({ id, invitationId }) =>
        CurrentUser.use((user) => groups.revokeInvitation(user, id, invitationId)),
      MyInvitations: (query) => CurrentUser.use((user) => groups.myInvitations(user, query)),
      AcceptInvitation: ({ invitationId }) => CurrentUser.use((user) => groups.acceptInvitation(user, invitationId)),
      DeclineInvitation: ({ invitationId }) => CurrentUser.use((user) => groups.declineInvitation(user, invitationId)),
      ChangeMemberRole: ({ id, userId, role }) => CurrentUser.use((user) => groups.changeRole(user, id, userId, role)),
      RemoveMember: ({ id, userId }) => CurrentUser.use((user) => groups.removeMember(user, id, userId)),
      BanFromGroup: ({ id, userId, reason }) => CurrentUser.use((user) => groups.ban(user, id, { userId, reason })),
      ListGroupBans: ({ id, ...query }) => CurrentUser.use((user) => groups.listBans(user, id, query)),
      UnbanFromGroup: ({ id, userId }) => CurrentUser.use((user) => groups.unban(user, id, userId)),
      TransferOwnership: ({ id, userId }) => CurrentUser.use((user) => groups.transferOwnership(user, id, userId))
    })
  })
)
