import { Api } from "@moim/domain/Api"
import { CurrentUser, CurrentViewer } from "@moim/domain/Authentication"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive, OptionalAuthenticationLive } from "../Accounts/AuthenticationLive.ts"
import { Groups } from "./Groups.ts"

export const GroupsHttp = HttpApiBuilder.group(
  Api,
  "groups",
  Effect.fn(function* (handlers) {
    const groups = yield* Groups
    return handlers
      .handle("list", ({ query }) => groups.list(query))
      .handle("get", ({ params }) => CurrentViewer.use((viewer) => groups.get(params.id, viewer)))
      .handle("listMembers", ({ params, query }) =>
        CurrentViewer.use((viewer) => groups.listMembers(params.id, viewer, query))
      )
      .handle("create", ({ payload }) => CurrentUser.use((user) => groups.create(user, payload)))
      .handle("update", ({ params, payload }) => CurrentUser.use((user) => groups.update(user, params.id, payload)))
      .handle("delete", ({ params }) => CurrentUser.use((user) => groups.remove(user, params.id)))
      .handle("createImageUpload", ({ params, payload }) =>
        CurrentUser.use((user) => groups.createImageUpload(user, params.id, payload.contentType))
      )
      .handle("mine", ({ query }) => CurrentUser.use((user) => groups.mine(user, query)))
      .handle("join", ({ params, payload }) =>
        CurrentUser.use((user) => groups.join(user, params.id, payload?.message ?? ""))
      )
      .handle("leave", ({ params }) => CurrentUser.use((user) => groups.leave(user, params.id)))
      .handle("listJoinRequests", ({ params, query }) =>
        CurrentUser.use((user) => groups.listJoinRequests(user, params.id, query))
      )
      .handle("approveJoinRequest", ({ params }) =>
        CurrentUser.use((user) => groups.approveJoinRequest(user, params.id, params.userId))
      )
      .handle("rejectJoinRequest", ({ params }) =>
        CurrentUser.use((user) => groups.rejectJoinRequest(user, params.id, params.userId))
      )
      .handle("invite", ({ params, payload }) => CurrentUser.use((user) => groups.invite(user, params.id, payload)))
      .handle("listInvitations", ({ params, query }) =>
        CurrentUser.use((user) => groups.listInvitations(user, params.id, query))
      )
      .handle("revokeInvitation", ({ params }) =>
        CurrentUser.use((user) => groups.revokeInvitation(user, params.id, params.invitationId))
      )
      .handle("myInvitations", ({ query }) => CurrentUser.use((user) => groups.myInvitations(user, query)))
      .handle("acceptInvitation", ({ params }) =>
        CurrentUser.use((user) => groups.acceptInvitation(user, params.invitationId))
      )
      .handle("declineInvitation", ({ params }) =>
        CurrentUser.use((user) => groups.declineInvitation(user, params.invitationId))
      )
      .handle("changeRole", ({ params, payload }) =>
        CurrentUser.use((user) => groups.changeRole(user, params.id, params.userId, payload.role))
      )
      .handle("removeMember", ({ params }) =>
        CurrentUser.use((user) => groups.removeMember(user, params.id, params.userId))
      )
      .handle("ban", ({ params, payload }) => CurrentUser.use((user) => groups.ban(user, params.id, payload)))
      .handle("listBans", ({ params, query }) => CurrentUser.use((user) => groups.listBans(user, params.id, query)))
      .handle("unban", ({ params }) => CurrentUser.use((user) => groups.unban(user, params.id, params.userId)))
      .handle("transferOwnership", ({ params, payload }) =>
        CurrentUser.use((user) => groups.transferOwnership(user, params.id, payload.userId))
      )
  })
)

/** The groups REST group with the authentication middleware its endpoints use. */
export const GroupsHttpLive = GroupsHttp.pipe(Layer.provide([AuthenticationLive, OptionalAuthenticationLive]))
