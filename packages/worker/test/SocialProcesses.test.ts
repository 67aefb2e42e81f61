/** @module-tag process */
import { randomBytes } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { DatabaseUrl } from "../../server/src/platform/DatabaseUrl.ts"
import * as TestDatabase from "../../server/test/support/TestDatabase.ts"
import { type Json, request, signUpAt, startServers } from "./support/ProcessHttp.ts"

layer(TestDatabase.layer(), { excludeTestServices: true })("The social graph across processes", (it) => {
  it.effect(
    "follows, deletions and blocks made through one server show at once in feeds and profiles served by another",
    () =>
      Effect.gen(function* () {
        const database = yield* DatabaseUrl
        const redis = process.env.REDIS_URL
        const [a = "", b = ""] = yield* startServers(
          {
            NODE_ENV: "production",
            MOIM_SECRET: "social-processes-secret-long-enough-0123456789",
            DATABASE_URL: Redacted.value(database.url),
            HOST: "127.0.0.1",
            LOG_LEVEL: "Warn",
            RATE_LIMIT_AUTH: "1000",
            ...(redis ? { REDIS_URL: redis, REDIS_KEY_PREFIX: `moim-test:${randomBytes(6).toString("hex")}:` } : {})
          },
          2
        )

        const signUp = (nickname: string) =>
          Effect.map(signUpAt(a, nickname), (user) => ({ token: user.token, id: user.userId }))
        const reader = yield* signUp("Reader")
        const author = yield* signUp("Author")
        const post = (base: string, audience: string) =>
          Effect.map(
            request(base, "POST", "/api/v1/me/posts", { token: author.token, body: { body: audience, audience } }),
            (response) => {
              assert.strictEqual(response.status, 201, JSON.stringify(response.body))
              return String(response.body.id)
            }
          )
        const feed = (base: string) =>
          Effect.map(request(base, "GET", "/api/v1/me/feed", { token: reader.token }), (response) => {
            assert.strictEqual(response.status, 200, JSON.stringify(response.body))
            return (response.body.items as ReadonlyArray<{ id: string }>).map((item) => item.id)
          })
        const expectStatus = (response: Json, status: number) =>
          assert.strictEqual(response.status, status, JSON.stringify(response.body))

        const open = yield* post(a, "public")
        const forFollowers = yield* post(b, "followers")
        expectStatus(yield* request(b, "PUT", `/api/v1/users/${author.id}/follow`, { token: reader.token }), 200)
        // Both servers compute (and cache) the reader's first page.
        assert.deepStrictEqual(yield* feed(a), [forFollowers, open])
        assert.deepStrictEqual(yield* feed(b), [forFollowers, open])

        // Unfollowing through A: B never again shows what only followers see, whatever its cache holds;
        // with a shared cache (Redis), B's page is dropped at once.
        expectStatus(yield* request(a, "DELETE", `/api/v1/users/${author.id}/follow`, { token: reader.token }), 204)
        const afterUnfollow = yield* feed(b)
        assert.isFalse(afterUnfollow.includes(forFollowers))
        if (redis) assert.deepStrictEqual(afterUnfollow, [])

        // Following again through A and deleting through B: A shows the one left.
        expectStatus(yield* request(a, "PUT", `/api/v1/users/${author.id}/follow`, { token: reader.token }), 200)
        expectStatus(yield* request(b, "DELETE", `/api/v1/posts/${open}`, { token: author.token }), 204)
        assert.deepStrictEqual(yield* feed(a), [forFollowers])
        assert.deepStrictEqual(yield* feed(b), [forFollowers])

        // A block through B hides each from the other on A at once.
        expectStatus(yield* request(b, "PUT", `/api/v1/users/${reader.id}/block`, { token: author.token }), 204)
        assert.deepStrictEqual(yield* feed(a), [])
        expectStatus(yield* request(a, "GET", `/api/v1/users/${author.id}`, { token: reader.token }), 404)
        expectStatus(yield* request(a, "GET", `/api/v1/posts/${forFollowers}`, { token: reader.token }), 404)
      }).pipe(Effect.scoped),
    { timeout: 120_000 }
  )
})
