/** @module-tag process */
/** @module-tag postgres-only */
import { randomBytes } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { DatabaseUrl } from "../../server/src/platform/DatabaseUrl.ts"
import * as TestDatabase from "../../server/test/support/TestDatabase.ts"
import { request, startServers } from "./support/ProcessHttp.ts"

layer(TestDatabase.layer(), { excludeTestServices: true })("Rate limits across processes", (it) => {
  it.effect(
    "two servers on one Redis count one client's requests together, in leases, and both refuse once it is spent",
    () =>
      Effect.gen(function* () {
        const redisUrl = process.env.REDIS_URL
        assert.isString(redisUrl, "runs against the local Redis (REDIS_URL)")
        const database = yield* DatabaseUrl
        const [a = "", b = ""] = yield* startServers(
          {
            NODE_ENV: "production",
            MOIM_SECRET: "rate-limit-processes-secret-long-enough-0123456789",
            DATABASE_URL: Redacted.value(database.url),
            REDIS_URL: redisUrl ?? "",
            REDIS_KEY_PREFIX: `moim-test:${randomBytes(6).toString("hex")}:`,
            HOST: "127.0.0.1",
            LOG_LEVEL: "Warn",
            // Leased in twos (a twentieth); the window is long enough not to refill during the test.
            RATE_LIMIT_USER: "40",
            RATE_LIMIT_WINDOW: "10 minutes"
          },
          2
        )
        const statuses: Array<number> = []
        for (let i = 0; i < 60; i++) {
          const answer = yield* request(i % 2 === 0 ? a : b, "GET", "/api/v1/groups?limit=1")
          statuses.push(answer.status)
        }
        const allowed = statuses.filter((status) => status === 200).length
        // Each server can hold back or overdraw at most one token of its lease.
        assert.isAtLeast(allowed, 38, statuses.join(","))
        assert.isAtMost(allowed, 42, statuses.join(","))
        assert.deepStrictEqual(statuses.slice(-10), Array(10).fill(429), "both servers refuse once it is spent")
        for (const status of statuses) assert.include([200, 429], status)
      })
  )
})
