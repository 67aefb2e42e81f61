import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Authentication"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { ClientInfo } from "../http/ClientInfo.ts"
import { AccountRateLimits } from "./AccountRateLimits.ts"
import { Accounts } from "./Accounts.ts"
import { AuthenticationLive, OptionalAuthenticationLive, PublicRateLimitLive } from "./AuthenticationLive.ts"

const client = ClientInfo.current

export const AuthHttp = HttpApiBuilder.group(
  Api,
  "auth",
  Effect.fn(function* (handlers) {
    const accounts = yield* Accounts
    const limits = yield* AccountRateLimits
    return handlers
      .handle("signup", ({ payload }) =>
        Effect.gen(function* () {
          const info = yield* client
          yield* limits.sensitive("signup", { ip: info.ip, email: payload.email })
          return yield* accounts.signup(payload, info)
        })
      )
      .handle("verifyEmail", ({ payload }) => accounts.verifyEmail(payload.token))
      .handle("login", ({ payload }) =>
        Effect.gen(function* () {
          const info = yield* client
          yield* limits.sensitive("login", { ip: info.ip, email: payload.email })
          return yield* accounts.login(payload, info)
        })
      )
      .handle("refresh", ({ payload }) =>
        Effect.flatMap(client, (info) => accounts.refresh(payload.refreshToken, info))
      )
      .handle("passwordReset", ({ payload }) =>
        Effect.gen(function* () {
          const info = yield* client
          yield* limits.sensitive("password-reset", { ip: info.ip, email: payload.email })
          yield* accounts.requestPasswordReset(payload.email)
        })
      )
      .handle("passwordResetConfirm", ({ payload }) =>
        Effect.gen(function* () {
          const info = yield* client
          yield* limits.sensitive("password-reset", { ip: info.ip })
          yield* accounts.confirmPasswordReset(payload.token, payload.newPassword)
        })
      )
      .handle("logout", () => CurrentUser.use(accounts.logout))
  })
)

export const MeHttp = HttpApiBuilder.group(
  Api,
  "me",
  Effect.fn(function* (handlers) {
    const accounts = yield* Accounts
    const withActor = <A, E, R>(f: (actor: CurrentUser["Service"]) => Effect.Effect<A, E, R>) => CurrentUser.use(f)
    return handlers
      .handle("get", () => withActor(accounts.getMe))
      .handle("update", ({ payload }) => withActor((actor) => accounts.updateMe(actor, payload)))
      .handle("delete", () => withActor(accounts.deleteMe))
      .handle("changePassword", ({ payload }) => withActor((actor) => accounts.changePassword(actor, payload)))
      .handle("createAvatarUpload", ({ payload }) =>
        withActor((actor) => accounts.createAvatarUpload(actor, payload.contentType))
      )
      .handle("resendVerification", () => withActor(accounts.resendVerification))
      .handle("listSessions", () => withActor(accounts.listSessions))
      .handle("revokeSession", ({ params }) => withActor((actor) => accounts.revokeSession(actor, params.id)))
      .handle("revokeOtherSessions", () => withActor(accounts.revokeOtherSessions))
  })
)

export const UsersHttp = HttpApiBuilder.group(
  Api,
  "users",
  Effect.fn(function* (handlers) {
    const accounts = yield* Accounts
    return handlers
      .handle("get", ({ params }) => accounts.getProfile(params.id))
      .handle("search", ({ query }) => accounts.searchProfiles(query))
  })
)

export const AdminHttp = HttpApiBuilder.group(
  Api,
  "admin",
  Effect.fn(function* (handlers) {
    const accounts = yield* Accounts
    return handlers
      .handle("suspendUser", ({ params, payload }) =>
        CurrentUser.use((actor) => accounts.suspend(actor, params.id, payload?.reason ?? null))
      )
      .handle("unsuspendUser", ({ params }) => CurrentUser.use((actor) => accounts.unsuspend(actor, params.id)))
  })
)

/** The REST groups of accounts with the authentication middleware they use. */
export const AccountsHttp = Layer.mergeAll(AuthHttp, MeHttp, UsersHttp, AdminHttp).pipe(
  Layer.provide([AuthenticationLive, OptionalAuthenticationLive, PublicRateLimitLive])
)
