import { createHash, randomBytes, randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { SqlClient } from "effect/sql"
import { IdempotencyRepo } from "../src/Access/IdempotencyRepo.ts"
import { password, signUp, type TestUser } from "./support/Actors.ts"
import { call, freshEmail, freshIp, type JsonResponse } from "./support/Http.ts"
import { rpcProtocols, withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

const expectStatus = (response: JsonResponse, status: number) =>
  assert.strictEqual(response.status, status, response.text)

const expectError = (response: JsonResponse, status: number, tag: string) => {
  expectStatus(response, status)
  assert.strictEqual(response.body._tag, tag, response.text)
  assert.isString(response.body.message)
}

const uniqueName = (prefix: string) => `${prefix} ${randomBytes(4).toString("hex")}`

const groupsNamed = (name: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ readonly count: number }>`SELECT count(*)::int AS count FROM groups WHERE name = ${name}`
    return rows[0]?.count ?? 0
  }).pipe(Effect.orDie)

const createGroup = (user: TestUser, name: string, key: string | undefined, description = "Weekend walks") =>
  call("POST", "/api/v1/groups", {
    token: user.token,
    body: { name, description, category: "hiking", visibility: "public" },
    ...(key === undefined ? {} : { headers: { "idempotency-key": key } })
  })

