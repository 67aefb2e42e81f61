import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { password, signUp } from "./support/Actors.ts"
import { call, freshIp, type JsonResponse } from "./support/Http.ts"
import * as TestServer from "./support/TestServer.ts"

const app = "https://app.example.com"
const env = TestServer.testEnv({ TRUST_PROXY: "true", CORS_ORIGINS: `${app},https://admin.example.com` })

interface Cookie {
  readonly value: string
  readonly attributes: ReadonlyArray<string>
}

/** The cookies an answer sets, by name: their value and attributes (lower-cased). */
const setCookies = (response: JsonResponse): ReadonlyMap<string, Cookie> =>
  new Map(
    response.headers.getSetCookie().map((line) => {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim())
      const [name = "", ...value] = pair.split("=")
      return [name, { value: value.join("="), attributes: attributes.map((attribute) => attribute.toLowerCase()) }]
    })
  )

const cookieOf = (response: JsonResponse, name: string) => {
  const cookie = setCookies(response).get(name)
  if (cookie === undefined) return assert.fail(`no ${name} cookie: ${response.headers.getSetCookie().join(" | ")}`)
  return cookie
}

/** Signs up, then in with cookie mode; the browser's cookies and the page's CSRF token. */
const cookieSession = Effect.gen(function* () {
  const user = yield* signUp("Cookie user")
  const ip = freshIp()
  const login = yield* call("POST", "/api/v1/auth/login", {
    ip,
    headers: { "moim-session-mode": "cookie", origin: app },
    body: { email: user.email, password }
  })
  assert.strictEqual(login.status, 200, login.text)
  return {
    user,
    ip,
    login,
    refresh: cookieOf(login, "moim_refresh").value,
    csrf: cookieOf(login, "moim_csrf").value
  }
})

const refreshByCookie = (session: { refresh: string; csrf: string; ip: string }, headers: Record<string, string>) =>
  call("POST", "/api/v1/auth/refresh", {
    ip: session.ip,
    headers: { cookie: `moim_refresh=${session.refresh}; moim_csrf=${session.csrf}`, ...headers }
  })

