import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"

interface Listed {
  readonly type: string
  readonly text: string
  readonly subject: { readonly kind: string; readonly id: string }
  readonly data: Record<string, unknown>
}

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

/** The server and a worker in one process, on one database: what `npm start` runs. */
const ServerAndWorker = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(env)))

const expectStatus = (response: JsonResponse, status: number) => {
  assert.strictEqual(response.status, status, response.text)
  return response
}

const listOf = (user: TestUser) =>
  Effect.map(call("GET", "/api/v1/me/notifications", { token: user.token }), (response) => {
    assert.strictEqual(response.status, 200, response.text)
    return response.body.items as ReadonlyArray<Listed>
  })

/** Waits (bounded) until the user's notifications satisfy `done`, as the worker delivers them. */
const until = (user: TestUser, done: (listed: ReadonlyArray<Listed>) => boolean, what: string) =>
  eventually(
    Effect.flatMap(listOf(user), (listed) => (done(listed) ? Effect.succeed(listed) : Effect.fail(listed))),
    { interval: "50 millis", timeout: "15 seconds" }
  ).pipe(
    Effect.catch((last) => Effect.sync(() => assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(last)}`)))
  )

const rsvp = (user: TestUser, eventId: string, status: string) =>
  Effect.map(call("PUT", `/api/v1/events/${eventId}/rsvp`, { token: user.token, body: { status } }), (response) =>
    expectStatus(response, 200)
  )

layer(ServerAndWorker, { excludeTestServices: true, timeout: "120 seconds" })("Event notifications", (it) => {
  it.effect("the first person waiting is told when a seat frees up, and nobody else", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Olga")
      const seated = yield* signUp("Sam")
      const first = yield* signUp("Fay")
      const second = yield* signUp("Sid")
      const groupId = yield* createGroup(owner, { name: "Pottery" })
      for (const user of [seated, first, second]) {
        expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), 200)
      }
      const created = yield* call("POST", `/api/v1/groups/${groupId}/events`, {
        token: owner.token,
        body: {
          title: "Wheel night",
          start: "2030-07-16T19:00",
          end: "2030-07-16T21:00",
          timeZone: "Europe/Berlin",
          capacity: 1
        }
      })
      const eventId = String(expectStatus(created, 201).body.id)
      for (const user of [seated, first, second]) yield* rsvp(user, eventId, "going")
      yield* rsvp(seated, eventId, "not_going")

      const told = yield* until(first, (listed) => listed.some((item) => item.type === "event.promoted"), "Fay's seat")
      const promoted = told.filter((item) => item.type === "event.promoted")
      assert.strictEqual(promoted.length, 1)
      assert.deepInclude(promoted[0], {
        text: "A seat freed up: you are going to Wheel night",
        subject: { kind: "event", id: eventId }
      })
      assert.deepStrictEqual(promoted[0]?.data, { eventId, title: "Wheel night" })

      // Sid still waits: nothing for him, even once Fay's notification has arrived.
      assert.deepStrictEqual(
        (yield* listOf(second)).filter((item) => item.type === "event.promoted"),
        []
      )
    })
  )
})
