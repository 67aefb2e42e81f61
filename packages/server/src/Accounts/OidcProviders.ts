import { OidcProviderNotFound, OidcProviderUnavailable } from "@moim/domain/Accounts/Oidc"
import { Config, Context, Data, Effect, Layer, Option, Redacted } from "effect"
import * as client from "openid-client"
import { AppConfig } from "../platform/AppConfig.ts"

/** One provider as configured by `OIDC_<NAME>_*`. */
interface ProviderSettings {
  readonly name: string
  readonly issuer: URL
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly scopes: string
}

/** What the provider proved about the person at the callback: its ID token's (and user info's) claims. */
export interface VerifiedIdentity {
  readonly provider: string
  readonly subject: string
  /** Lower-cased; only when the provider gave one that looks like an address. */
  readonly email: string | null
  readonly emailVerified: boolean
  readonly name: string | null
}

/** The checks a callback is held to: what was sent with the sign-in. */
export interface AuthorizationChecks {
  readonly state: string
  readonly nonce: string
  readonly codeVerifier: string
}

/**
 * Why a callback did not yield an identity; its `error` is what the app's redirect URI gets as
 * `?error=`: the provider said no (`OidcProviderError`), its answer failed a check (signature,
 * issuer, audience, expiry, nonce, PKCE: `OidcTokenRejected`), or it could not be reached.
 */
export class OidcCallbackFailure extends Data.TaggedError("OidcCallbackFailure")<{
  readonly error: "OidcProviderError" | "OidcTokenRejected" | "OidcProviderUnavailable"
  readonly message: string
}> {}

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"])

const providerKey = (name: string) => name.toUpperCase().replace(/-/g, "_")

const plausibleEmail = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u

/** An error's message with the messages of its causes, for the log and the app's `error_description`. */
const describe = (cause: unknown): string => {
  if (!(cause instanceof Error)) return String(cause)
  const inner = cause.cause instanceof Error ? `: ${describe(cause.cause)}` : ""
  return `${cause.message}${inner}`
}

const stringClaim = (value: unknown): string | null =>
  typeof value === "string" && value.trim().length > 0 ? value.trim() : null

/**
 * The OpenID providers configured by environment (`OIDC_PROVIDERS`, `OIDC_<NAME>_ISSUER`,
 * `_CLIENT_ID`, `_CLIENT_SECRET`, `_SCOPES`) and the app redirect URIs allowed (`OIDC_REDIRECT_URIS`),
 * spoken to with `openid-client`: metadata discovered from the issuer on first use (and kept once it
 * worked), the authorization code flow with PKCE, `state` and `nonce`, and the ID token's signature
 * checked against the issuer's keys on top of the issuer, audience, expiry and nonce checks.
 */
export class OidcProviders extends Context.Service<
  OidcProviders,
  {
    /** Whether a provider of that name is configured. */
    readonly isConfigured: (provider: string) => boolean
    readonly isAllowedRedirect: (redirectUri: string) => boolean
    /** A new sign-in at the provider: its page, and the state, nonce and PKCE verifier to keep. */
    readonly authorize: (
      provider: string
    ) => Effect.Effect<{ readonly url: string } & AuthorizationChecks, OidcProviderNotFound | OidcProviderUnavailable>
    /** The provider's callback (its query string as received) turned into a checked identity. */
    readonly complete: (
      provider: string,
      query: string,
      checks: AuthorizationChecks
    ) => Effect.Effect<VerifiedIdentity, OidcCallbackFailure>
  }
