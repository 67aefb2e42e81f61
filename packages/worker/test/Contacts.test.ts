import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, freshIp, type JsonResponse } from "../../server/test/support/Http.ts"
import { freshPhone, latestCode } from "../../server/test/support/SmsOutbox.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })
const dataDir = env.MOIM_DATA_DIR ?? ""

/** The server and a worker in one process, on one database: what `npm start` runs. */
const ServerAndWorker = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(env)))

const ok = (response: JsonResponse, status = 200) => {
  assert.strictEqual(response.status, status, response.text)
  return response
}

/** A new account made with a fresh phone number: signed in, with the number verified. */
const phoneUser = (nickname: string, phoneNumber = freshPhone()) =>
  Effect.gen(function* () {
    ok(yield* call("POST", "/api/v1/auth/phone/code", { ip: freshIp(), body: { phoneNumber } }), 202)
    const code = yield* latestCode(dataDir, phoneNumber)
    const response = ok(
      yield* call("POST", "/api/v1/auth/phone/sign-in", { ip: freshIp(), body: { phoneNumber, code, nickname } })
    )
    const user: TestUser = {
      userId: String((response.body.user as { id: string }).id),
      email: "",
      token: String(response.body.accessToken)
    }
    return { ...user, phoneNumber }
  })

/** The same number as a person saves it in their book: national format, spaced. */
const national = (e164: string) => `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`

/** What an upload answers, decoded (the test reads only what it checks). */
const Uploaded = Schema.Struct({
  received: Schema.Number,
  invalid: Schema.Number,
  stored: Schema.Number,
  matches: Schema.Array(
    Schema.Struct({
      contact: Schema.String,
      by: Schema.String,
      user: Schema.Struct({ id: Schema.String }),
      relationship: Schema.Record(Schema.String, Schema.Boolean)
    })
  )
})
const decodeUploaded = Schema.decodeUnknownSync(Uploaded)

const upload = (user: TestUser, phoneNumbers: ReadonlyArray<string>) =>
  Effect.map(
    call("POST", "/api/v1/me/contacts", { token: user.token, body: { phoneNumbers, country: "US" } }),
    (response) => decodeUploaded(ok(response).body)
  )

