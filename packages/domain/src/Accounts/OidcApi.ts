import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { AccountSuspended, Unauthorized } from "../Kit/AccessErrors.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { RateLimited } from "../Kit/RateLimited.ts"
import { DeviceName } from "./AccountFields.ts"
import {
  IdentityId,
  IdentityNotFound,
  LinkedIdentity,
  OidcAuthorization,
  OidcCode,
  OidcCodeInvalid,
  OidcEmailTaken,
  OidcIdentityTaken,
  OidcProviderName,
  OidcProviderNotFound,
  OidcProviderUnavailable,
  OidcRedirectUri,
  OidcRedirectUriNotAllowed
} from "./Oidc.ts"
import { LastSignInMethod } from "./Phone.ts"
import { LoginResult } from "./TwoFactor.ts"

export const OidcStartPayload = Schema.Struct({ redirectUri: OidcRedirectUri }).annotate({
  identifier: "OidcStartPayload",
  description: "Where the app wants the browser back once the provider is done"
})

export const OidcExchangePayload = Schema.Struct({
  code: OidcCode,
  deviceName: Schema.optional(DeviceName)
}).annotate({
  identifier: "OidcExchangePayload",
  description: "The one-time code the app's redirect URI was called with"
})

export const LinkIdentityPayload = Schema.Struct({ code: OidcCode }).annotate({
  identifier: "LinkIdentityPayload",
  description: "The one-time code the app's redirect URI was called with, after a link started by you"
})

const startErrors = [OidcProviderNotFound, OidcRedirectUriNotAllowed, OidcProviderUnavailable, RateLimited] as const

export const StartOidcSignIn = Operation.make(
  {
    rpc: "StartOidcSignIn",
    access: Access.public,
    params: { provider: OidcProviderName },
    body: Operation.body(OidcStartPayload),
    success: OidcAuthorization,
    errors: startErrors,
    summary: "Start signing in (or up) with an OpenID provider",
    description:
      "Answers the provider's sign-in page (authorization code flow with PKCE, `state` and `nonce`). The provider sends the browser to Moim's callback, which sends it on to `redirectUri` with `?code=` (for `POST /auth/oidc/exchange`) or `?error=`. The sign-in works once, for 10 minutes."
  },
  (rest) => HttpApiEndpoint.post("startSignIn", "/auth/oidc/:provider/start", rest.options).middleware(rest.middleware)
)

export const ExchangeOidcCode = Operation.make(
  {
    rpc: "ExchangeOidcCode",
    access: Access.public,
    body: Operation.body(OidcExchangePayload),
    success: LoginResult,
    errors: [OidcCodeInvalid, OidcEmailTaken, AccountSuspended, RateLimited],
    summary: "Finish signing in with an OpenID provider",
    description:
      "Spends the one-time code (60 seconds, once) and signs in the account the provider identity belongs to, as `POST /auth/login` does (`SecondFactorRequired` for an account with two-factor authentication). A first sign-in creates an account, with the provider's email only when the provider says it is verified. An account with that email already existing is `OidcEmailTaken`: accounts are never merged by email."
  },
  (rest) => HttpApiEndpoint.post("exchange", "/auth/oidc/exchange", rest.options).middleware(rest.middleware)
)

export const ListIdentities = Operation.make(
  {
    rpc: "ListIdentities",
    access: Access.signedIn,
    success: Schema.Array(LinkedIdentity),
    errors: [Unauthorized],
    summary: "Your linked sign-in providers",
    description: "Every provider identity that signs in to your account, oldest first."
  },
  (rest) => HttpApiEndpoint.get("listIdentities", "/me/identities", rest.options).middleware(rest.middleware)
)

export const StartOidcLink = Operation.make(
  {
    rpc: "StartOidcLink",
    access: Access.signedIn,
    params: { provider: OidcProviderName },
    body: Operation.body(OidcStartPayload),
    success: OidcAuthorization,
    errors: [...startErrors, Unauthorized],
    summary: "Start linking an OpenID provider to your account",
    description:
      "As `POST /auth/oidc/{provider}/start`, for your account: the redirect's `?code=` goes to `POST /me/identities`, with your token, to finish the link."
  },
  (rest) =>
    HttpApiEndpoint.post("startLink", "/me/identities/:provider/start", rest.options).middleware(rest.middleware)
)

export const LinkIdentity = Operation.make(
  {
    rpc: "LinkIdentity",
    access: Access.signedIn,
    body: Operation.body(LinkIdentityPayload),
    success: LinkedIdentity,
    status: 201,
    errors: [OidcCodeInvalid, OidcIdentityTaken, Unauthorized],
    summary: "Finish linking an OpenID provider",
    description:
      "Spends the one-time code of a link you started: the provider identity signs in to your account from now on. A code of someone else's link, or of a sign-in, is `OidcCodeInvalid`."
  },
  (rest) => HttpApiEndpoint.post("link", "/me/identities", rest.options).middleware(rest.middleware)
)

export const UnlinkIdentity = Operation.make(
  {
    rpc: "UnlinkIdentity",
    access: Access.signedIn,
    params: { id: IdentityId },
    errors: [IdentityNotFound, LastSignInMethod, Unauthorized],
    summary: "Unlink an OpenID provider",
    description:
      "The provider identity no longer signs you in. The last way to sign in (no password, no verified phone number, no other identity) stays (`LastSignInMethod`)."
  },
  (rest) => HttpApiEndpoint.delete("unlink", "/me/identities/:id", rest.options).middleware(rest.middleware)
)

/** Signing in with OpenID Connect providers, and the providers linked to your account. */
export const OidcOperations = [
  StartOidcSignIn,
  ExchangeOidcCode,
  ListIdentities,
  StartOidcLink,
  LinkIdentity,
  UnlinkIdentity
] as const

export class OidcApi extends Operation.httpGroup("oidc", OidcOperations).annotateMerge(
  OpenApi.annotations({
    title: "OpenID Connect",
    description: "Sign-in with OpenID providers (Google, a company's identity provider), and your linked providers"
  })
) {}
