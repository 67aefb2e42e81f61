import {
  AccountsRpcs,
  ChangePassword,
  ConfirmPasswordReset,
  CreateAvatarUpload,
  DeleteMe,
  GetMe,
  GetUser,
  GetUsersByIds,
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
import {
  CompleteSecondFactor,
  ConfirmTwoFactor,
  DisableTwoFactor,
  GetTwoFactor,
  RegenerateRecoveryCodes,
  StartTwoFactor
} from "@moim/domain/Accounts/TwoFactorApi"
import { Api } from "@moim/domain/Api"
import { CurrentUser, CurrentViewer } from "@moim/domain/Kit/Authentication"
import { Effect, Layer, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive, OptionalAuthenticationLive, PublicRateLimitLive } from "../Access/AccessLive.ts"
import { ActivityLog } from "../Access/ActivityLog.ts"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { ClientInfo } from "../Access/ClientInfo.ts"
import { RequestRateLimits } from "../Access/RequestRateLimits.ts"
import * as Operations from "../http/Operations.ts"
import { AccountAdmin } from "./AccountAdmin.ts"
import { OidcHttp, oidcHandlers } from "./OidcHandlers.ts"
import { PhoneHttp, phoneHandlers } from "./PhoneHandlers.ts"
import { ProfilePages } from "./ProfilePages.ts"
import { Profiles } from "./Profiles.ts"
import { SessionCookies } from "./SessionCookies.ts"
import { Sessions } from "./Sessions.ts"
import { TwoFactor } from "./TwoFactor.ts"
import { Verification } from "./Verification.ts"

const withActor = <A, E, R>(f: (actor: CurrentUser["Service"]) => Effect.Effect<A, E, R>) => CurrentUser.use(f)
const withClient = <A, E, R>(f: (client: ClientInfo) => Effect.Effect<A, E, R>) => Effect.flatMap(ClientInfo.current, f)

/** One handler per account operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const sessions = yield* Sessions
  const verification = yield* Verification
  const profiles = yield* Profiles
  const pages = yield* ProfilePages
  const blocks = yield* Blocks
  const admin = yield* AccountAdmin
  const limits = yield* RequestRateLimits
  const phone = yield* phoneHandlers
  const oidc = yield* oidcHandlers
  const activity = yield* ActivityLog
  const twoFactor = yield* TwoFactor
  const cookies = yield* SessionCookies
  /** Second-factor codes count per address and per account, like sign-in attempts. */
  const limitCodes = (client: ClientInfo, userId: string | undefined) =>
    limits.sensitive("second-factor", { ip: client.ip, userId })
  const withCodeLimit = <A, E, R>(f: (actor: CurrentUser["Service"]) => Effect.Effect<A, E, R>) =>
    withActor((actor) => withClient((client) => Effect.andThen(limitCodes(client, actor.userId), f(actor))))
  return AccountsRpcs.of({
    ...phone,
    ...oidc,
    Signup: (input) =>
      withClient((client) =>
        Effect.andThen(
          limits.sensitive("signup", { ip: client.ip, email: input.email }),
          sessions.signup(input, client)
        ).pipe(Effect.tap((result) => activity.record({ kind: "signup", userId: result.user.id })))
      ),
    VerifyEmail: ({ token }) => verification.verifyEmail(token),
    Login: (input) =>
      withClient((client) =>
        Effect.andThen(
          limits.sensitive("login", { ip: client.ip, email: input.email }),
          sessions.login(input, client)
        ).pipe(
          Effect.tap((result) =>
            "user" in result ? activity.record({ kind: "login", userId: result.user.id }) : Effect.void
          )
        )
      ),
    CompleteSecondFactor: (input) =>
      withClient((client) =>
        Effect.flatMap(twoFactor.challengeOwner(input.challenge), (owner) =>
          Effect.andThen(limitCodes(client, Option.getOrUndefined(owner)), sessions.completeSecondFactor(input, client))
        ).pipe(Effect.tap((result) => activity.record({ kind: "login", userId: result.user.id })))
      ),
    GetTwoFactor: () => withActor(twoFactor.status),
    StartTwoFactor: () => withActor(twoFactor.start),
    ConfirmTwoFactor: ({ code }) => withCodeLimit((actor) => twoFactor.confirm(actor, code)),
    DisableTwoFactor: ({ code }) => withCodeLimit((actor) => twoFactor.disable(actor, code)),
    RegenerateRecoveryCodes: ({ code }) => withCodeLimit((actor) => twoFactor.regenerateRecoveryCodes(actor, code)),
    Refresh: (input) =>
      withClient((client) =>
        Effect.flatMap(cookies.refreshToken(input?.refreshToken), (token) => sessions.refresh(token, client))
      ),
    RequestPasswordReset: ({ email }) =>
      withClient((client) =>
        Effect.andThen(
          limits.sensitive("password-reset", { ip: client.ip, email }),
          verification.requestPasswordReset(email)
        )
      ),
    ConfirmPasswordReset: ({ token, newPassword }) =>
      withClient((client) =>
        Effect.andThen(
          limits.sensitive("password-reset", { ip: client.ip }),
          verification.confirmPasswordReset(token, newPassword)
        )
      ),
    Logout: () => withActor(sessions.logout),
    GetMe: () => withActor(profiles.getMe),
    UpdateMe: (input) => withActor((actor) => profiles.updateMe(actor, input)),
    DeleteMe: () => withActor(profiles.deleteMe),
    ChangePassword: (input) => withActor((actor) => sessions.changePassword(actor, input)),
    CreateAvatarUpload: ({ contentType }) => withActor((actor) => profiles.createAvatarUpload(actor, contentType)),
    ResendVerification: () => withActor(verification.resendVerification),
    ListSessions: () => withActor(sessions.list),
    RevokeSession: ({ id }) => withActor((actor) => sessions.revoke(actor, id)),
    RevokeOtherSessions: () => withActor(sessions.revokeOthers),
    GetUser: ({ id }) =>
      CurrentViewer.use((viewer) =>
        Effect.flatMap(profiles.get(id), (profile) =>
          pages.show(Option.match(viewer, { onNone: () => null, onSome: Actor.of }), profile)
        ).pipe(
          // Who viewed whom is not kept: the viewer only, for counting who is active.
          Effect.tap(() =>
            activity.record({
              kind: "profile_view",
              userId: Option.match(viewer, { onNone: () => null, onSome: (user) => user.userId })
            })
          )
        )
      ),
    SearchUsers: (query) =>
      CurrentViewer.use((viewer) =>
        Effect.flatMap(profiles.search(query), (page) =>
          Option.match(viewer, {
            onNone: () => Effect.succeed(page),
            // Someone either blocked is left out (the page may then hold fewer than `limit`).
            onSome: (user) =>
              Effect.map(
                blocks.hiddenAmong(
                  user.userId,
                  page.items.map((item) => item.id)
                ),
                (hidden) => ({ ...page, items: page.items.filter((item) => !hidden.has(item.id)) })
              )
          })
        )
      ),
    GetUsersByIds: ({ ids }) =>
      CurrentViewer.use((viewer) =>
        Effect.gen(function* () {
          const found = yield* profiles.showMany(ids)
          if (Option.isNone(viewer)) return { items: found }
          // Someone either blocked is left out, as on their profile page.
          const hidden = yield* blocks.hiddenAmong(
            viewer.value.userId,
            found.map((profile) => profile.id)
          )
          return { items: found.filter((profile) => !hidden.has(profile.id)) }
        })
      ),
    SuspendUser: ({ id, reason }) => withActor((actor) => admin.suspend(actor, id, reason ?? null)),
    UnsuspendUser: ({ id }) => withActor((actor) => admin.unsuspend(actor, id))
  })
})

