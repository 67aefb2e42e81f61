import type { IdentityId } from "@moim/domain/Accounts/Oidc"
import {
  ExchangeOidcCode,
  LinkIdentity,
  ListIdentities,
  type OidcExchangePayload,
  type OidcStartPayload,
  StartOidcLink,
  StartOidcSignIn,
  UnlinkIdentity
} from "@moim/domain/Accounts/OidcApi"
import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { ClientInfo } from "../Access/ClientInfo.ts"
import { RequestRateLimits } from "../Access/RequestRateLimits.ts"
import * as Operations from "../http/Operations.ts"
import { OidcSignIn } from "./OidcSignIn.ts"
import { SessionCookies } from "./SessionCookies.ts"

type Start = { readonly provider: string } & typeof OidcStartPayload.Type

/** The OpenID Connect operations' handlers, part of `AccountsRpcs` (see `Handlers.ts`), served on both surfaces. */
export const oidcHandlers = Effect.gen(function* () {
  const oidc = yield* OidcSignIn
  const limits = yield* RequestRateLimits
  return {
    StartOidcSignIn: ({ provider, redirectUri }: Start) => oidc.start(provider, redirectUri, null),
    ExchangeOidcCode: (input: typeof OidcExchangePayload.Type) =>
      Effect.flatMap(ClientInfo.current, (client) =>
        Effect.andThen(limits.sensitive("oidc-sign-in", { ip: client.ip }), oidc.exchange(input, client))
      ),
    ListIdentities: () => CurrentUser.use(oidc.list),
    StartOidcLink: ({ provider, redirectUri }: Start) =>
      CurrentUser.use((actor) => oidc.start(provider, redirectUri, actor)),
    LinkIdentity: ({ code }: { readonly code: string }) => CurrentUser.use((actor) => oidc.link(actor, code)),
    UnlinkIdentity: ({ id }: { readonly id: IdentityId }) => CurrentUser.use((actor) => oidc.unlink(actor, id))
  }
})

/** The REST group `oidc`, on the same handlers as its RPCs. */
export const OidcHttp = HttpApiBuilder.group(Api, "oidc", (group) =>
  Effect.gen(function* () {
    const handler = yield* oidcHandlers
    const cookies = yield* SessionCookies
    return group.handleAll({
      ...Operations.rest(StartOidcSignIn, handler.StartOidcSignIn),
      // A web app in cookie mode gets its refresh token as the session cookie, as from any sign-in.
      ...Operations.rest(ExchangeOidcCode, (input) => cookies.issueOrChallenge(handler.ExchangeOidcCode(input))),
      ...Operations.rest(ListIdentities, handler.ListIdentities),
      ...Operations.rest(StartOidcLink, handler.StartOidcLink),
      ...Operations.rest(LinkIdentity, handler.LinkIdentity),
      ...Operations.rest(UnlinkIdentity, handler.UnlinkIdentity)
    })
  })
)
