/** @module-tag process */
/** @module-tag postgres-only */
import { randomBytes, randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { DatabaseUrl } from "../../server/src/platform/DatabaseUrl.ts"
import * as TestDatabase from "../../server/test/support/TestDatabase.ts"
import { type Json, request, signUpAt, startServers } from "./support/ProcessHttp.ts"

// Two servers on one Postgres and Redis: a key's first request and its repeat may reach different
// processes behind a load balancer, and must still run once.
layer(TestDatabase.layer(), { excludeTestServices: true })("Idempotency keys across processes", (it) => {
  it.effect(
    "a request repeated through another server is answered with the first response, and requests at once run once",
    () =>
      Effect.gen(function* () {
        const database = yield* DatabaseUrl
        const redis = process.env.REDIS_URL
        assert.isDefined(redis, "this test needs REDIS_URL")
        const [a = "", b = ""] = yield* startServers(
          {
            NODE_ENV: "production",
            MOIM_SECRET: "idempotency-processes-secret-long-enough-0123",
            DATABASE_URL: Redacted.value(database.url),
            HOST: "127.0.0.1",
            LOG_LEVEL: "Warn",
            RATE_LIMIT_AUTH: "1000",
            RATE_LIMIT_USER: "100000",
            REDIS_URL: redis ?? "",
            REDIS_KEY_PREFIX: `moim-test:${randomBytes(6).toString("hex")}:`
          },
          2
        )
        const owner = yield* signUpAt(a, "Keeper")
        const create = (base: string, name: string, key: string) =>
          request(base, "POST", "/api/v1/groups", {
            token: owner.token,
            body: { name, category: "hiking" },
            headers: { "idempotency-key": key }
          })
        const mine = Effect.map(request(b, "GET", "/api/v1/me/groups?limit=100", { token: owner.token }), (response) =>
          (response.body.items as ReadonlyArray<{ readonly id: string; readonly name: string }>).map(
            (group) => group.name
          )
        )
        const expectStatus = (response: Json, status: number) =>
          assert.strictEqual(response.status, status, JSON.stringify(response.body))

        // The first through A, the repeat through B: the same group back, one group made.
        const key = randomUUID()
        const first = yield* create(a, "Ridge walkers", key)
        expectStatus(first, 201)
        const repeat = yield* create(b, "Ridge walkers", key)
        expectStatus(repeat, 201)
        assert.deepStrictEqual(repeat.body, first.body)
        // A different request with the key, through B, is refused.
        expectStatus(yield* create(b, "Valley walkers", key), 422)

        // Sent to both servers at once, several times: one group.
        const together = randomUUID()
        const answers = yield* Effect.all(
          [a, b, a, b, a, b].map((base) => create(base, "Summit walkers", together)),
          { concurrency: "unbounded" }
        )
        for (const answer of answers) assert.include([201, 409], answer.status, JSON.stringify(answer.body))
        const ids = new Set(answers.filter((answer) => answer.status === 201).map((answer) => answer.body.id))
        assert.strictEqual(ids.size, 1)
        const names = yield* mine
        assert.strictEqual(names.filter((name) => name === "Ridge walkers").length, 1)
        assert.strictEqual(names.filter((name) => name === "Summit walkers").length, 1)
        assert.strictEqual(names.filter((name) => name === "Valley walkers").length, 0)
      }),
    { timeout: 90_000 }
  )
})
