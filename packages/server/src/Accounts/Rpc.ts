import { AccountsRpcs } from "@moim/domain/AccountsRpcs"
import { CurrentUser } from "@moim/domain/Authentication"
import { Effect } from "effect"
import { AccountRateLimits } from "./AccountRateLimits.ts"
import { Accounts } from "./Accounts.ts"
import { clientInfo } from "./ClientInfo.ts"

const withActor = <A, E, R>(f: (actor: CurrentUser["Service"]) => Effect.Effect<A, E, R>) => CurrentUser.use(f)

export const AccountsRpc = AccountsRpcs.toLayer(
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const limits = yield* AccountRateLimits
    return AccountsRpcs.of({
      Signup: (payload, { headers }) =>
        Effect.andThen(
          limits.sensitive("signup", { ip: clientInfo(headers).ip, email: payload.email }),
          accounts.signup(payload, clientInfo(headers))
        ),
      VerifyEmail: ({ token }, { headers }) =>
        Effect.andThen(limits.general({ ip: clientInfo(headers).ip }), accounts.verifyEmail(token)),
      Login: (payload, { headers }) =>
        Effect.andThen(
          limits.sensitive("login", { ip: clientInfo(headers).ip, email: payload.email }),
          accounts.login(payload, clientInfo(headers))
        ),
      Refresh: ({ refreshToken }, { headers }) =>
        Effect.andThen(
          limits.general({ ip: clientInfo(headers).ip }),
          accounts.refresh(refreshToken, clientInfo(headers))
        ),
      RequestPasswordReset: ({ email }, { headers }) =>
        Effect.andThen(
          limits.sensitive("password-reset", { ip: clientInfo(headers).ip, email }),
          accounts.requestPasswordReset(email)
        ),
      ConfirmPasswordReset: ({ token, newPassword }, { headers }) =>
        Effect.andThen(
          limits.sensitive("password-reset", { ip: clientInfo(headers).ip }),
          accounts.confirmPasswordReset(token, newPassword)
        ),
      GetUser: ({ id }, { headers }) =>
        Effect.andThen(limits.general({ ip: clientInfo(headers).ip }), accounts.getProfile(id)),
      SearchUsers: (query, { headers }) =>
        Effect.andThen(limits.general({ ip: clientInfo(headers).ip }), accounts.searchProfiles(query)),
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
