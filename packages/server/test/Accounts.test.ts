import { assert, layer } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { SignJWT } from "jose"
import { AccountAdmin } from "../src/Accounts/AccountAdmin.ts"
import { ServerSecret } from "../src/platform/ServerSecret.ts"
import { call, freshEmail, freshIp } from "./support/Http.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true" })
const password = "correct horse battery"

interface Session {
  readonly email: string
  readonly userId: string
  readonly accessToken: string
  readonly refreshToken: string
}

const signup = (options: { readonly email?: string; readonly nickname?: string; readonly deviceName?: string } = {}) =>
  Effect.gen(function* () {
    const email = options.email ?? freshEmail()
    const response = yield* call("POST", "/api/v1/auth/signup", {
      ip: freshIp(),
      body: {
        email,
        password,
        nickname: options.nickname ?? "Ada",
        ...(options.deviceName === undefined ? {} : { deviceName: options.deviceName })
      }
    })
    assert.strictEqual(response.status, 201, JSON.stringify(response.body))
    return toSession(email, response.body)
  })

const login = (email: string, deviceName?: string) =>
  Effect.gen(function* () {
    const response = yield* call("POST", "/api/v1/auth/login", {
      ip: freshIp(),
      body: { email, password, ...(deviceName === undefined ? {} : { deviceName }) }
    })
    assert.strictEqual(response.status, 200, JSON.stringify(response.body))
    return toSession(email, response.body)
  })

const toSession = (email: string, body: Record<string, unknown>): Session => {
  const user = body.user as { id: string }
  return {
    email: email.trim().toLowerCase(),
    userId: user.id,
    accessToken: String(body.accessToken),
    refreshToken: String(body.refreshToken)
  }
}

/** The token in the newest email queued for `to` (the worker is not running in these tests). */
const emailedToken = (to: string, kind: "verify-email" | "reset-password") =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ text: string }>`
      SELECT payload->>'text' AS text FROM graphile_worker._private_jobs j
      JOIN graphile_worker._private_tasks t ON t.id = j.task_id
      WHERE t.identifier = 'SendEmail' AND j.payload->>'to' = ${to} ORDER BY j.id DESC`
    const match = rows.map((row) => row.text.match(new RegExp(`/${kind}\\?token=([A-Za-z0-9_-]+)`))).find(Boolean)
    return Option.fromNullishOr(match?.[1])
  }).pipe(Effect.orDie)

const expectError = (response: { status: number; body: Record<string, unknown> }, status: number, tag: string) => {
  assert.strictEqual(response.status, status, JSON.stringify(response.body))
  assert.strictEqual(response.body._tag, tag, JSON.stringify(response.body))
  assert.isString(response.body.message)
}