layer(TestServer.layer(env), { excludeTestServices: true })("Idempotency keys", (it) => {
  it.effect("a repeated request with the same key gets the first response and creates nothing more", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Keeper")
      const name = uniqueName("Hikers")
      const key = randomUUID()
      const first = yield* createGroup(owner, name, key)
      expectStatus(first, 201)
      assert.isNull(first.headers.get("idempotent-replayed"))
      const again = yield* createGroup(owner, name, key)
      expectStatus(again, 201)
      assert.strictEqual(again.headers.get("idempotent-replayed"), "true")
      assert.deepStrictEqual(again.json, first.json)
      assert.strictEqual(again.headers.get("content-type"), first.headers.get("content-type"))
      assert.strictEqual(yield* groupsNamed(name), 1)

      // Without a key, the same request runs again: the key is what makes a repeat safe.
      expectStatus(yield* createGroup(owner, name, undefined), 201)
      assert.strictEqual(yield* groupsNamed(name), 2)
    })
  )

  it.effect("the same key with a different request is refused and changes nothing", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Keeper")
      const key = randomUUID()
      const name = uniqueName("Climbers")
      expectStatus(yield* createGroup(owner, name, key), 201)
      const otherBody = yield* createGroup(owner, name, key, "A different description")
      expectError(otherBody, 422, "IdempotencyKeyReused")
      const otherName = uniqueName("Climbers")
      expectError(yield* createGroup(owner, otherName, key), 422, "IdempotencyKeyReused")
      assert.strictEqual(yield* groupsNamed(otherName), 0)
      // Another method or path with the key is another request too.
      const groupId = String((yield* createGroup(owner, uniqueName("Runners"), undefined)).body.id)
      expectError(
        yield* call("POST", `/api/v1/groups/${groupId}/leave`, {
          token: owner.token,
          headers: { "idempotency-key": key }
        }),
        422,
        "IdempotencyKeyReused"
      )
    })
  )

  it.effect("keys are per user: another person's request with the same key runs", () =>
    Effect.gen(function* () {
      const first = yield* signUp("First")
      const second = yield* signUp("Second")
      const key = randomUUID()
      const name = uniqueName("Readers")
      const mine = yield* createGroup(first, name, key)
      expectStatus(mine, 201)
      const theirs = yield* createGroup(second, name, key)
      expectStatus(theirs, 201)
      assert.isNull(theirs.headers.get("idempotent-replayed"))
      assert.notStrictEqual(theirs.body.id, mine.body.id)
      assert.strictEqual(yield* groupsNamed(name), 2)
    })
  )

  it.effect("identical requests sent at once create one group", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Eager")
      const key = randomUUID()
      const name = uniqueName("Swimmers")
      const answers = yield* Effect.all(
        Array.from({ length: 6 }, () => createGroup(owner, name, key)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(yield* groupsNamed(name), 1)
      const created = answers.filter((answer) => answer.status === 201)
      assert.isAtLeast(created.length, 1)
      for (const answer of answers) {
        if (answer.status === 201) assert.deepStrictEqual(answer.json, created[0]?.json)
        else {
          expectError(answer, 409, "IdempotencyKeyInProgress")
          assert.strictEqual(answer.headers.get("retry-after"), "1")
        }
      }
      // Once the first finished, a repeat is answered with its response.
      const later = yield* createGroup(owner, name, key)
      expectStatus(later, 201)
      assert.deepStrictEqual(later.json, created[0]?.json)
    })
  )

  it.effect("a failed request keeps nothing, so its key can be sent again", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Careful")
      const key = randomUUID()
      const name = uniqueName("Painters")
      const refused = yield* call("POST", "/api/v1/groups", {
        token: owner.token,
        body: { name, category: "hiking", visibility: "public", surprise: true },
        headers: { "idempotency-key": key }
      })
      expectError(refused, 400, "InvalidRequest")
      const created = yield* createGroup(owner, name, key)
      expectStatus(created, 201)
      assert.isNull(created.headers.get("idempotent-replayed"))
      assert.strictEqual(yield* groupsNamed(name), 1)
    })
  )

  it.effect("a malformed key is refused with the header named", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Sloppy")
      const name = uniqueName("Cooks")
      for (const key of ["has space", "x".repeat(256), "naïve"]) {
        const response = yield* createGroup(owner, name, key)
        expectError(response, 400, "InvalidRequest")
        const issues = response.body.issues as ReadonlyArray<{ readonly path: ReadonlyArray<string> }>
        assert.deepStrictEqual(issues[0]?.path, ["headers", "idempotency-key"])
      }
      assert.strictEqual(yield* groupsNamed(name), 0)
      // Safe methods ignore the header.
      expectStatus(yield* call("GET", "/api/v1/me", { token: owner.token, headers: { "idempotency-key": "a b" } }), 200)
    })
  )

  it.effect("a sign-up sent twice with a key makes one account and answers both times with its tokens", () =>
    Effect.gen(function* () {
      const email = freshEmail("again")
      const key = randomUUID()
      const signUpOnce = (ip: string) =>
        call("POST", "/api/v1/auth/signup", {
          ip,
          body: { email, password, nickname: "Again" },
          headers: { "idempotency-key": key }
        })
      const first = yield* signUpOnce(freshIp())
      expectStatus(first, 201)
      // The phone changed networks between the two: the key, not the address, makes it the same request.
      const second = yield* signUpOnce(freshIp())
      expectStatus(second, 201)
      assert.deepStrictEqual(second.json, first.json)
      expectStatus(yield* call("GET", "/api/v1/me", { token: String(second.body.accessToken) }), 200)

      // The stored answer holds tokens: it is kept encrypted.
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ readonly body: string }>`
        SELECT encode(body, 'escape') AS body FROM idempotency_keys WHERE scope = 'anonymous' AND key = ${key}`.pipe(
        Effect.orDie
      )
      assert.strictEqual(rows.length, 1)
      assert.notInclude(rows[0]?.body ?? "", String(first.body.accessToken))
      assert.notInclude(rows[0]?.body ?? "", email)
    })
  )

  it.effect("a key held by a process that died runs again once its lock runs out", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Patient")
      const key = randomUUID()
      const name = uniqueName("Gardeners")
      const sql = yield* SqlClient.SqlClient
      // What a process that died mid-request leaves: the key claimed for this request, no response.
      const fingerprintOf = (body: string) =>
        Effect.sync(() => createHash("sha256").update("POST /api/v1/groups\n").update(body).digest("hex"))
      const body = JSON.stringify({ name, description: "Weekend walks", category: "hiking", visibility: "public" })
      const insertHeld = (lockedUntil: string) =>
        Effect.gen(function* () {
          const fingerprint = yield* fingerprintOf(body)
          yield* sql`
            INSERT INTO idempotency_keys (scope, key, fingerprint, owner, locked_until, created_at, expires_at)
            VALUES (${owner.userId}, ${key}, decode(${fingerprint}, 'hex'), gen_random_uuid(),
              ${lockedUntil}::timestamptz, now(), now() + interval '1 day')
            ON CONFLICT (scope, key) DO UPDATE SET locked_until = EXCLUDED.locked_until`.pipe(Effect.orDie)
        })
      yield* insertHeld("infinity")
      expectError(yield* createGroup(owner, name, key), 409, "IdempotencyKeyInProgress")
      assert.strictEqual(yield* groupsNamed(name), 0)
      yield* insertHeld("-infinity")
      expectStatus(yield* createGroup(owner, name, key), 201)
      assert.strictEqual(yield* groupsNamed(name), 1)
    })
  )

  it.effect("keys expire: the cleanup removes expired keys and only those, and an expired key runs anew", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Forgetful")
      const expiredKey = randomUUID()
      const liveKey = randomUUID()
      const name = uniqueName("Singers")
      expectStatus(yield* createGroup(owner, name, expiredKey), 201)
      expectStatus(yield* createGroup(owner, name, liveKey), 201)
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 second'
        WHERE scope = ${owner.userId} AND key = ${expiredKey}`.pipe(Effect.orDie)

      // Past its expiry, a key is a new key: the request runs again.
      const rerun = yield* createGroup(owner, name, expiredKey)
      expectStatus(rerun, 201)
      assert.isNull(rerun.headers.get("idempotent-replayed"))
      assert.strictEqual(yield* groupsNamed(name), 3)

      yield* sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 second'
        WHERE scope = ${owner.userId} AND key = ${expiredKey}`.pipe(Effect.orDie)
      const repo = yield* IdempotencyRepo
      let removed = 0
      for (;;) {
        const step = yield* repo.purgeExpired(1000)
        removed += step
        if (step < 1000) break
      }
      assert.isAtLeast(removed, 1)
      const left = yield* sql<{ readonly key: string }>`
        SELECT key FROM idempotency_keys WHERE scope = ${owner.userId}`.pipe(Effect.orDie)
      assert.deepStrictEqual(
        left.map((row) => row.key),
        [liveKey]
      )
    }).pipe(Effect.provide(IdempotencyRepo.layer))
  )

  for (const protocol of rpcProtocols) {
    it.effect(`over RPC (${protocol}), a call repeated with the same key returns the first result`, () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Caller")
        const name = uniqueName("Rowers")
        const key = randomUUID()
        const outcome = yield* withRpcClient(protocol, Effect.succeed(Option.some(owner.token)), (client) =>
          Effect.gen(function* () {
            const create = (groupName: string, withKey: string) =>
              client.CreateGroup({ name: groupName, category: "hiking" }, { headers: { "idempotency-key": withKey } })
            const first = yield* create(name, key)
            const again = yield* create(name, key)
            const reused = yield* Effect.flip(create(uniqueName("Rowers"), key))
            const malformed = yield* Effect.flip(create(name, "not a key"))
            return { first, again, reused, malformed }
          })
        )
        assert.strictEqual(outcome.again.id, outcome.first.id)
        assert.deepStrictEqual(outcome.again, outcome.first)
        assert.strictEqual(outcome.reused._tag, "IdempotencyKeyReused")
        assert.strictEqual(outcome.malformed._tag, "InvalidRequest")
        assert.strictEqual(yield* groupsNamed(name), 1)
      })
    )
  }
})