layer(ServerAndWorker, { excludeTestServices: true, timeout: "120 seconds" })("Contacts", (it) => {
  it.effect("matches uploaded numbers against findable verified numbers, keeps only hashes, tells of joiners", () =>
    Effect.gen(function* () {
      const alice = yield* signUp("Alice")
      const bob = yield* phoneUser("Bob")
      const carol = yield* phoneUser("Carol")
      const dan = yield* phoneUser("Dan")
      ok(yield* call("PATCH", "/api/v1/me/settings", { token: carol.token, body: { findableByPhone: false } }))
      ok(yield* call("PUT", `/api/v1/users/${alice.userId}/block`, { token: dan.token }), 204)
      const later = freshPhone()

      const first = yield* upload(alice, [national(bob.phoneNumber), carol.phoneNumber, dan.phoneNumber, later, "000"])
      assert.strictEqual(first.received, 5)
      assert.strictEqual(first.invalid, 1)
      assert.strictEqual(first.stored, 4)
      assert.deepStrictEqual(
        first.matches.map((match) => [match.contact, match.by, match.user.id]),
        [[national(bob.phoneNumber), "phone", bob.userId]],
        "Carol is not findable by phone, Dan blocked Alice, the last number is nobody's yet"
      )
      assert.isFalse(first.matches[0]?.relationship.following)
      // Uploading again keeps one hash per number.
      assert.strictEqual((yield* upload(alice, [bob.phoneNumber, later])).stored, 4)

      // The numbers themselves are not kept, only keyed hashes.
      const sql = yield* SqlClient.SqlClient
      const kept = yield* sql`SELECT hash FROM contact_hashes WHERE owner_id = ${alice.userId}`.pipe(Effect.orDie)
      assert.strictEqual(kept.length, 4)
      assert.isFalse(JSON.stringify(kept).includes(bob.phoneNumber.slice(2)))

      // When the last number joins, Alice is told (Carol and Dan joined before her upload: no news).
      const eve = yield* phoneUser("Eve", later)
      const told = yield* eventually(
        Effect.flatMap(call("GET", "/api/v1/me/notifications", { token: alice.token }), (response) => {
          const items = ok(response).body.items as ReadonlyArray<{ type: string; text: string; data: unknown }>
          return items.length > 0 ? Effect.succeed(items) : Effect.fail("none yet")
        }),
        { interval: "50 millis", timeout: "15 seconds" }
      ).pipe(Effect.orDie)
      assert.deepStrictEqual(
        told.map((item) => [item.type, item.text, item.data]),
        [["social.contactJoined", "Eve, one of your contacts, is on Moim", { userId: eve.userId }]]
      )

      // Deleting them forgets every hash.
      ok(yield* call("DELETE", "/api/v1/me/contacts", { token: alice.token }), 204)
      assert.strictEqual((yield* upload(alice, [bob.phoneNumber])).stored, 1)
      ok(yield* call("POST", "/api/v1/me/contacts", { token: alice.token, body: { phoneNumbers: ["x"] } }), 400)
      ok(yield* call("DELETE", "/api/v1/me/contacts"), 401)
    })
  )

  it.effect("email addresses match verified addresses of people findable by email, and are not kept", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const verified = (user: TestUser) =>
        sql`UPDATE users SET email_verified_at = now() WHERE id = ${user.userId}`.pipe(Effect.orDie)
      const seeker = yield* signUp("Seeker")
      const frank = yield* signUp("Frank")
      const gina = yield* signUp("Gina")
      const hank = yield* signUp("Hank")
      yield* verified(frank)
      yield* verified(gina)
      ok(yield* call("PATCH", "/api/v1/me/settings", { token: gina.token, body: { findableByEmail: false } }))
      const found = decodeUploaded(
        ok(
          yield* call("POST", "/api/v1/me/contacts", {
            token: seeker.token,
            body: { emails: [frank.email.toUpperCase(), gina.email, hank.email, "nobody@example.com"] }
          })
        ).body
      )
      assert.deepStrictEqual(
        found.matches.map((match) => [match.contact, match.by, match.user.id]),
        [[frank.email, "email", frank.userId]],
        "Gina is not findable by email, Hank has not verified his address"
      )
      assert.deepStrictEqual([found.received, found.stored], [4, 0])
      const kept = yield* sql`SELECT hash FROM contact_hashes WHERE owner_id = ${seeker.userId}`.pipe(Effect.orDie)
      assert.strictEqual(kept.length, 0)
    })
  )

  it.effect("an account keeps at most 50,000 contacts, uploaded in batches of 5,000", () =>
    Effect.gen(function* () {
      const user = yield* signUp("Collector")
      const numbers = (batch: number) =>
        Array.from({ length: 5000 }, (_, i) => {
          const n = batch * 5000 + i
          return `+1415${200 + Math.floor(n / 10_000)}${String(n % 10_000).padStart(4, "0")}`
        })
      for (let batch = 0; batch < 10; batch++) {
        assert.strictEqual((yield* upload(user, numbers(batch))).stored, (batch + 1) * 5000)
      }
      const over = ok(
        yield* call("POST", "/api/v1/me/contacts", { token: user.token, body: { phoneNumbers: ["+14159990001"] } }),
        409
      )
      assert.strictEqual(over.body._tag, "TooManyContacts")
      const tooBig = yield* call("POST", "/api/v1/me/contacts", {
        token: user.token,
        body: { phoneNumbers: [...numbers(0), "+14159990002"] }
      })
      assert.strictEqual(ok(tooBig, 400).body._tag, "InvalidRequest")
    })
  )
})