layer(TestServer.layer(env), { excludeTestServices: true })("Accounts over REST", (it) => {
  it.effect("signup returns the user and a token pair, and queues a verification email", () =>
    Effect.gen(function* () {
      const email = freshEmail("Ada.Lovelace")
      const response = yield* call("POST", "/api/v1/auth/signup", {
        ip: freshIp(),
        body: { email: `  ${email.toUpperCase()} `, password, nickname: " Ada ", deviceName: "Ada's laptop" }
      })
      assert.strictEqual(response.status, 201)
      const user = response.body.user as Record<string, unknown>
      assert.strictEqual(user.email, email.toLowerCase())
      assert.strictEqual(user.nickname, "Ada")
      assert.strictEqual(user.role, "user")
      assert.strictEqual(user.status, "active")
      assert.isNull(user.emailVerifiedAt)
      assert.isString(response.body.accessToken)
      assert.isString(response.body.refreshToken)
      assert.isTrue(Date.parse(String(response.body.accessTokenExpiresAt)) > Date.now())
      assert.isTrue(Option.isSome(yield* emailedToken(email.toLowerCase(), "verify-email")))
    })
  )

  it.effect("stores passwords as argon2id hashes with OWASP parameters", () =>
    Effect.gen(function* () {
      const session = yield* signup()
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ passwordHash: string }>`SELECT password_hash FROM users WHERE id = ${session.userId}`
      assert.match(rows[0]?.passwordHash ?? "", /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    })
  )

  it.effect("refuses a second account for the same email, whatever its case", () =>
    Effect.gen(function* () {
      const session = yield* signup()
      const again = yield* call("POST", "/api/v1/auth/signup", {
        ip: freshIp(),
        body: { email: session.email.toUpperCase(), password, nickname: "Other" }
      })
      expectError(again, 409, "EmailAlreadyRegistered")
    })
  )

  it.effect("refuses bad input with a 400 naming the field, and stores nothing", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ email: "not-an-email", password, nickname: "Ada" }, "email"],
        [{ email: freshEmail(), password: "short", nickname: "Ada" }, "password"],
        [{ email: freshEmail(), password: "x".repeat(129), nickname: "Ada" }, "password"],
        [{ email: freshEmail(), password, nickname: "A" }, "nickname"],
        [{ email: freshEmail(), password, nickname: "Ada", isAdmin: true }, "isAdmin"],
        [{ password, nickname: "Ada" }, "email"]
      ]
      for (const [body, field] of cases) {
        const response = yield* call("POST", "/api/v1/auth/signup", { ip: freshIp(), body })
        expectError(response, 400, "InvalidRequest")
        const issues = response.body.issues as ReadonlyArray<{ path: ReadonlyArray<string> }>
        assert.deepStrictEqual(issues[0]?.path, ["payload", field], JSON.stringify(response.body))
      }
      const malformed = yield* call("POST", "/api/v1/auth/signup", { ip: freshIp(), body: "{not json" })
      assert.strictEqual(malformed.status, 400)
      assert.isString(malformed.body._tag)
      const huge = yield* call("POST", "/api/v1/auth/signup", {
        ip: freshIp(),
        body: { email: freshEmail(), password, nickname: "x".repeat(2 * 1024 * 1024) }
      })
      expectError(huge, 413, "PayloadTooLarge")
      const sql = yield* SqlClient.SqlClient
      const stored = yield* sql<{
        count: number
      }>`SELECT count(*)::int AS count FROM users WHERE nickname = 'A' OR bio <> ''`
      assert.strictEqual(stored[0]?.count, 0)
    })
  )

  it.effect("verifies the email with the emailed token, once", () =>
    Effect.gen(function* () {
      const session = yield* signup()
      const token = Option.getOrThrow(yield* emailedToken(session.email, "verify-email"))
      const verified = yield* call("POST", "/api/v1/auth/verify-email", { body: { token } })
      assert.strictEqual(verified.status, 204)
      const me = yield* call("GET", "/api/v1/me", { token: session.accessToken })
      assert.isString(me.body.emailVerifiedAt)
      expectError(yield* call("POST", "/api/v1/auth/verify-email", { body: { token } }), 400, "InvalidToken")
      expectError(yield* call("POST", "/api/v1/auth/verify-email", { body: { token: "nope" } }), 400, "InvalidToken")
    })
  )

  it.effect("login: the right password signs in; a wrong password and an unknown email get the same answer", () =>
    Effect.gen(function* () {
      const session = yield* signup()
      const fresh = yield* login(session.email.toUpperCase(), "phone")
      const me = yield* call("GET", "/api/v1/me", { token: fresh.accessToken })
      assert.strictEqual(me.status, 200)
      assert.strictEqual(me.body.id, session.userId)

      const wrong = yield* call("POST", "/api/v1/auth/login", {
        ip: freshIp(),
        body: { email: session.email, password: "wrong password!" }
      })
      const unknown = yield* call("POST", "/api/v1/auth/login", {
        ip: freshIp(),
        body: { email: freshEmail("nobody"), password: "wrong password!" }
      })
      expectError(wrong, 401, "InvalidCredentials")
      assert.deepStrictEqual(unknown.status, wrong.status)
      assert.deepStrictEqual(unknown.body, wrong.body)
    })
  )

  it.effect("refresh rotates the pair; reusing a spent refresh token ends the whole device session", () =>
    Effect.gen(function* () {
      const session = yield* signup()
      const rotated = yield* call("POST", "/api/v1/auth/refresh", { body: { refreshToken: session.refreshToken } })
      assert.strictEqual(rotated.status, 200)
      const next = toSession(session.email, rotated.body)
      assert.notStrictEqual(next.refreshToken, session.refreshToken)
      assert.strictEqual((yield* call("GET", "/api/v1/me", { token: next.accessToken })).status, 200)

      const reused = yield* call("POST", "/api/v1/auth/refresh", { body: { refreshToken: session.refreshToken } })
      expectError(reused, 401, "SessionRevoked")
      expectError(
        yield* call("POST", "/api/v1/auth/refresh", { body: { refreshToken: next.refreshToken } }),
        401,
        "SessionRevoked"
      )
      expectError(yield* call("GET", "/api/v1/me", { token: next.accessToken }), 401, "Unauthorized")
      expectError(
        yield* call("POST", "/api/v1/auth/refresh", { body: { refreshToken: "never-issued" } }),
        401,
        "SessionRevoked"
      )
    })
  )

  it.effect("two concurrent refreshes with one token: one wins and the reuse ends the session", () =>
    Effect.gen(function* () {
      const session = yield* signup()
      const results = yield* Effect.all(
        [1, 2].map(() => call("POST", "/api/v1/auth/refresh", { body: { refreshToken: session.refreshToken } })),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(results.map((result) => result.status).sort(), [200, 401])
    })
  )

  it.effect("refuses a missing, malformed, forged or expired access token", () =>
    Effect.gen(function* () {
      const session = yield* signup()
      expectError(yield* call("GET", "/api/v1/me"), 401, "Unauthorized")
      expectError(yield* call("GET", "/api/v1/me", { token: "garbage" }), 401, "Unauthorized")

      const claims = JSON.parse(Buffer.from(session.accessToken.split(".")[1] ?? "", "base64url").toString())
      const signWith = (key: Uint8Array, expiresAt: number) =>
        Effect.promise(() =>
          new SignJWT({ sid: claims.sid })
            .setProtectedHeader({ alg: "HS256" })
            .setSubject(session.userId)
            .setIssuer("moim")
            .setAudience("moim")
            .setIssuedAt(expiresAt - 900)
            .setExpirationTime(expiresAt)
            .sign(key)
        )
      const key = ServerSecret.make(Redacted.make(env.MOIM_SECRET ?? "")).derive("jwt-access-token")
      const now = Math.floor(Date.now() / 1000)
      const expired = yield* call("GET", "/api/v1/me", { token: yield* signWith(key, now - 60) })
      expectError(expired, 401, "Unauthorized")
      assert.include(String(expired.body.message), "expired")
      const forged = yield* signWith(new Uint8Array(32).fill(7), now + 600)
      expectError(yield* call("GET", "/api/v1/me", { token: forged }), 401, "Unauthorized")
      assert.strictEqual((yield* call("GET", "/api/v1/me", { token: yield* signWith(key, now + 600) })).status, 200)
    })
  )

  it.effect("logout ends the session: its access and refresh tokens stop working at once", () =>
    Effect.gen(function* () {
      const session = yield* signup()
      assert.strictEqual((yield* call("POST", "/api/v1/auth/logout", { token: session.accessToken })).status, 204)
      expectError(yield* call("GET", "/api/v1/me", { token: session.accessToken }), 401, "Unauthorized")
      expectError(
        yield* call("POST", "/api/v1/auth/refresh", { body: { refreshToken: session.refreshToken } }),
        401,
        "SessionRevoked"
      )
    })
  )

  it.effect("lists device sessions and signs devices out", () =>
    Effect.gen(function* () {
      const laptop = yield* signup({ deviceName: "laptop" })
      const phone = yield* login(laptop.email, "phone")
      const tablet = yield* login(laptop.email, "tablet")
      const listed = yield* call("GET", "/api/v1/me/sessions", {
        token: phone.accessToken,
        headers: { "user-agent": "MoimTest/1.0" }
      })
      assert.strictEqual(listed.status, 200)
      const sessions = listed.json as ReadonlyArray<{
        id: string
        deviceName: string
        current: boolean
        lastIp: string
      }>
      assert.deepStrictEqual(sessions.map((s) => s.deviceName).sort(), ["laptop", "phone", "tablet"])
      assert.deepStrictEqual(
        sessions.filter((s) => s.current).map((s) => s.deviceName),
        ["phone"]
      )
      assert.match(sessions[0]?.lastIp ?? "", /^10\./)

      const tabletId = sessions.find((s) => s.deviceName === "tablet")?.id ?? ""
      const revoked = yield* call("DELETE", `/api/v1/me/sessions/${tabletId}`, { token: phone.accessToken })
      assert.strictEqual(revoked.status, 204)
      expectError(yield* call("GET", "/api/v1/me", { token: tablet.accessToken }), 401, "Unauthorized")
      expectError(
        yield* call("DELETE", `/api/v1/me/sessions/${tabletId}`, { token: phone.accessToken }),
        404,
        "SessionNotFound"
      )

      const someoneElse = yield* signup()
      const othersSession = (
        (yield* call("GET", "/api/v1/me/sessions", { token: someoneElse.accessToken })).json as ReadonlyArray<{
          id: string
        }>
      )[0]?.id
      expectError(
        yield* call("DELETE", `/api/v1/me/sessions/${othersSession}`, { token: phone.accessToken }),
        404,
        "SessionNotFound"
      )
      assert.strictEqual((yield* call("GET", "/api/v1/me", { token: someoneElse.accessToken })).status, 200)

      assert.strictEqual(
        (yield* call("POST", "/api/v1/me/sessions/revoke-others", { token: phone.accessToken })).status,
        204
      )
      expectError(yield* call("GET", "/api/v1/me", { token: laptop.accessToken }), 401, "Unauthorized")
      assert.strictEqual((yield* call("GET", "/api/v1/me", { token: phone.accessToken })).status, 200)
    })
  )

  it.effect(
    "password reset: same answer for known and unknown emails; the token works once and ends every session",
    () =>
      Effect.gen(function* () {
        const session = yield* signup()
        const known = yield* call("POST", "/api/v1/auth/password-reset", {
          ip: freshIp(),
          body: { email: session.email }
        })
        const unknownEmail = freshEmail("ghost")
        const unknown = yield* call("POST", "/api/v1/auth/password-reset", {
          ip: freshIp(),
          body: { email: unknownEmail }
        })
        assert.strictEqual(known.status, 202)
        assert.strictEqual(unknown.status, known.status)
        assert.deepStrictEqual(unknown.json, known.json)
        assert.isTrue(Option.isNone(yield* emailedToken(unknownEmail, "reset-password")))

        const token = Option.getOrThrow(yield* emailedToken(session.email, "reset-password"))
        const newPassword = "a brand new passphrase"
        const confirmed = yield* call("POST", "/api/v1/auth/password-reset/confirm", {
          ip: freshIp(),
          body: { token, newPassword }
        })
        assert.strictEqual(confirmed.status, 204)
        expectError(yield* call("GET", "/api/v1/me", { token: session.accessToken }), 401, "Unauthorized")
        const again = yield* call("POST", "/api/v1/auth/password-reset/confirm", {
          ip: freshIp(),
          body: { token, newPassword: "yet another passphrase" }
        })
        expectError(again, 400, "InvalidToken")
        const oldLogin = yield* call("POST", "/api/v1/auth/login", {
          ip: freshIp(),
          body: { email: session.email, password }
        })
        expectError(oldLogin, 401, "InvalidCredentials")
        const newLogin = yield* call("POST", "/api/v1/auth/login", {
          ip: freshIp(),
          body: { email: session.email, password: newPassword }
        })
        assert.strictEqual(newLogin.status, 200)
      })
  )

  it.effect("changing the password needs the current one and signs out the other devices", () =>
    Effect.gen(function* () {
      const first = yield* signup()
      const second = yield* login(first.email)
      const wrong = yield* call("POST", "/api/v1/me/password", {
        token: first.accessToken,
        body: { currentPassword: "not my password", newPassword: "another good passphrase" }
      })
      expectError(wrong, 400, "IncorrectPassword")
      const weak = yield* call("POST", "/api/v1/me/password", {
        token: first.accessToken,
        body: { currentPassword: password, newPassword: "short" }
      })
      expectError(weak, 400, "InvalidRequest")
      const changed = yield* call("POST", "/api/v1/me/password", {
        token: first.accessToken,
        body: { currentPassword: password, newPassword: "another good passphrase" }
      })
      assert.strictEqual(changed.status, 204)
      assert.strictEqual((yield* call("GET", "/api/v1/me", { token: first.accessToken })).status, 200)
      expectError(yield* call("GET", "/api/v1/me", { token: second.accessToken }), 401, "Unauthorized")
    })
  )

  it.effect("edits the profile and uploads an avatar through a signed URL", () =>
    Effect.gen(function* () {
      const session = yield* signup()
      const updated = yield* call("PATCH", "/api/v1/me", {
        token: session.accessToken,
        body: { nickname: "Countess", bio: "Poetical science", interests: ["math", "board games"] }
      })
      assert.strictEqual(updated.status, 200)
      assert.strictEqual(updated.body.nickname, "Countess")
      assert.deepStrictEqual(updated.body.interests, ["math", "board games"])
      expectError(
        yield* call("PATCH", "/api/v1/me", { token: session.accessToken, body: { interests: ["<script>"] } }),
        400,
        "InvalidRequest"
      )

      const upload = yield* call("POST", "/api/v1/me/avatar-upload", {
        token: session.accessToken,
        body: { contentType: "image/png" }
      })
      assert.strictEqual(upload.status, 200)
      const image = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3])
      const put = yield* Effect.promise(() =>
        fetch(String(upload.body.url), {
          method: "PUT",
          headers: upload.body.headers as Record<string, string>,
          body: image
        })
      )
      assert.isTrue(put.ok, `upload answered ${put.status}`)
      const withAvatar = yield* call("PATCH", "/api/v1/me", {
        token: session.accessToken,
        body: { avatarUploadKey: upload.body.key }
      })
      assert.strictEqual(withAvatar.status, 200)
      const avatarUrl = String(withAvatar.body.avatarUrl)
      const redirect = yield* Effect.promise(() => fetch(avatarUrl, { redirect: "manual" }))
      assert.strictEqual(redirect.status, 302)
      const downloaded = yield* Effect.promise(() =>
        fetch(redirect.headers.get("location") ?? "").then((response) => response.arrayBuffer())
      )
      assert.deepStrictEqual(new Uint8Array(downloaded), image)

      const intruder = yield* signup()
      const stolen = yield* call("PATCH", "/api/v1/me", {
        token: intruder.accessToken,
        body: { avatarUploadKey: upload.body.key }
      })
      expectError(stolen, 400, "UploadNotFound")
      const notUploaded = yield* call("POST", "/api/v1/me/avatar-upload", {
        token: intruder.accessToken,
        body: { contentType: "image/png" }
      })
      expectError(
        yield* call("PATCH", "/api/v1/me", {
          token: intruder.accessToken,
          body: { avatarUploadKey: notUploaded.body.key }
        }),
        400,
        "UploadNotFound"
      )
    })
  )

  it.effect("shows public profiles and finds users by nickname, fuzzily, page by page", () =>
    Effect.gen(function* () {
      const marker = "Xq7"
      const names = [`${marker}hiker`, `${marker}hikers`, `${marker}hike`, `${marker}booklover`]
      const created = yield* Effect.forEach(names, (nickname) => signup({ nickname }))
      const profile = yield* call("GET", `/api/v1/users/${created[0]?.userId}`)
      assert.strictEqual(profile.status, 200)
      assert.strictEqual(profile.body.nickname, names[0])
      assert.isUndefined(profile.body.email)

      const typo = yield* call("GET", `/api/v1/users?q=${marker}hikre`.toLowerCase())
      const found = (typo.body.items as ReadonlyArray<{ nickname: string }>).map((user) => user.nickname)
      assert.include(found, `${marker}hiker`)
      assert.notInclude(found, `${marker}booklover`)

      const seen: Array<string> = []
      let cursor: string | null = null
      do {
        const page: { body: Record<string, unknown> } = yield* call(
          "GET",
          `/api/v1/users?q=${marker}hik&limit=1${cursor === null ? "" : `&cursor=${cursor}`}`
        )
        seen.push(...(page.body.items as ReadonlyArray<{ nickname: string }>).map((user) => user.nickname))
        cursor = page.body.nextCursor as string | null
      } while (cursor !== null)
      assert.deepStrictEqual([...seen].sort(), names.slice(0, 3).sort())
      assert.strictEqual(new Set(seen).size, seen.length)

      expectError(yield* call("GET", "/api/v1/users?cursor=bogus"), 400, "InvalidCursor")
      expectError(yield* call("GET", "/api/v1/users/not-a-uuid"), 400, "InvalidRequest")
      expectError(yield* call("GET", "/api/v1/users/01890000-0000-7000-8000-000000000000"), 404, "UserNotFound")
      const newest = yield* call("GET", "/api/v1/users?limit=2")
      assert.strictEqual((newest.body.items as ReadonlyArray<unknown>).length, 2)
      assert.isString(newest.body.nextCursor)
    })
  )

  it.effect("deleting the account erases it, ends its sessions, and frees the email", () =>
    Effect.gen(function* () {
      const session = yield* signup({ nickname: "Leaving" })
      assert.strictEqual((yield* call("DELETE", "/api/v1/me", { token: session.accessToken })).status, 204)
      expectError(yield* call("GET", "/api/v1/me", { token: session.accessToken }), 401, "Unauthorized")
      expectError(yield* call("GET", `/api/v1/users/${session.userId}`), 404, "UserNotFound")
      const login = yield* call("POST", "/api/v1/auth/login", {
        ip: freshIp(),
        body: { email: session.email, password }
      })
      expectError(login, 401, "InvalidCredentials")
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ email: string | null; nickname: string; status: string }>`
        SELECT email, nickname, status FROM users WHERE id = ${session.userId}`
      assert.deepStrictEqual(rows[0], { email: null, nickname: "Deleted user", status: "deleted" })
      const again = yield* signup({ email: session.email })
      assert.notStrictEqual(again.userId, session.userId)
    })
  )

  it.effect("site admins suspend and unsuspend; a suspended user is refused at once", () =>
    Effect.gen(function* () {
      const accounts = yield* AccountAdmin
      const adminEmail = freshEmail("admin")
      yield* accounts.createAdmin({ email: adminEmail, password, nickname: "Admin" }).pipe(Effect.orDie)
      const admin = yield* login(adminEmail)
      const member = yield* signup()
      const bystander = yield* signup()

      const notAdmin = yield* call("POST", `/api/v1/admin/users/${bystander.userId}/suspend`, {
        token: member.accessToken,
        body: {}
      })
      expectError(notAdmin, 403, "Forbidden")
      expectError(
        yield* call("POST", `/api/v1/admin/users/${member.userId}/suspend`, { body: {} }),
        401,
        "Unauthorized"
      )

      const suspended = yield* call("POST", `/api/v1/admin/users/${member.userId}/suspend`, {
        token: admin.accessToken,
        body: { reason: "spam" }
      })
      assert.strictEqual(suspended.status, 200)
      assert.strictEqual(suspended.body.status, "suspended")
      assert.strictEqual(suspended.body.suspensionReason, "spam")

      const live = yield* call("GET", "/api/v1/me", { token: member.accessToken })
      assert.isTrue(live.status === 401 || live.status === 403, JSON.stringify(live.body))
      expectError(
        yield* call("POST", "/api/v1/auth/login", { ip: freshIp(), body: { email: member.email, password } }),
        403,
        "AccountSuspended"
      )
      expectError(
        yield* call("POST", "/api/v1/auth/refresh", { body: { refreshToken: member.refreshToken } }),
        401,
        "SessionRevoked"
      )
      expectError(
        yield* call("POST", "/api/v1/admin/users/01890000-0000-7000-8000-000000000000/suspend", {
          token: admin.accessToken,
          body: {}
        }),
        404,
        "UserNotFound"
      )
      expectError(
        yield* call("POST", `/api/v1/admin/users/${admin.userId}/suspend`, { token: admin.accessToken, body: {} }),
        403,
        "Forbidden"
      )

      const lifted = yield* call("POST", `/api/v1/admin/users/${member.userId}/unsuspend`, { token: admin.accessToken })
      assert.strictEqual(lifted.body.status, "active")
      assert.strictEqual((yield* login(member.email)).userId, member.userId)
    })
  )

  it.effect("a suspended user's live access token is refused with AccountSuspended", () =>
    Effect.gen(function* () {
      const member = yield* signup()
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE users SET status = 'suspended' WHERE id = ${member.userId}`
      expectError(yield* call("GET", "/api/v1/me", { token: member.accessToken }), 403, "AccountSuspended")
      expectError(
        yield* call("POST", "/api/v1/auth/refresh", { body: { refreshToken: member.refreshToken } }),
        403,
        "AccountSuspended"
      )
    })
  )
})
