import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as TestServer from "../../server/test/support/TestServer.ts"
import type { RetryOptions } from "../src/index.ts"
import { freshEmail, makeClient, password, recordRequests, serverEnv } from "./support/TestClient.ts"

/** Tight limits, so a few calls from one address are answered 429 with `Retry-After: 1`. */
const env = serverEnv({ RATE_LIMIT_USER: "2", RATE_LIMIT_AUTH: "1", RATE_LIMIT_WINDOW: "1 second" })

const burst = (retry: RetryOptions | false, signal?: AbortSignal) =>
  Effect.gen(function* () {
    const requests = recordRequests()
    const client = yield* makeClient({ fetch: requests.fetch, retry })
    const results = yield* Effect.promise(() =>
      Promise.all(Array.from({ length: 4 }, () => client.users.search({ query: { limit: 1 }, signal })))
    )
    return { results, sent: requests.count("GET", "/api/v1/users") }
  })

layer(TestServer.layer(env), { excludeTestServices: true })("the SDK's retries", (it) => {
  it.effect("retries a rate-limited GET after Retry-After", () =>
    Effect.gen(function* () {
      const { results, sent } = yield* burst({ retries: 3 })
      for (const result of results) assert.isTrue(result.ok, JSON.stringify(result.error))
      assert.isAbove(sent, 4)
    })
  )

  it.effect("returns RateLimited with retryAfterSeconds when retries are off", () =>
    Effect.gen(function* () {
      const { results, sent } = yield* burst(false)
      const limited = results.flatMap((result) => (result.error?._tag === "RateLimited" ? [result.error] : []))
      assert.isNotEmpty(limited)
      assert.isAtLeast(limited[0]?.retryAfterSeconds ?? 0, 1)
      assert.strictEqual(sent, 4)
    })
  )

  it.effect("does not wait longer than maxDelayMs", () =>
    Effect.gen(function* () {
      const { results, sent } = yield* burst({ maxDelayMs: 10 })
      assert.isTrue(results.some((result) => result.error?._tag === "RateLimited"))
      assert.strictEqual(sent, 4)
    })
  )

  it.effect("repeats a POST with the key it gave it, unless the call is marked not idempotent", () =>
    Effect.gen(function* () {
      const requests = recordRequests()
      const keys: Array<string | null> = []
      const client = yield* makeClient({
        fetch: (request) => {
          keys.push(request.headers.get("idempotency-key"))
          return requests.fetch(request)
        }
      })
      const signup = (idempotent?: boolean) =>
        Effect.promise(() =>
          client.auth.signup({ body: { email: freshEmail(), password, nickname: "Ken" }, idempotent })
        )
      // Sent together, so both fall in one window however long hashing a password takes.
      const outcomes = yield* Effect.all([signup(false), signup(false)], { concurrency: 2 })
      assert.deepStrictEqual(outcomes.map((outcome) => outcome.error?._tag ?? "ok").sort(), ["RateLimited", "ok"])
      assert.strictEqual(requests.count("POST", "/api/v1/auth/signup"), 2)
      assert.deepStrictEqual(keys, [null, null])

      // By default each call gets a key, kept across its attempts: whichever is refused is sent again,
      // with the same key, once the window ends.
      keys.length = 0
      const retried = yield* Effect.all([signup(), signup()], { concurrency: 2 })
      for (const outcome of retried) assert.isTrue(outcome.ok, JSON.stringify(outcome.error))
      assert.isAtLeast(keys.length, 3)
      assert.strictEqual(new Set(keys).size, 2)
      for (const key of keys) assert.match(key ?? "", /^[0-9a-f-]{36}$/)
    })
  )

  it.effect("stops waiting to retry when the call is aborted", () =>
    Effect.gen(function* () {
      const controller = new AbortController()
      setTimeout(() => controller.abort(new Error("gave up")), 200)
      const outcome = yield* burst({ retries: 3, maxDelayMs: 60_000 }, controller.signal).pipe(
        Effect.map(() => "resolved"),
        Effect.catchDefect((error) => Effect.succeed(error instanceof Error ? error.message : String(error)))
      )
      assert.strictEqual(outcome, "gave up")
    })
  )
})
