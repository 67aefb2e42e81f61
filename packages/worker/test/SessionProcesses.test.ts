/** @module-tag process */
/** @module-tag postgres-only */
import { randomBytes } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { DatabaseUrl } from "../../server/src/platform/DatabaseUrl.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import * as TestDatabase from "../../server/test/support/TestDatabase.ts"
import { type Json, request, startServers } from "./support/ProcessHttp.ts"

// Two servers on one Postgres and Redis (the services run: the embedded defaults are one process).
// Sessions are cached for ten minutes here, so a refusal within the test's few seconds can only come
// from the invalidation that ending a session sends to every process.
layer(TestDatabase.layer(), { excludeTestServices: true })("Sessions across processes", (it) => {
  it.effect(
    "a session ended through one server is refused at once by another that had it cached",
    () =>
      Effect.gen(function* () {
        const database = yield* DatabaseUrl
        const redis = process.env.REDIS_URL
        assert.isDefined(redis, "this test needs REDIS_URL")
        const [a = "", b = ""] = yield* startServers(
          {
            NODE_ENV: "production",
            MOIM_SECRET: "session-processes-secret-long-enough-0123456789",
            DATABASE_URL: Redacted.value(database.url),
            HOST: "127.0.0.1",
            LOG_LEVEL: "Warn",
            RATE_LIMIT_AUTH: "1000",
            SESSION_CACHE_SECONDS: "600",
            REDIS_URL: redis ?? "",
            REDIS_KEY_PREFIX: `moim-test:${randomBytes(6).toString("hex")}:`
          },
          2
        )

        const expectStatus = (response: Json, status: number) =>
          assert.strictEqual(response.status, status, JSON.stringify(response.body))
        const email = `sessions-${randomBytes(4).toString("hex")}@example.com`
        const password = "correct horse battery"
        const signedUp = yield* request(a, "POST", "/api/v1/auth/signup", {
          body: { email, password, nickname: "Traveller" }
        })
        expectStatus(signedUp, 201)
        const phone = String(signedUp.body.accessToken)
        const login = () =>
          Effect.map(request(a, "POST", "/api/v1/auth/login", { body: { email, password } }), (response) => {
            expectStatus(response, 200)
            return String(response.body.accessToken)
          })
        const laptop = yield* login()
        const tablet = yield* login()
        const me = (base: string, token: string) => request(base, "GET", "/api/v1/me", { token })
        const refusedBy = (base: string, token: string) =>
          eventually(Effect.flatMap(me(base, token), (response) => Effect.sync(() => expectStatus(response, 401))))

        // B reads (and caches) every session.
        for (const token of [phone, laptop, tablet]) expectStatus(yield* me(b, token), 200)

        // Signing out one device through A: B refuses it, and only it.
        expectStatus(yield* request(a, "POST", "/api/v1/auth/logout", { token: laptop }), 204)
        yield* refusedBy(b, laptop)
        expectStatus(yield* me(b, phone), 200)
        expectStatus(yield* me(b, tablet), 200)

        // Changing the password through A ends every other session of the user: B refuses the tablet.
        expectStatus(
          yield* request(a, "POST", "/api/v1/me/password", {
            token: phone,
            body: { currentPassword: password, newPassword: "a different horse battery" }
          }),
          204
        )
        yield* refusedBy(b, tablet)
        expectStatus(yield* me(b, phone), 200)
        expectStatus(yield* me(a, tablet), 401)
      }),
    { timeout: 90_000 }
  )
})
