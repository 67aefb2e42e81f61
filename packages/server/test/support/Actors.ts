import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { AccountAdmin } from "../../src/Accounts/AccountAdmin.ts"
import { call, freshEmail, freshIp } from "./Http.ts"

export const password = "correct horse battery"

export interface TestUser {
  readonly userId: string
  readonly email: string
  readonly token: string
}

/** Signs a new user up over HTTP and returns their id and access token. */
export const signUp = (nickname = "Tester") =>
  Effect.gen(function* () {
    const email = freshEmail(nickname.toLowerCase().replace(/[^a-z]/g, "") || "user")
    const response = yield* call("POST", "/api/v1/auth/signup", { ip: freshIp(), body: { email, password, nickname } })
    if (response.status !== 201) return yield* Effect.die(new Error(`signup failed: ${JSON.stringify(response.body)}`))
    const user = response.body.user as { id: string }
    return { userId: user.id, email, token: String(response.body.accessToken) } satisfies TestUser
  })

/** A site admin, created the way an operator does (the service behind `create-admin`), signed in over HTTP. */
export const siteAdmin = Effect.gen(function* () {
  const accounts = yield* AccountAdmin
  const email = freshEmail("admin")
  yield* accounts.createAdmin({ email, password, nickname: "Site admin" }).pipe(Effect.orDie)
  const response = yield* call("POST", "/api/v1/auth/login", { ip: freshIp(), body: { email, password } })
  const user = response.body.user as { id: string }
  return { userId: user.id, email, token: String(response.body.accessToken) } satisfies TestUser
})

/** A user whose account is then suspended: their still-unexpired token must be refused. */
export const suspendedUser = Effect.gen(function* () {
  const user = yield* signUp("Suspended")
  const sql = yield* SqlClient.SqlClient
  yield* sql`UPDATE users SET status = 'suspended', suspended_at = now() WHERE id = ${user.userId}`.pipe(Effect.orDie)
  return user
})

/** A group created over HTTP by `owner` (category `other` unless given); returns its id. */
export const createGroup = (owner: TestUser, body: Record<string, unknown>) =>
  Effect.gen(function* () {
    const response = yield* call("POST", "/api/v1/groups", {
      token: owner.token,
      body: { category: "other", ...body }
    })
    assert.strictEqual(response.status, 201, JSON.stringify(response.body))
    return String(response.body.id)
  })

/** `a` asks `b` to be friends over HTTP and `b` accepts: they are friends. */
export const befriend = (a: TestUser, b: TestUser) =>
  Effect.gen(function* () {
    const asked = yield* call("PUT", `/api/v1/users/${b.userId}/friend-request`, { token: a.token })
    assert.strictEqual(asked.status, 200, asked.text)
    if (asked.body.status === "friends") return
    const accepted = yield* call("POST", `/api/v1/me/friend-requests/${a.userId}/accept`, { token: b.token })
    assert.strictEqual(accepted.status, 204, accepted.text)
  })

/** `follower` follows `followee` over HTTP (a public account: at once). */
export const follow = (follower: TestUser, followee: TestUser) =>
  Effect.gen(function* () {
    const response = yield* call("PUT", `/api/v1/users/${followee.userId}/follow`, { token: follower.token })
    assert.strictEqual(response.status, 200, response.text)
    assert.strictEqual(response.body.status, "following")
  })