layer(TestServer.layer(env), { excludeTestServices: true })("Browser sessions in cookies", (it) => {
  it.effect("a cookie-mode sign-in: the refresh token only in an HttpOnly cookie, the access token in the body", () =>
    Effect.gen(function* () {
      const { login, csrf } = yield* cookieSession
      assert.strictEqual(login.body.refreshToken, "")
      assert.isString(login.body.accessToken)
      const refresh = cookieOf(login, "moim_refresh")
      assert.includeMembers([...refresh.attributes], ["httponly", "secure", "samesite=strict", "path=/api/v1/auth"])
      // As long as the refresh token lives (30 days by default).
      assert.include([...refresh.attributes], "max-age=2592000")
      assert.isAbove(refresh.value.length, 20)
      const csrfCookie = cookieOf(login, "moim_csrf")
      assert.notInclude([...csrfCookie.attributes], "httponly")
      assert.includeMembers([...csrfCookie.attributes], ["secure", "samesite=strict", "path=/"])
      assert.strictEqual(login.headers.get("moim-csrf-token"), csrf)
      const me = yield* call("GET", "/api/v1/me", { token: String(login.body.accessToken) })
      assert.strictEqual(me.status, 200)
    })
  )

  it.effect("refresh by cookie from an allowed origin with the CSRF token rotates both cookies", () =>
    Effect.gen(function* () {
      const session = yield* cookieSession
      const refreshed = yield* refreshByCookie(session, { origin: app, "x-csrf-token": session.csrf })
      assert.strictEqual(refreshed.status, 200, refreshed.text)
      assert.strictEqual(refreshed.body.refreshToken, "")
      const next = cookieOf(refreshed, "moim_refresh").value
      assert.notStrictEqual(next, session.refresh)
      assert.notStrictEqual(cookieOf(refreshed, "moim_csrf").value, session.csrf)
      // The spent cookie again is reuse: the whole session ends, the new token with it.
      const replayed = yield* refreshByCookie(session, { origin: app, "x-csrf-token": session.csrf })
      assert.strictEqual(replayed.status, 401)
      assert.strictEqual(replayed.body._tag, "SessionRevoked")
    })
  )

  it.effect("a same-origin page may refresh by cookie too", () =>
    Effect.gen(function* () {
      const session = yield* cookieSession
      const own = yield* TestServer.baseUrl
      const refreshed = yield* refreshByCookie(session, { origin: own, "x-csrf-token": session.csrf })
      assert.strictEqual(refreshed.status, 200, refreshed.text)
    })
  )

  it.effect("cross-site requests are refused and spend nothing: other origin, no origin, missing or wrong token", () =>
    Effect.gen(function* () {
      const session = yield* cookieSession
      const other = yield* cookieSession
      const refusals: ReadonlyArray<Record<string, string>> = [
        { origin: "https://evil.example", "x-csrf-token": session.csrf },
        { origin: "null", "x-csrf-token": session.csrf },
        { "x-csrf-token": session.csrf },
        { origin: app },
        { origin: app, "x-csrf-token": other.csrf }
      ]
      for (const headers of refusals) {
        const refused = yield* refreshByCookie(session, headers)
        assert.strictEqual(refused.status, 403, `${JSON.stringify(headers)}: ${refused.text}`)
        assert.strictEqual(refused.body._tag, "CookieSessionRefused")
        assert.lengthOf(refused.headers.getSetCookie(), 0)
      }
      // None of them spent the cookie: the page's own refresh still works.
      const refreshed = yield* refreshByCookie(session, { origin: app, "x-csrf-token": session.csrf })
      assert.strictEqual(refreshed.status, 200, refreshed.text)
    })
  )

  it.effect("CORS admits credentials for the configured origins only", () =>
    Effect.gen(function* () {
      const preflight = (origin: string) =>
        call("OPTIONS", "/api/v1/auth/refresh", {
          headers: {
            origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "x-csrf-token,moim-session-mode"
          }
        })
      const allowed = yield* preflight(app)
      assert.strictEqual(allowed.headers.get("access-control-allow-origin"), app)
      assert.strictEqual(allowed.headers.get("access-control-allow-credentials"), "true")
      assert.include(allowed.headers.get("access-control-allow-headers") ?? "", "x-csrf-token")
      const evil = yield* preflight("https://evil.example")
      assert.isNull(evil.headers.get("access-control-allow-origin"))
    })
  )

  it.effect("a sign-in repeated with its Idempotency-Key sets the same cookies again", () =>
    Effect.gen(function* () {
      const user = yield* signUp("Repeated")
      const ip = freshIp()
      const login = () =>
        call("POST", "/api/v1/auth/login", {
          ip,
          headers: { "moim-session-mode": "cookie", origin: app, "idempotency-key": `login-${user.userId}` },
          body: { email: user.email, password }
        })
      const first = yield* login()
      assert.strictEqual(first.status, 200, first.text)
      // The first answer was lost on the way: the browser sends the request again.
      const again = yield* login()
      assert.strictEqual(again.status, 200, again.text)
      assert.strictEqual(again.headers.get("idempotent-replayed"), "true")
      assert.strictEqual(again.body.accessToken, first.body.accessToken)
      const refresh = cookieOf(again, "moim_refresh")
      assert.strictEqual(refresh.value, cookieOf(first, "moim_refresh").value)
      assert.includeMembers([...refresh.attributes], ["httponly", "secure", "samesite=strict", "path=/api/v1/auth"])
      assert.strictEqual(again.headers.get("moim-csrf-token"), cookieOf(first, "moim_csrf").value)
      // The kept cookies are never sent as a header of their own.
      assert.isNull(again.headers.get("x-moim-sealed-extras"))
      // And they work: the replayed cookie refreshes the session.
      const refreshed = yield* refreshByCookie(
        { refresh: refresh.value, csrf: cookieOf(again, "moim_csrf").value, ip },
        { origin: app, "x-csrf-token": cookieOf(again, "moim_csrf").value }
      )
      assert.strictEqual(refreshed.status, 200, refreshed.text)
    })
  )

  it.effect("logging out clears both cookies; bearer sign-ins are unchanged", () =>
    Effect.gen(function* () {
      const session = yield* cookieSession
      const out = yield* call("POST", "/api/v1/auth/logout", {
        token: String(session.login.body.accessToken),
        headers: { cookie: `moim_refresh=${session.refresh}`, origin: app }
      })
      assert.strictEqual(out.status, 204, out.text)
      assert.include(cookieOf(out, "moim_refresh").attributes, "max-age=0")
      assert.include(cookieOf(out, "moim_csrf").attributes, "max-age=0")
      const after = yield* refreshByCookie(session, { origin: app, "x-csrf-token": session.csrf })
      assert.strictEqual(after.status, 401)

      const bearer = yield* signUp("Bearer user")
      const login = yield* call("POST", "/api/v1/auth/login", {
        ip: freshIp(),
        body: { email: bearer.email, password }
      })
      assert.strictEqual(login.status, 200)
      assert.isAbove(String(login.body.refreshToken).length, 20)
      assert.lengthOf(login.headers.getSetCookie(), 0)
      const refreshed = yield* call("POST", "/api/v1/auth/refresh", {
        ip: freshIp(),
        body: { refreshToken: login.body.refreshToken }
      })
      assert.strictEqual(refreshed.status, 200)
      assert.lengthOf(refreshed.headers.getSetCookie(), 0)
      // No body and no cookie: nothing to spend.
      const nothing = yield* call("POST", "/api/v1/auth/refresh", { ip: freshIp() })
      assert.strictEqual(nothing.status, 401)
      assert.strictEqual(nothing.body._tag, "SessionRevoked")
    })
  )
})
