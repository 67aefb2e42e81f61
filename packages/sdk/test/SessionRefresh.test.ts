import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { memoryTokenStore, type SessionEnded } from "../src/index.ts"
import { freshEmail, makeClient, password, recordRequests, serverEnv } from "./support/TestClient.ts"

/**
 * The server answers a rejected access token (expired, or not one it issued) with the same 401
 * `Unauthorized`, so these tests present a rejected one instead of waiting for an expiry (the
 * integrator test waits for a real one).
 */
const rejectedAccessToken = "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"

layer(TestServer.layer(serverEnv()), { excludeTestServices: true })("the SDK's session refresh", (it) => {
  it.effect("refreshes a rejected access token once for concurrent calls", () =>
    Effect.gen(function* () {
      const requests = recordRequests()
      const ended: Array<SessionEnded> = []
      const client = yield* makeClient({ fetch: requests.fetch, onSessionEnded: (event) => ended.push(event) })
      const signup = yield* Effect.promise(() =>
        client.auth.signup({ body: { email: freshEmail(), password, nickname: "Grace" } })
      )
      assert.isTrue(signup.ok, JSON.stringify(signup.error))
      const first = yield* Effect.promise(() => client.session.get())
      if (first === undefined) return assert.fail("no session after signup")
      yield* Effect.promise(() => client.session.set({ ...first, accessToken: rejectedAccessToken }))

      const results = yield* Effect.promise(() => Promise.all(Array.from({ length: 5 }, () => client.me.get())))

      for (const result of results) assert.isTrue(result.ok, JSON.stringify(result.error))
      assert.strictEqual(requests.count("GET", "/api/v1/me"), 10)
      assert.strictEqual(requests.count("POST", "/api/v1/auth/refresh"), 1)
      const second = yield* Effect.promise(() => client.session.get())
      assert.notStrictEqual(second?.refreshToken, first.refreshToken)
      assert.deepStrictEqual(ended, [])
    })
  )

  it.effect("reports a session that can no longer be refreshed and clears its tokens", () =>
    Effect.gen(function* () {
      const tokens = memoryTokenStore()
      const ended: Array<SessionEnded> = []
      const client = yield* makeClient({ tokens, onSessionEnded: (event) => ended.push(event) })
      const signup = yield* Effect.promise(() =>
        client.auth.signup({ body: { email: freshEmail(), password, nickname: "Linus" } })
      )
      if (!signup.ok) return assert.fail(JSON.stringify(signup.error))
      const rotated = yield* Effect.promise(() =>
        client.auth.refresh({ body: { refreshToken: signup.data.refreshToken } })
      )
      assert.strictEqual((yield* Effect.promise(() => client.session.get()))?.refreshToken, rotated.data?.refreshToken)

      // The spent pair, e.g. restored from a stale backup: presenting its refresh token makes the
      // server end the whole session.
      yield* Effect.promise(() =>
        client.session.set({ accessToken: rejectedAccessToken, refreshToken: signup.data.refreshToken })
      )
      const result = yield* Effect.promise(() => client.me.get())
      assert.strictEqual(result.error?._tag, "Unauthorized")
      assert.deepStrictEqual(
        ended.map((event) => event.reason),
        ["SessionRevoked"]
      )
      assert.isUndefined(yield* Effect.promise(async () => tokens.get()))
    })
  )

  it.effect("stops waiting for a refresh when the call is aborted", () =>
    Effect.gen(function* () {
      const client = yield* makeClient()
      const signup = yield* Effect.promise(() =>
        client.auth.signup({ body: { email: freshEmail(), password, nickname: "Barbara" } })
      )
      if (!signup.ok) return assert.fail(JSON.stringify(signup.error))
      yield* Effect.promise(() => client.session.set({ ...signup.data, accessToken: rejectedAccessToken }))
      const controller = new AbortController()
      const call = client.me.get({ signal: controller.signal })
      controller.abort(new Error("gave up"))
      const outcome = yield* Effect.promise(() =>
        call.then(
          () => "resolved",
          (error: unknown) => (error instanceof Error ? error.message : String(error))
        )
      )
      assert.strictEqual(outcome, "gave up")
    })
  )
})
