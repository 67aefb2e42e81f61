import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { SqlClient } from "effect/sql"
import { call, freshEmail, freshIp } from "./support/Http.ts"
import { rpcProtocols, withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_AUTH: "1000" })
const password = "correct horse battery"
/** On the shipped list (the 14th most common long password), typed in another case. */
const breached = "PassWord123"

const expectWeak = (response: { status: number; body: Record<string, unknown> }) => {
  assert.strictEqual(response.status, 400, JSON.stringify(response.body))
  assert.strictEqual(response.body._tag, "WeakPassword")
  assert.strictEqual(response.body.reason, "breached")
  assert.match(String(response.body.message), /data breaches/)
}

const signup = Effect.gen(function* () {
  const email = freshEmail()
  const response = yield* call("POST", "/api/v1/auth/signup", {
    ip: freshIp(),
    body: { email, password, nickname: "Ada" }
  })
  assert.strictEqual(response.status, 201, JSON.stringify(response.body))
  return { email, accessToken: String(response.body.accessToken) }
})

const resetToken = (to: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ text: string }>`
      SELECT payload->>'text' AS text FROM graphile_worker._private_jobs j
      JOIN graphile_worker._private_tasks t ON t.id = j.task_id
      WHERE t.identifier = 'SendEmail' AND j.payload->>'to' = ${to} ORDER BY j.id DESC`
    const match = rows.map((row) => row.text.match(/\/reset-password\?token=([A-Za-z0-9_-]+)/)).find(Boolean)
    return Option.getOrThrow(Option.fromNullishOr(match?.[1]))
  }).pipe(Effect.orDie)

layer(TestServer.layer(env), { excludeTestServices: true })("Breached passwords", (it) => {
  it.effect("sign-up refuses a password from the breach list, whatever its case, and keeps no account", () =>
    Effect.gen(function* () {
      const email = freshEmail()
      expectWeak(
        yield* call("POST", "/api/v1/auth/signup", {
          ip: freshIp(),
          body: { email, password: breached, nickname: "Ada" }
        })
      )
      const afterwards = yield* call("POST", "/api/v1/auth/signup", {
        ip: freshIp(),
        body: { email, password, nickname: "Ada" }
      })
      assert.strictEqual(afterwards.status, 201, "the refused sign-up kept nothing")
      // The length rule stays the payload's.
      const short = yield* call("POST", "/api/v1/auth/signup", {
        ip: freshIp(),
        body: { email: freshEmail(), password: "short", nickname: "Ada" }
      })
      assert.strictEqual(short.body._tag, "InvalidRequest")
    })
  )

  it.effect("a password change to a breached password is refused and the old password keeps working", () =>
    Effect.gen(function* () {
      const session = yield* signup
      expectWeak(
        yield* call("POST", "/api/v1/me/password", {
          token: session.accessToken,
          body: { currentPassword: password, newPassword: "1q2w3e4r5t6y" }
        })
      )
      const login = yield* call("POST", "/api/v1/auth/login", {
        ip: freshIp(),
        body: { email: session.email, password }
      })
      assert.strictEqual(login.status, 200)
    })
  )

  it.effect("a password reset to a breached password is refused, and the link still works with a better one", () =>
    Effect.gen(function* () {
      const session = yield* signup
      yield* call("POST", "/api/v1/auth/password-reset", { ip: freshIp(), body: { email: session.email } })
      const token = yield* resetToken(session.email)
      expectWeak(
        yield* call("POST", "/api/v1/auth/password-reset/confirm", {
          ip: freshIp(),
          body: { token, newPassword: "qwertyuiop" }
        })
      )
      const confirmed = yield* call("POST", "/api/v1/auth/password-reset/confirm", {
        ip: freshIp(),
        body: { token, newPassword: "a brand new passphrase" }
      })
      assert.strictEqual(confirmed.status, 204)
    })
  )

  for (const protocol of rpcProtocols) {
    it.effect(`RPC over ${protocol}: sign-up and password change refuse breached passwords`, () =>
      withRpcClient(protocol, Effect.succeed(Option.none()), (client) =>
        Effect.gen(function* () {
          const refused = yield* client
            .Signup({ email: freshEmail(), password: breached, nickname: "Ada" })
            .pipe(Effect.flip)
          assert.strictEqual(refused._tag, "WeakPassword")
          const session = yield* client.Signup({ email: freshEmail(), password, nickname: "Ada" })
          const change = yield* withRpcClient(protocol, Effect.succeed(Option.some(session.accessToken)), (signedIn) =>
            signedIn.ChangePassword({ currentPassword: password, newPassword: "iloveyou12" }).pipe(Effect.flip)
          )
          assert.strictEqual(change._tag, "WeakPassword")
        })
      )
    )
  }
})
