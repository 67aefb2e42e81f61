import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { freshEmail, freshIp, makeClient, password, serverEnv } from "./support/TestClient.ts"

const app = "https://app.example.com"

interface Jar {
  readonly cookies: Map<string, { readonly value: string; readonly path: string }>
  readonly fetch: (request: Request) => Promise<Response>
}

/**
 * What a browser page on `app` does with the cookies, which Node's fetch does not: it sends its
 * `Origin`, keeps the cookies the server sets (per name, with their path) and sends those whose path
 * matches. The server and the SDK are the real ones.
 */
const browserJar = (): Jar => {
  const cookies = new Map<string, { readonly value: string; readonly path: string }>()
  const ip = freshIp()
  return {
    cookies,
    fetch: async (request) => {
      const path = new URL(request.url).pathname
      const headers = new Headers(request.headers)
      headers.set("origin", app)
      headers.set("x-forwarded-for", ip)
      const sent = [...cookies].filter(([, cookie]) => path.startsWith(cookie.path))
      if (sent.length > 0) headers.set("cookie", sent.map(([name, cookie]) => `${name}=${cookie.value}`).join("; "))
      const response = await fetch(new Request(request, { headers }))
      for (const line of response.headers.getSetCookie()) {
        const [pair = "", ...attributes] = line.split(";").map((part) => part.trim())
        const [name = "", ...value] = pair.split("=")
        const cookiePath = attributes.find((attribute) => attribute.toLowerCase().startsWith("path="))?.slice(5) ?? "/"
        if (attributes.some((attribute) => attribute.toLowerCase() === "max-age=0")) cookies.delete(name)
        else cookies.set(name, { value: value.join("="), path: cookiePath })
      }
      return response
    }
  }
}

layer(TestServer.layer(serverEnv({ CORS_ORIGINS: app, RATE_LIMIT_AUTH: "1000" })), { excludeTestServices: true })(
  "browser sessions in cookies through the SDK",
  (it) => {
    it.effect("sign in, refresh on a 401, resume after a reload, sign out", () =>
      Effect.gen(function* () {
        const jar = browserJar()
        const options = { fetch: jar.fetch, sessionCookies: { csrfToken: () => jar.cookies.get("moim_csrf")?.value } }
        const client = yield* makeClient(options)
        const email = freshEmail()
        const signup = yield* Effect.promise(() => client.auth.signup({ body: { email, password, nickname: "Ada" } }))
        if (!signup.ok) return assert.fail(JSON.stringify(signup.error))
        // The page never sees the refresh token: it is in the HttpOnly cookie.
        assert.strictEqual(signup.data.refreshToken, "")
        assert.isDefined(jar.cookies.get("moim_refresh"))
        assert.strictEqual(jar.cookies.get("moim_refresh")?.path, "/api/v1/auth")

        // An expired access token: the SDK refreshes by cookie and sends the call again.
        yield* Effect.promise(() => client.session.set({ accessToken: "expired", refreshToken: "" }))
        const me = yield* Effect.promise(() => client.me.get())
        assert.strictEqual(me.data?.email, email)
        const rotated = jar.cookies.get("moim_refresh")?.value

        // A reload: a new client with nothing in memory resumes from the cookie.
        const reloaded = yield* makeClient(options)
        assert.isTrue(yield* Effect.promise(() => reloaded.session.resume()))
        assert.notStrictEqual(jar.cookies.get("moim_refresh")?.value, rotated)
        assert.strictEqual((yield* Effect.promise(() => reloaded.me.get())).data?.email, email)

        const out = yield* Effect.promise(() => reloaded.auth.logout())
        assert.isTrue(out.ok)
        assert.isUndefined(jar.cookies.get("moim_refresh"))
        const afterLogout = yield* makeClient(options)
        assert.isFalse(yield* Effect.promise(() => afterLogout.session.resume()))
      })
    )
  }
)