>()("@moim/server/Accounts/OidcProviders") {
  static readonly layer = Layer.effect(
    OidcProviders,
    Effect.gen(function* () {
      const { publicUrl } = yield* AppConfig
      const names = yield* Config.String("OIDC_PROVIDERS").pipe(
        Config.withDefault(""),
        Config.map((value) =>
          value
            .split(",")
            .map((name) => name.trim().toLowerCase())
            .filter((name) => name.length > 0)
        )
      )
      const settings = new Map<string, ProviderSettings>()
      for (const name of names) {
        if (!/^[a-z0-9][a-z0-9_-]{0,39}$/u.test(name)) {
          return yield* Effect.die(new Error(`OIDC_PROVIDERS: "${name}" is not a provider name (a-z, 0-9, - and _)`))
        }
        const key = providerKey(name)
        settings.set(name, {
          name,
          issuer: yield* Config.URL(`OIDC_${key}_ISSUER`),
          clientId: yield* Config.NonEmptyString(`OIDC_${key}_CLIENT_ID`),
          clientSecret: yield* Config.Redacted(`OIDC_${key}_CLIENT_SECRET`),
          scopes: yield* Config.NonEmptyString(`OIDC_${key}_SCOPES`).pipe(Config.withDefault("openid email profile"))
        })
      }
      const redirectUris = new Set(
        yield* Config.String("OIDC_REDIRECT_URIS").pipe(
          Config.withDefault(""),
          Config.map((value) =>
            value
              .split(",")
              .map((uri) => uri.trim())
              .filter((uri) => uri.length > 0)
          )
        )
      )
      const callbackUrl = (provider: string) => `${publicUrl}/api/v1/auth/oidc/${provider}/callback`

      const discovered = new Map<string, client.Configuration>()
      const configuration = (provider: ProviderSettings) =>
        Effect.suspend(() => {
          const known = discovered.get(provider.name)
          if (known !== undefined) return Effect.succeed(known)
          // Plain HTTP only for an issuer on this machine (a provider run beside Moim, or in tests).
          const insecure = provider.issuer.protocol === "http:" && loopbackHosts.has(provider.issuer.hostname)
          return Effect.tryPromise({
            try: () =>
              client.discovery(
                provider.issuer,
                provider.clientId,
                undefined,
                client.ClientSecretBasic(Redacted.value(provider.clientSecret)),
                {
                  timeout: 10,
                  execute: [client.enableNonRepudiationChecks, ...(insecure ? [client.allowInsecureRequests] : [])]
                }
              ),
            catch: (cause) =>
              new OidcProviderUnavailable({
                message: `The provider "${provider.name}" could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`
              })
          }).pipe(Effect.tap((config) => Effect.sync(() => discovered.set(provider.name, config))))
        })

      const settingsOf = (provider: string) => {
        const found = settings.get(provider)
        return found === undefined
          ? Effect.fail(new OidcProviderNotFound({ message: `No OpenID provider "${provider}" is configured` }))
          : Effect.succeed(found)
      }

      const failure = (cause: unknown): OidcCallbackFailure => {
        if (cause instanceof client.AuthorizationResponseError) {
          return new OidcCallbackFailure({
            error: "OidcProviderError",
            message: `The provider refused the sign-in: ${cause.error}${cause.error_description ? ` (${cause.error_description})` : ""}`
          })
        }
        if (cause instanceof OidcProviderUnavailable) {
          return new OidcCallbackFailure({ error: "OidcProviderUnavailable", message: cause.message })
        }
        if (cause instanceof TypeError || (cause instanceof Error && cause.name === "TimeoutError")) {
          return new OidcCallbackFailure({
            error: "OidcProviderUnavailable",
            message: `The provider could not be reached: ${cause.message}`
          })
        }
        return new OidcCallbackFailure({
          error: "OidcTokenRejected",
          message: `The provider's answer failed a check: ${describe(cause)}`
        })
      }

      return OidcProviders.of({
        isConfigured: (provider) => settings.has(provider),
        isAllowedRedirect: (redirectUri) => redirectUris.has(redirectUri),

        authorize: Effect.fn("OidcProviders.authorize")(function* (provider) {
          const found = yield* settingsOf(provider)
          const config = yield* configuration(found)
          const codeVerifier = client.randomPKCECodeVerifier()
          const codeChallenge = yield* Effect.promise(() => client.calculatePKCECodeChallenge(codeVerifier))
          const state = client.randomState()
          const nonce = client.randomNonce()
          const url = client.buildAuthorizationUrl(config, {
            redirect_uri: callbackUrl(found.name),
            scope: found.scopes,
            code_challenge: codeChallenge,
            code_challenge_method: "S256",
            state,
            nonce
          })
          return { url: url.href, state, nonce, codeVerifier }
        }),

        complete: Effect.fn("OidcProviders.complete")(function* (provider, query, checks) {
          const found = yield* settingsOf(provider).pipe(Effect.mapError(failure))
          const config = yield* configuration(found).pipe(Effect.mapError(failure))
          const currentUrl = new URL(`${callbackUrl(found.name)}?${query}`)
          const tokens = yield* Effect.tryPromise({
            try: () =>
              client.authorizationCodeGrant(config, currentUrl, {
                pkceCodeVerifier: checks.codeVerifier,
                expectedState: checks.state,
                expectedNonce: checks.nonce,
                idTokenExpected: true
              }),
            catch: failure
          })
          const idToken = tokens.claims()
          if (idToken === undefined) {
            return yield* new OidcCallbackFailure({
              error: "OidcTokenRejected",
              message: "The provider sent no ID token"
            })
          }
          let claims: Record<string, unknown> = { ...idToken }
          // Providers that keep the email out of the ID token give it at the user info endpoint.
          if (stringClaim(claims.email) === null && config.serverMetadata().userinfo_endpoint !== undefined) {
            const info = yield* Effect.tryPromise(() =>
              client.fetchUserInfo(config, tokens.access_token, idToken.sub)
            ).pipe(Effect.option)
            if (Option.isSome(info)) claims = { ...info.value, ...claims, email: info.value.email }
          }
          const email = stringClaim(claims.email)?.toLowerCase() ?? null
          const usableEmail = email !== null && email.length <= 254 && plausibleEmail.test(email) ? email : null
          return {
            provider: found.name,
            subject: idToken.sub,
            email: usableEmail,
            emailVerified: usableEmail !== null && (claims.email_verified === true || claims.email_verified === "true"),
            name: stringClaim(claims.name) ?? stringClaim(claims.preferred_username)
          }
        })
      })
    })
  )
}
