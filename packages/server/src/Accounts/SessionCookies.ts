import { createHmac, timingSafeEqual } from "node:crypto"
import { CookieSessionRefused, SessionRevoked } from "@moim/domain/Accounts/AccountErrors"
import { AuthResult } from "@moim/domain/Accounts/Session"
import type { SecondFactorRequired } from "@moim/domain/Accounts/TwoFactor"
import { Config, Context, Duration, Effect, Layer, Option } from "effect"
import { HttpServerRequest } from "effect/http"
import { ResponseExtras } from "../http/ResponseExtras.ts"
import { AppConfig } from "../platform/AppConfig.ts"
import { ServerSecret } from "../platform/ServerSecret.ts"
import { AccountsConfig } from "./AccountsConfig.ts"

/** The `HttpOnly` cookie with the refresh token, sent only to the auth paths. */
export const refreshCookieName = "moim_refresh"
/** The readable cookie with the CSRF token, for the app's scripts to send back in `X-CSRF-Token`. */
export const csrfCookieName = "moim_csrf"
/** A sign-in asking for cookie mode sends `Moim-Session-Mode: cookie`. */
export const sessionModeHeader = "moim-session-mode"
export const csrfHeader = "x-csrf-token"
/** The CSRF token is also in this response header, for apps that cannot read the cookie. */
export const csrfResponseHeader = "moim-csrf-token"
const refreshCookiePath = "/api/v1/auth"

/**
 * Browser sessions in cookies, an opt-in mode for web apps on the same site (REST only: RPC clients
 * and native apps keep bearer tokens, which keep working unchanged):
 *
 * - A sign-in (password, second factor, phone, OpenID Connect exchange), sign-up or refresh sent with `Moim-Session-Mode: cookie` answers the
 *   usual `AuthResult` with `refreshToken` empty; the token is set instead in the `HttpOnly`,
 *   `Secure`, `SameSite` cookie `moim_refresh`, scoped to `/api/v1/auth`, so no script can read
 *   it. The access token stays in the app's memory.
 * - The answer also sets `moim_csrf` (readable, path `/`), an HMAC of the refresh token under a key
 *   derived from `MOIM_SECRET`, and sends it as `Moim-CSRF-Token`.
 * - `POST /auth/refresh` without a body token spends the cookie's, but only for a request whose
 *   `Origin` is this server's own or one of `CORS_ORIGINS`, carrying the CSRF token of that refresh
 *   token in `X-CSRF-Token` (403 `CookieSessionRefused` otherwise). A cross-site page can make the
 *   browser send the cookie, but can neither read the CSRF cookie nor forge the header.
 * - Logging out clears both cookies.
 */
export class SessionCookies extends Context.Service<
  SessionCookies,
  {
    /** Around a REST handler that starts a session: in cookie mode, its refresh token moves to the cookie. */
    readonly issue: <E, R>(effect: Effect.Effect<AuthResult, E, R>) => Effect.Effect<AuthResult, E, R>
    /** The same, for a sign-in that may answer a second-factor challenge instead. */
    readonly issueOrChallenge: <E, R>(
      effect: Effect.Effect<AuthResult | SecondFactorRequired, E, R>
    ) => Effect.Effect<AuthResult | SecondFactorRequired, E, R>
    /** The refresh token to spend: the body's, else the cookie's once the request passes the CSRF checks. */
    readonly refreshToken: (
      fromBody: string | undefined
    ) => Effect.Effect<string, CookieSessionRefused | SessionRevoked>
    /** Around a REST logout: the answer clears both cookies. */
    readonly clear: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  }
