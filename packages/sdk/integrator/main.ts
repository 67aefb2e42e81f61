/**
 * A program written as an integrator would write it, against the packed `@moim/sdk` only. The
 * integrator test type-checks it (the `@ts-expect-error` lines must fail to compile) and runs it
 * against a live server; it prints one JSON line per step.
 */
import { createMoimClient, type SessionEnded } from "@moim/sdk"
import { baseUrl, clientAddress, expiryWaitMs } from "./config.ts"

const report = (step: string, value: unknown) => console.log(JSON.stringify({ step, value }))

let refreshes = 0
const ended: Array<SessionEnded> = []
const client = createMoimClient({
  baseUrl,
  headers: { "x-forwarded-for": clientAddress },
  fetch: (request) => {
    if (new URL(request.url).pathname === "/api/v1/auth/refresh") refreshes++
    return fetch(request)
  },
  onSessionEnded: (event) => ended.push(event)
})

const email = `integrator-${Date.now()}@example.com`
const password = "correct horse battery"

const signup = await client.auth.signup({ body: { email, password, nickname: "Integrator" } })
if (!signup.ok) throw new Error(`signup failed: ${signup.error._tag}`)
const userId: string = signup.data.user.id
report("signup", { status: signup.response.status, userId })

const wrong = await client.auth.login({ body: { email, password: "not the password" } })
if (wrong.ok) throw new Error("a wrong password signed in")
switch (wrong.error._tag) {
  case "InvalidCredentials":
    report("typedError", { tag: wrong.error._tag, status: wrong.response?.status })
    break
  case "RateLimited":
    throw new Error(`rate limited; retry in ${wrong.error.retryAfterSeconds} s`)
  case "InvalidRequest":
    throw new Error(`invalid request: ${wrong.error.issues.map((issue) => issue.path.join(".")).join(", ")}`)
  default:
    throw new Error(`login failed: ${wrong.error._tag}`)
}
// @ts-expect-error login does not declare EmailAlreadyRegistered, so its errors cannot have that tag
if (wrong.error._tag === "EmailAlreadyRegistered") throw new Error("unreachable")

// @ts-expect-error the body is required
await client.auth.login()
// @ts-expect-error the body has no such field
await client.auth.login({ body: { email, password, remember: true } })

const login = await client.auth.login({ body: { email, password, deviceName: "integrator test" } })
if (!login.ok) throw new Error(`login failed: ${login.error._tag}`)
// An account with two-factor sign-in answers a challenge instead of a session (see the SDK guide).
if ("_tag" in login.data) throw new Error(`unexpected ${login.data._tag}: this account has no second factor`)
report("login", { sameUser: login.data.user.id === userId })

const me = await client.me.get()
if (!me.ok) throw new Error(`me failed: ${me.error._tag}`)
const nickname: string = me.data.nickname
report("me", { email: me.data.email, nickname })

// Past the access token's expiry, five concurrent calls: all succeed after one shared refresh.
const expiresAt = Date.parse(login.data.accessTokenExpiresAt)
await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + expiryWaitMs))
const refreshesBefore = refreshes
const concurrent = await Promise.all(Array.from({ length: 5 }, () => client.me.get()))
report("concurrent", {
  allOk: concurrent.every((result) => result.ok),
  refreshes: refreshes - refreshesBefore
})

const logout = await client.auth.logout()
report("logout", { ok: logout.ok, session: (await client.session.get()) ?? null })

const after = await client.me.get()
report("afterLogout", { tag: after.error?._tag ?? null })
report("sessionEnded", ended)