export const AccountsRpc = AccountsRpcs.toLayer(handlers)

// Over REST, the operations that start or end a session honour cookie mode (`SessionCookies.ts`).
const AuthHttp = HttpApiBuilder.group(Api, "auth", (group) =>
  Effect.gen(function* () {
    const handler = yield* handlers
    const cookies = yield* SessionCookies
    return group.handleAll({
      ...Operations.rest(Signup, (input) => cookies.issue(handler.Signup(input))),
      ...Operations.rest(VerifyEmail, handler.VerifyEmail),
      ...Operations.rest(Login, (input) => cookies.issueOrChallenge(handler.Login(input))),
      ...Operations.rest(CompleteSecondFactor, (input) => cookies.issue(handler.CompleteSecondFactor(input))),
      ...Operations.rest(Refresh, (input) => cookies.issue(handler.Refresh(input))),
      ...Operations.rest(RequestPasswordReset, handler.RequestPasswordReset),
      ...Operations.rest(ConfirmPasswordReset, handler.ConfirmPasswordReset),
      ...Operations.rest(Logout, () => cookies.clear(handler.Logout()))
    })
  })
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
      ...Operations.rest(SearchUsers, handler.SearchUsers),
      ...Operations.rest(GetUsersByIds, handler.GetUsersByIds)
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

const TwoFactorHttp = HttpApiBuilder.group(Api, "twoFactor", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(GetTwoFactor, handler.GetTwoFactor),
      ...Operations.rest(StartTwoFactor, handler.StartTwoFactor),
      ...Operations.rest(ConfirmTwoFactor, handler.ConfirmTwoFactor),
      ...Operations.rest(DisableTwoFactor, handler.DisableTwoFactor),
      ...Operations.rest(RegenerateRecoveryCodes, handler.RegenerateRecoveryCodes)
    })
  )
)

/** The REST groups of accounts with the middleware they use. */
export const AccountsHttp = Layer.mergeAll(
  AuthHttp,
  MeHttp,
  UsersHttp,
  AdminHttp,
  PhoneHttp,
  TwoFactorHttp,
  OidcHttp
).pipe(Layer.provide([AuthenticationLive, OptionalAuthenticationLive, PublicRateLimitLive]))
