import { AccountsRpcs } from "@moim/domain/AccountsRpcs"
import { CurrentUser } from "@moim/domain/Authentication"
import { Effect } from "effect"
import { ClientInfo } from "../http/ClientInfo.ts"
import { AccountRateLimits } from "./AccountRateLimits.ts"
import { Accounts } from "./Accounts.ts"

const withActor = <A, E, R>(f: (actor: CurrentUser["Service"]) => Effect.Effect<A, E, R>) => CurrentUser.use(f)

export const AccountsRpc = AccountsRpcs.toLayer(
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const limits = yield* AccountRateLimits
    const withClient = <A, E, R>(f: (client: ClientInfo["Service"]) => Effect.Effect<A, E, R>) =>
      Effect.flatMap(ClientInfo.current, f)
    return AccountsRpcs.of({
      Signup: (payload) =>
        withClient((client) =>
          Effect.andThen(
            limits.sensitive("signup", { ip: client.ip, email: payload.email }),
            accounts.signup(payload, client)
          )
        ),
      VerifyEmail: ({ token }) => accounts.verifyEmail(token),
      Login: (payload) =>
        withClient((client) =>
          Effect.andThen(
            limits.sensitive("login", { ip: client.ip, email: payload.email }),
            accounts.login(payload, client)
          )
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
      GetUser: ({ id }) => accounts.getProfile(id),
      SearchUsers: (query) => accounts.searchProfiles(query),
      Logout: () => withActor(accounts.logout),
      GetMe: () => withActor(accounts.getMe),
      UpdateMe: (payload) => withActor((actor) => accounts.updateMe(actor, payload)),
      DeleteMe: () => withActor(accounts.deleteMe),
      ChangePassword: (payload) => withActor((actor) => accounts.changePassword(actor, payload)),
      CreateAvatarUpload: ({ contentType }) => withActor((actor) => accounts.createAvatarUpload(actor, contentType)),
      ResendVerification: () => withActor(accounts.resendVerification),
      ListSessions: () => withActor(accounts.listSessions),
      RevokeSession: ({ id }) => withActor((actor) => accounts.revokeSession(actor, id)),
      RevokeOtherSessions: () => withActor(accounts.revokeOtherSessions),
      SuspendUser: ({ id, reason }) => withActor((actor) => accounts.suspend(actor, id, reason ?? null)),
      UnsuspendUser: ({ id }) => withActor((actor) => accounts.unsuspend(actor, id))
    })
  })
)
