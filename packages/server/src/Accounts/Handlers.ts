import {
  AccountsRpcs,
  ChangePassword,
  ConfirmPasswordReset,
  CreateAvatarUpload,
  DeleteMe,
  GetMe,
  GetUser,
  ListSessions,
  Login,
  Logout,
  Refresh,
  RequestPasswordReset,
  ResendVerification,
  RevokeOtherSessions,
  RevokeSession,
  SearchUsers,
  Signup,
  SuspendUser,
  UnsuspendUser,
  UpdateMe,
  VerifyEmail
} from "@moim/domain/Accounts/AccountsApi"
import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { ClientInfo } from "../http/ClientInfo.ts"
import * as Operations from "../http/Operations.ts"
import { AccountRateLimits } from "./AccountRateLimits.ts"
import { Accounts } from "./Accounts.ts"
import { AuthenticationLive, OptionalAuthenticationLive, PublicRateLimitLive } from "./AuthenticationLive.ts"

const withActor = <A, E, R>(f: (actor: CurrentUser["Service"]) => Effect.Effect<A, E, R>) => CurrentUser.use(f)
const withClient = <A, E, R>(f: (client: ClientInfo["Service"]) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(ClientInfo.current, f)

/** One handler per account operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const accounts = yield* Accounts
  const limits = yield* AccountRateLimits
  return AccountsRpcs.of({
    Signup: (input) =>
      withClient((client) =>
        Effect.andThen(
          limits.sensitive("signup", { ip: client.ip, email: input.email }),
          accounts.signup(input, client)
        )
      ),
    VerifyEmail: ({ token }) => accounts.verifyEmail(token),
    Login: (input) =>
      withClient((client) =>
        Effect.andThen(limits.sensitive("login", { ip: client.ip, email: input.email }), accounts.login(input, client))
      ),
    Refresh: ({ refreshToken }) => withClient((client) => accounts.refresh(refreshToken, client)),
    RequestPasswordReset: ({ email }) =>
      withClient((client) =>
        Effect.andThen(
          limits.sensitive("password-reset", { ip: client.ip, email }),
          accounts.requestPasswordReset(email)
        )
      ),
    ConfirmPasswordReset: ({ token, newPassword }) =>
      withClient((client) =>
        Effect.andThen(
          limits.sensitive("password-reset", { ip: client.ip }),
          accounts.confirmPasswordReset(token, newPassword)
        )
      ),
    Logout: () => withActor(accounts.logout),
    GetMe: () => withActor(accounts.getMe),
    UpdateMe: (input) => withActor((actor) => accounts.updateMe(actor, input)),
    DeleteMe: () => withActor(accounts.deleteMe),
    ChangePassword: (input) => withActor((actor) => accounts.changePassword(actor, input)),
    CreateAvatarUpload: ({ contentType }) => withActor((actor) => accounts.createAvatarUpload(actor, contentType)),
    ResendVerification: () => withActor(accounts.resendVerification),
    ListSessions: () => withActor(accounts.listSessions),
    RevokeSession: ({ id }) => withActor((actor) => accounts.revokeSession(actor, id)),
    RevokeOtherSessions: () => withActor(accounts.revokeOtherSessions),
    GetUser: ({ id }) => accounts.getProfile(id),
    SearchUsers: (query) => accounts.searchProfiles(query),
    SuspendUser: ({ id, reason }) => withActor((actor) => accounts.suspend(actor, id, reason ?? null)),
    UnsuspendUser: ({ id }) => withActor((actor) => accounts.unsuspend(actor, id))
  })
})

export const AccountsRpc = AccountsRpcs.toLayer(handlers)

const AuthHttp = HttpApiBuilder.group(Api, "auth", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(Signup, handler.Signup),
      ...Operations.rest(VerifyEmail, handler.VerifyEmail),
      ...Operations.rest(Login, handler.Login),
      ...Operations.rest(Refresh, handler.Refresh),
      ...Operations.rest(RequestPasswordReset, handler.RequestPasswordReset),
      ...Operations.rest(ConfirmPasswordReset, handler.ConfirmPasswordReset),
      ...Operations.rest(Logout, handler.Logout)
    })
  )
)

const MeHttp = HttpApiBuilder.group(Api, "me", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(GetMe, handler.GetMe),
      ...Operations.rest(UpdateMe, handler.UpdateMe),
      ...Operations.rest(DeleteMe, handler.DeleteMe),
      ...Operations.rest(ChangePassword, handler.ChangePassword),
      ...Operations.rest(CreateAvatarUpload, handler.CreateAvatarUpload),
      ...Operations.rest(ResendVerification, handler.ResendVerification),
      ...Operations.rest(ListSessions, handler.ListSessions),
      ...Operations.rest(RevokeSession, handler.RevokeSession),
      ...Operations.rest(RevokeOtherSessions, handler.RevokeOtherSessions)
    })
  )
)

const UsersHttp = HttpApiBuilder.group(Api, "users", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(GetUser, handler.GetUser),
      ...Operations.rest(SearchUsers, handler.SearchUsers)
    })
  )
)

const AdminHttp = HttpApiBuilder.group(Api, "admin", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(SuspendUser, handler.SuspendUser),
      ...Operations.rest(UnsuspendUser, handler.UnsuspendUser)
    })
  )
)

/** The REST groups of accounts with the middleware they use. */
export const AccountsHttp = Layer.mergeAll(AuthHttp, MeHttp, UsersHttp, AdminHttp).pipe(
  Layer.provide([AuthenticationLive, OptionalAuthenticationLive, PublicRateLimitLive])
)