>()("@moim/server/Accounts/SessionCookies") {
  static readonly layer = Layer.effect(
    SessionCookies,
    Effect.gen(function* () {
      const accounts = yield* AccountsConfig
      const app = yield* AppConfig
      const key = (yield* ServerSecret).derive("session-csrf")
      const secure = yield* Config.Boolean("SESSION_COOKIE_SECURE").pipe(Config.withDefault(true))
      const sameSite = yield* Config.Literals(["strict", "lax"], "SESSION_COOKIE_SAMESITE").pipe(
        Config.withDefault("strict" as const)
      )
      const domain = yield* Config.String("SESSION_COOKIE_DOMAIN").pipe(Config.withDefault(""))
      const allowedOrigins = new Set(app.corsOrigins.filter((origin) => origin !== "*"))
      const base = { secure, sameSite, ...(domain === "" ? {} : { domain }) }
      // Effect reads a number as milliseconds.
      const maxAge = Duration.toMillis(accounts.refreshTokenTtl)

      const csrfOf = (refreshToken: string) => createHmac("sha256", key).update(refreshToken).digest("base64url")

      // Through `ResponseExtras`, so that a response kept for an `Idempotency-Key` keeps them too.
      const setCookies = (refreshToken: string) =>
        ResponseExtras.addCookies(
          [
            [refreshCookieName, refreshToken, { ...base, httpOnly: true, path: refreshCookiePath, maxAge }],
            [csrfCookieName, csrfOf(refreshToken), { ...base, httpOnly: false, path: "/", maxAge }]
          ],
          { [csrfResponseHeader]: csrfOf(refreshToken) }
        )

      const clearCookies = ResponseExtras.addCookies([
        [refreshCookieName, "", { ...base, httpOnly: true, path: refreshCookiePath, maxAge: 0 }],
        [csrfCookieName, "", { ...base, httpOnly: false, path: "/", maxAge: 0 }]
      ])

      /** Same origin as the request's host, or one of the configured origins (never `*`). */
      const originAllowed = (request: HttpServerRequest.HttpServerRequest) => {
        const origin = request.headers.origin
        if (origin === undefined || origin === "null") return false
        if (allowedOrigins.has(origin)) return true
        try {
          return new URL(origin).host === request.headers.host
        } catch {
          return false
        }
      }

      const sameToken = (sent: string, expected: string) => {
        const a = Buffer.from(sent)
        const b = Buffer.from(expected)
        return a.length === b.length && timingSafeEqual(a, b)
      }

      /** In cookie mode (asked for, or the refresh cookie sent), the refresh token goes to the cookie. */
      const deliver = (result: AuthResult): Effect.Effect<AuthResult> =>
        Effect.flatMap(Effect.serviceOption(HttpServerRequest.HttpServerRequest), (request) => {
          if (Option.isNone(request)) return Effect.succeed(result)
          const { headers, cookies } = request.value
          if (headers[sessionModeHeader] !== "cookie" && cookies[refreshCookieName] === undefined) {
            return Effect.succeed(result)
          }
          return Effect.as(setCookies(result.refreshToken), new AuthResult({ ...result, refreshToken: "" }))
        })

      return SessionCookies.of({
        issue: (effect) => Effect.flatMap(effect, deliver),

        issueOrChallenge: (effect) =>
          Effect.flatMap(
            effect,
            (result): Effect.Effect<AuthResult | SecondFactorRequired> =>
              result instanceof AuthResult ? deliver(result) : Effect.succeed(result)
          ),

        refreshToken: (fromBody) =>
          Effect.gen(function* () {
            if (fromBody !== undefined) return fromBody
            const request = yield* Effect.serviceOption(HttpServerRequest.HttpServerRequest)
            const cookie = Option.isSome(request) ? request.value.cookies[refreshCookieName] : undefined
            if (Option.isNone(request) || cookie === undefined || cookie === "") {
              return yield* new SessionRevoked({
                message: "No refresh token: send `refreshToken`, or the session cookie of a cookie-mode sign-in"
              })
            }
            if (!originAllowed(request.value)) {
              return yield* new CookieSessionRefused({
                message:
                  "A refresh by cookie must come from this server's origin or one of CORS_ORIGINS (the Origin header)"
              })
            }
            const sent = request.value.headers[csrfHeader]
            if (sent === undefined || !sameToken(sent, csrfOf(cookie))) {
              return yield* new CookieSessionRefused({
                message:
                  "A refresh by cookie needs the CSRF token of the session (the moim_csrf cookie) in X-CSRF-Token"
              })
            }
            return cookie
          }),

        clear: (effect) => Effect.tap(effect, () => clearCookies)
      })
    })
  )
}
