import { assert, layer } from "@effect/vitest"
import { EventReminders } from "@moim/server/Events/EventReminders"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import { openSse, type SseConnection } from "../../server/test/support/SseClient.ts"
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

/** `user` joins the private group `groupId` through an invitation of its owner's. */
const joinByInvitation = (owner: TestUser, user: TestUser, groupId: string) =>
  Effect.gen(function* () {
    const invited = yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
      token: owner.token,
      body: { userId: user.userId }
    })
    const invitationId = String(expectStatus(invited, 201).body.id)
    expectStatus(yield* call("POST", `/api/v1/invitations/${invitationId}/accept`, { token: user.token }), 200)
  })

/** The type and data of the next message on `topic`, skipping those of the reader's own topic. */
const nextOn = (stream: SseConnection, topic: string, what: string) =>
  Effect.gen(function* () {
    for (let skipped = 0; skipped < 20; skipped++) {
      const message = yield* stream.next(what)
      if (message.data.topic === topic) return [message.data.type, message.data.data] as const
    }
    return assert.fail(`no message on ${topic} for ${what}`)
  })

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

  it.effect("a time change tells people going and waiting; a description change nobody; a cancellation everyone", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Hana")
      const going = yield* signUp("Gus")
      const waiting = yield* signUp("Wes")
      const interested = yield* signUp("Ida")
      const groupId = yield* createGroup(host, { name: "Climbing" })
      for (const user of [going, waiting, interested]) {
        expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), 200)
      }
      const created = yield* call("POST", `/api/v1/groups/${groupId}/events`, {
        token: host.token,
        body: {
          title: "Bouldering",
          start: "2030-07-16T19:00",
          end: "2030-07-16T21:00",
          timeZone: "Europe/Berlin",
          capacity: 1
        }
      })
      const eventId = String(expectStatus(created, 201).body.id)
      yield* rsvp(going, eventId, "going")
      yield* rsvp(waiting, eventId, "going")
      yield* rsvp(interested, eventId, "interested")
      const changes = (listed: ReadonlyArray<Listed>) =>
        listed.filter((item) => item.type === "event.changed" || item.type === "event.cancelled")

      // A typo fix first: nobody is told of it, as the later notifications show.
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${eventId}`, { token: host.token, body: { description: "Chalk" } }),
        200
      )
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${eventId}`, { token: host.token, body: { start: "2030-07-16T18:00" } }),
        200
      )
      for (const user of [going, waiting]) {
        const told = changes(yield* until(user, (listed) => changes(listed).length > 0, "the time change"))
        assert.strictEqual(told.length, 1)
        assert.deepInclude(told[0], {
          type: "event.changed",
          text: "Bouldering: the time changed",
          subject: { kind: "event", id: eventId }
        })
        assert.deepStrictEqual(told[0]?.data, { eventId, title: "Bouldering", occurrenceStart: null, fields: ["time"] })
      }

      expectStatus(
        yield* call("POST", `/api/v1/events/${eventId}/cancel`, { token: host.token, body: { reason: "Wall closed" } }),
        200
      )
      for (const user of [going, waiting]) {
        const told = changes(
          yield* until(user, (listed) => listed.some((item) => item.type === "event.cancelled"), "the cancellation")
        )
        assert.deepStrictEqual(
          told.map((item) => item.type),
          ["event.cancelled", "event.changed"]
        )
        assert.strictEqual(told[0]?.text, "Bouldering is cancelled: Wall closed")
      }
      // Neither the interested member nor the host (who made the changes) hears of them.
      for (const user of [interested, host]) assert.deepStrictEqual(changes(yield* listOf(user)), [])
    })
  )

  it.effect("moving one occurrence of a series tells only those going to it", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Hugo")
      const first = yield* signUp("Flo")
      const second = yield* signUp("Sue")
      const groupId = yield* createGroup(host, { name: "Chess" })
      for (const user of [first, second]) {
        expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), 200)
      }
      const created = yield* call("POST", `/api/v1/groups/${groupId}/events`, {
        token: host.token,
        body: {
          title: "Chess night",
          start: "2030-07-16T19:00",
          end: "2030-07-16T21:00",
          timeZone: "Europe/Berlin",
          recurrence: { frequency: "weekly", count: 2 }
        }
      })
      const eventId = String(expectStatus(created, 201).body.id)
      for (const [user, occurrence] of [
        [first, "2030-07-16T19:00"],
        [second, "2030-07-23T19:00"]
      ] as const) {
        expectStatus(
          yield* call("PUT", `/api/v1/events/${eventId}/occurrences/${occurrence}/rsvp`, {
            token: user.token,
            body: { status: "going" }
          }),
          200
        )
      }
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${eventId}`, {
          token: host.token,
          body: { scope: "this", occurrence: "2030-07-23T19:00", location: { name: "Cafe Schach" } }
        }),
        200
      )
      const told = (yield* until(
        second,
        (listed) => listed.some((item) => item.type === "event.changed"),
        "the occurrence's new place"
      )).filter((item) => item.type === "event.changed")
      assert.deepStrictEqual(told[0]?.data, {
        eventId,
        title: "Chess night",
        occurrenceStart: "2030-07-23T19:00",
        fields: ["place"]
      })
      assert.strictEqual(told[0]?.text, "Chess night (2030-07-23 19:00): the place changed")
      assert.deepStrictEqual(
        (yield* listOf(first)).filter((item) => item.type === "event.changed"),
        []
      )
    })
  )

  it.effect("a change of this and the following occurrences tells those going to them, not to earlier ones", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Hilde")
      const early = yield* signUp("Ed")
      const late = yield* signUp("Lou")
      const groupId = yield* createGroup(host, { name: "Tandem" })
      for (const user of [early, late]) {
        expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), 200)
      }
      const created = yield* call("POST", `/api/v1/groups/${groupId}/events`, {
        token: host.token,
        body: {
          title: "Tandem evening",
          start: "2030-07-16T19:00",
          end: "2030-07-16T21:00",
          timeZone: "Europe/Berlin",
          recurrence: { frequency: "weekly", count: 4 }
        }
      })
      const eventId = String(expectStatus(created, 201).body.id)
      for (const [user, occurrence] of [
        [early, "2030-07-16T19:00"],
        [late, "2030-07-30T19:00"]
      ] as const) {
        expectStatus(
          yield* call("PUT", `/api/v1/events/${eventId}/occurrences/${occurrence}/rsvp`, {
            token: user.token,
            body: { status: "going" }
          }),
          200
        )
      }
      // From the second occurrence on, an hour later: a new series takes over the later answers.
      const split = expectStatus(
        yield* call("PATCH", `/api/v1/events/${eventId}`, {
          token: host.token,
          body: {
            scope: "thisAndFollowing",
            occurrence: "2030-07-23T19:00",
            start: "2030-07-23T20:00",
            end: "2030-07-23T22:00"
          }
        }),
        200
      ).body
      const laterId = String(split.id)
      assert.notStrictEqual(laterId, eventId)
      const told = (yield* until(
        late,
        (listed) => listed.some((item) => item.type === "event.changed"),
        "the later occurrences' new time"
      )).filter((item) => item.type === "event.changed")
      assert.strictEqual(told.length, 1)
      assert.deepStrictEqual(told[0]?.data, {
        eventId: laterId,
        title: "Tandem evening",
        occurrenceStart: null,
        fields: ["time"]
      })
      // Ed goes to the first occurrence, which did not change; the notifications of Lou's change
      // are delivered already, and none of them is Ed's.
      assert.deepStrictEqual(
        (yield* listOf(early)).filter((item) => item.type === "event.changed"),
        []
      )
    })
  )

  it.effect("an event's changes arrive on its topic, which only those who may see it join", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Heidi")
      const member = yield* signUp("Max")
      const outsider = yield* signUp("Otto")
      const groupId = yield* createGroup(host, { name: "Live events", visibility: "private", joinPolicy: "invite" })
      const invited = yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
        token: host.token,
        body: { userId: member.userId }
      })
      const invitationId = String(expectStatus(invited, 201).body.id)
      expectStatus(yield* call("POST", `/api/v1/invitations/${invitationId}/accept`, { token: member.token }), 200)
      const created = yield* call("POST", `/api/v1/groups/${groupId}/events`, {
        token: host.token,
        body: { title: "Live talk", start: "2030-07-16T19:00", end: "2030-07-16T21:00", timeZone: "UTC" }
      })
      const eventId = String(expectStatus(created, 201).body.id)

      const stream = yield* openSse(`/api/v1/stream?topics=event:${eventId}`, { token: member.token })
      assert.strictEqual(stream.status, 200)
      const refused = yield* openSse(`/api/v1/stream?topics=event:${eventId}`, { token: outsider.token })
      assert.strictEqual(refused.status, 404)

      expectStatus(
        yield* call("PATCH", `/api/v1/events/${eventId}`, { token: host.token, body: { title: "Live talk, moved" } }),
        200
      )
      const updated = yield* stream.next("the event's change")
      assert.deepStrictEqual(
        [updated.data.type, updated.data.topic, updated.data.data],
        ["event.updated", `event:${eventId}`, { eventId, action: "updated" }]
      )
    })
  )

  it.effect("answers publish the event's counts on its topic, never who answered, promotions included", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Hedda")
      const first = yield* signUp("Flo")
      const second = yield* signUp("Sven")
      const outsider = yield* signUp("Olaf")
      const groupId = yield* createGroup(host, { name: "Live seats", visibility: "private", joinPolicy: "invite" })
      yield* Effect.forEach([first, second], (user) => joinByInvitation(host, user, groupId), { discard: true })
      const created = yield* call("POST", `/api/v1/groups/${groupId}/events`, {
        token: host.token,
        body: { title: "One seat", start: "2030-07-16T19:00", end: "2030-07-16T21:00", timeZone: "UTC", capacity: 1 }
      })
      const eventId = String(expectStatus(created, 201).body.id)
      const topic = `event:${eventId}`

      const stream = yield* openSse(`/api/v1/stream?topics=${topic}`, { token: host.token })
      assert.strictEqual(stream.status, 200)
      const refused = yield* openSse(`/api/v1/stream?topics=${topic}`, { token: outsider.token })
      assert.deepStrictEqual([refused.status, refused.body._tag], [404, "StreamTopicNotFound"])
      const counts = (goingCount: number, waitlistCount: number, interestedCount: number) => ({
        eventId,
        occurrenceStart: null,
        goingCount,
        waitlistCount,
        interestedCount
      })

      yield* rsvp(first, eventId, "going")
      assert.deepStrictEqual(yield* nextOn(stream, topic, "Flo's seat"), ["event.rsvps", counts(1, 0, 0)])
      yield* rsvp(second, eventId, "going")
      assert.deepStrictEqual(yield* nextOn(stream, topic, "Sven waiting"), ["event.rsvps", counts(1, 1, 0)])
      // Flo leaves: Sven is promoted in the same change, so one message with the counts after both.
      yield* rsvp(first, eventId, "not_going")
      assert.deepStrictEqual(yield* nextOn(stream, topic, "Sven promoted"), ["event.rsvps", counts(1, 0, 0)])
      // An answer that changes no count publishes nothing: the next message is Flo's interest.
      yield* rsvp(second, eventId, "going")
      yield* rsvp(first, eventId, "interested")
      assert.deepStrictEqual(yield* nextOn(stream, topic, "Flo interested"), ["event.rsvps", counts(1, 0, 1)])
    })
  )

  it.effect("an answer to one occurrence of a series publishes that occurrence's counts", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Hilde")
      const member = yield* signUp("Mats")
      const groupId = yield* createGroup(host, { name: "Weekly seats" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: member.token, body: {} }), 200)
      const created = yield* call("POST", `/api/v1/groups/${groupId}/events`, {
        token: host.token,
        body: {
          title: "Weekly",
          start: "2030-07-16T19:00",
          end: "2030-07-16T21:00",
          timeZone: "Europe/Berlin",
          recurrence: { frequency: "weekly", byWeekday: ["TU"], count: 3 }
        }
      })
      const eventId = String(expectStatus(created, 201).body.id)
      const topic = `event:${eventId}`
      const stream = yield* openSse(`/api/v1/stream?topics=${topic}`, { token: host.token })
      assert.strictEqual(stream.status, 200)
      expectStatus(
        yield* call("PUT", `/api/v1/events/${eventId}/occurrences/2030-07-23T19:00/rsvp`, {
          token: member.token,
          body: { status: "going" }
        }),
        200
      )
      assert.deepStrictEqual(yield* nextOn(stream, topic, "the occurrence's counts"), [
        "event.rsvps",
        { eventId, occurrenceStart: "2030-07-23T19:00", goingCount: 1, waitlistCount: 0, interestedCount: 0 }
      ])
    })
  )

  it.effect("a reminder not yet read is taken back when its occurrence is cancelled or moved", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Reminding host")
      const walker = yield* signUp("Walker")
      const groupId = yield* createGroup(host, { name: "Dawn walkers" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: walker.token, body: {} }), 200)
      const create = (start: string, end: string) =>
        Effect.map(
          call("POST", `/api/v1/groups/${groupId}/events`, {
            token: host.token,
            body: { title: "Dawn walk", start, end, timeZone: "UTC" }
          }),
          (response) => String(expectStatus(response, 201).body.id)
        )
      const cancelled = yield* create("2031-03-10T07:30", "2031-03-10T08:30")
      const moved = yield* create("2031-03-11T07:30", "2031-03-11T08:30")
      const kept = yield* create("2031-03-12T07:30", "2031-03-12T08:30")
      for (const eventId of [cancelled, moved, kept]) yield* rsvp(walker, eventId, "going")
      // The reminder cron's runs an hour before each (the clock set there).
      for (const at of ["2031-03-10T06:30:00Z", "2031-03-11T06:30:00Z", "2031-03-12T06:30:00Z"]) {
        yield* Effect.gen(function* () {
          yield* TestClock.setTime(Date.parse(at))
          yield* EventReminders.use((reminders) => reminders.sendDue)
        }).pipe(Effect.provide(TestClock.layer()))
      }
      const remindedOf = (listed: ReadonlyArray<Listed>) =>
        listed
          .filter((item) => item.type === "event.reminder")
          .map((item) => item.subject.id)
          .sort()
      assert.deepStrictEqual(remindedOf(yield* listOf(walker)), [cancelled, moved, kept].sort())

      expectStatus(
        yield* call("POST", `/api/v1/events/${cancelled}/cancel`, { token: host.token, body: { reason: "Rain" } }),
        200
      )
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${moved}`, {
          token: host.token,
          body: { start: "2031-03-11T09:00", end: "2031-03-11T10:00" }
        }),
        200
      )
      const listed = yield* until(
        walker,
        (items) =>
          items.filter((item) => item.type === "event.cancelled" || item.type === "event.changed").length === 2,
        "the cancellation and the change"
      )
      // Only the reminder of the event that still happens when it said is left.
      assert.deepStrictEqual(remindedOf(listed), [kept])
    })
  )
})
