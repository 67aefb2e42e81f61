import { assert, layer } from "@effect/vitest"
import { EventReminders } from "@moim/server/Events/EventReminders"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"

interface Reminder {
  readonly id: string
  readonly type: string
  readonly text: string
  readonly subject: { readonly kind: string; readonly id: string }
  readonly data: {
    readonly eventId: string
    readonly title: string
    readonly occurrenceStart: string | null
    readonly startsAt: string
    readonly start: string
    readonly timeZone: string
    readonly location: { readonly name: string } | null
    readonly onlineUrl: string | null
    readonly minutesBefore: number
  }
}

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

/** The worker's run at `iso`: `sendDue` with the clock (a `TestClock`) set there; how many were reminded. */
const runAt = (iso: string) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse(iso))
    return yield* EventReminders.use((reminders) => reminders.sendDue)
  }).pipe(Effect.provide(TestClock.layer()))

/** The user's reminders, oldest first, as `[eventId, occurrence's key or null, minutes before, startsAt]`. */
const remindersOf = (user: TestUser) =>
  Effect.map(call("GET", "/api/v1/me/notifications?limit=100", { token: user.token }), (response) => {
    const items = expectStatus(response, 200).body.items as ReadonlyArray<Reminder>
    return items.filter((item) => item.type === "event.reminder").reverse()
  })

const summary = (user: TestUser) =>
  Effect.map(remindersOf(user), (items) =>
    items.map((item) => [item.data.eventId, item.data.occurrenceStart, item.data.minutesBefore, item.data.startsAt])
  )

const join = (user: TestUser, groupId: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), (response) =>
    expectStatus(response, 200)
  )

/** A group of `owner` with these members. */
const groupOf = (owner: TestUser, members: ReadonlyArray<TestUser>, name: string) =>
  Effect.gen(function* () {
    const groupId = yield* createGroup(owner, { name })
    for (const member of members) yield* join(member, groupId)
    return groupId
  })

const createEvent = (host: TestUser, groupId: string, body: Record<string, unknown>) =>
  Effect.map(
    call("POST", `/api/v1/groups/${groupId}/events`, { token: host.token, body: { title: "Walk", ...body } }),
    (response) => String(expectStatus(response, 201).body.id)
  )

const rsvp = (user: TestUser, eventId: string, status: string) =>
  Effect.map(call("PUT", `/api/v1/events/${eventId}/rsvp`, { token: user.token, body: { status } }), (response) =>
    expectStatus(response, 200)
  )

const rsvpOccurrence = (user: TestUser, eventId: string, occurrence: string, status: string) =>
  Effect.map(
    call("PUT", `/api/v1/events/${eventId}/occurrences/${occurrence}/rsvp`, { token: user.token, body: { status } }),
    (response) => expectStatus(response, 200)
  )

const setReminders = (user: TestUser, eventReminders: unknown) =>
  call("PATCH", "/api/v1/me/notification-preferences", { token: user.token, body: { eventReminders } })

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Event reminders", (it) => {
  it.effect("a day and an hour before, once each, within 15 minutes of their time and never after", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Hana")
      const gus = yield* signUp("Gus")
      const bea = yield* signUp("Bea")
      const cal = yield* signUp("Cal")
      const groupId = yield* groupOf(host, [gus, bea, cal], "Hikers")
      // 19:00 in Berlin in summer: 17:00Z.
      const eventId = yield* createEvent(host, groupId, {
        title: "Ridge walk",
        start: "2030-07-16T19:00",
        end: "2030-07-16T21:00",
        timeZone: "Europe/Berlin",
        location: { name: "Trailhead" }
      })
      yield* rsvp(gus, eventId, "going")

      assert.strictEqual(yield* runAt("2030-07-15T16:59:59Z"), 0)
      assert.deepStrictEqual(yield* summary(gus), [])
      // Two workers at once: one reminder.
      const [first, second] = yield* Effect.all([runAt("2030-07-15T17:00:00Z"), runAt("2030-07-15T17:00:00Z")], {
        concurrency: 2
      })
      assert.strictEqual(first + second, 1)
      assert.strictEqual(yield* runAt("2030-07-15T17:05:00Z"), 0)
      const [dayBefore] = yield* remindersOf(gus)
      assert.deepInclude(dayBefore, {
        text: "Reminder: Ridge walk starts in 1 day (2030-07-16 19:00 Europe/Berlin)",
        subject: { kind: "event", id: eventId }
      })
      assert.deepStrictEqual(dayBefore?.data, {
        eventId,
        title: "Ridge walk",
        occurrenceStart: null,
        startsAt: "2030-07-16T17:00:00.000Z",
        start: "2030-07-16T19:00",
        timeZone: "Europe/Berlin",
        location: { name: "Trailhead" },
        onlineUrl: null,
        minutesBefore: 1440
      })

      // Bea answers late, within the grace: a worker catching up still reminds her. Cal answers after it.
      yield* rsvp(bea, eventId, "going")
      assert.strictEqual(yield* runAt("2030-07-15T17:14:59Z"), 1)
      yield* rsvp(cal, eventId, "going")
      assert.strictEqual(yield* runAt("2030-07-15T17:15:00Z"), 0)

      assert.strictEqual(yield* runAt("2030-07-16T15:59:59Z"), 0)
      assert.strictEqual(yield* runAt("2030-07-16T16:00:00Z"), 3)
      assert.strictEqual(yield* runAt("2030-07-16T16:10:00Z"), 0)
      assert.strictEqual(yield* runAt("2030-07-16T17:00:00Z"), 0)

      const both = [
        [eventId, null, 1440, "2030-07-16T17:00:00.000Z"],
        [eventId, null, 60, "2030-07-16T17:00:00.000Z"]
      ]
      assert.deepStrictEqual(yield* summary(gus), both)
      assert.deepStrictEqual(yield* summary(bea), both)
      assert.deepStrictEqual(yield* summary(cal), [[eventId, null, 60, "2030-07-16T17:00:00.000Z"]])
      assert.deepStrictEqual(yield* summary(host), [])
    })
  )

  it.effect("each person's offsets: none with [], only the 10-minute one with [10]", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Host")
      const off = yield* signUp("Off")
      const ten = yield* signUp("Ten")
      const usual = yield* signUp("Usual")
      const groupId = yield* groupOf(host, [off, ten, usual], "Chess")
      const eventId = yield* createEvent(host, groupId, {
        start: "2030-08-20T10:00",
        end: "2030-08-20T12:00",
        timeZone: "UTC",
        onlineUrl: "https://meet.example.com/chess"
      })
      for (const user of [off, ten, usual]) yield* rsvp(user, eventId, "going")
      assert.deepStrictEqual(expectStatus(yield* setReminders(off, []), 200).body.eventReminders, [])
      assert.deepStrictEqual(expectStatus(yield* setReminders(ten, [10]), 200).body.eventReminders, [10])
      const usualPreferences = yield* call("GET", "/api/v1/me/notification-preferences", { token: usual.token })
      assert.deepStrictEqual(expectStatus(usualPreferences, 200).body.eventReminders, [1440, 60])

      for (const at of [
        "2030-08-19T10:00:00Z",
        "2030-08-20T08:00:00Z",
        "2030-08-20T09:00:00Z",
        "2030-08-20T09:30:00Z",
        "2030-08-20T09:50:00Z"
      ]) {
        yield* runAt(at)
      }
      assert.deepStrictEqual(yield* summary(off), [])
      assert.deepStrictEqual(yield* summary(ten), [[eventId, null, 10, "2030-08-20T10:00:00.000Z"]])
      assert.deepStrictEqual(
        (yield* summary(usual)).map(([, , minutes]) => minutes),
        [1440, 60]
      )
      const [tenMinutes] = yield* remindersOf(ten)
      assert.strictEqual(tenMinutes?.text, "Reminder: Walk starts in 10 minutes (2030-08-20 10:00 UTC)")

      // Once it has started, a reminder is useless, even within the grace.
      const late = yield* signUp("Late")
      yield* join(late, groupId)
      expectStatus(yield* setReminders(late, [10]), 200)
      yield* rsvp(late, eventId, "going")
      assert.strictEqual(yield* runAt("2030-08-20T10:00:00Z"), 0)
      assert.strictEqual(yield* runAt("2030-08-20T10:01:00Z"), 0)
      assert.deepStrictEqual(yield* summary(late), [])
    })
  )

  it.effect("the preference refuses what is not on the menu, duplicates and more than three (400)", () =>
    Effect.gen(function* () {
      const user = yield* signUp("Picky")
      for (const bad of [[15], [60, 60], [10, 30, 60, 120], ["60"], 60, "1h"]) {
        expectStatus(yield* setReminders(user, bad), 400, "InvalidRequest")
      }
      assert.deepStrictEqual(
        expectStatus(yield* setReminders(user, [10080, 2880, 120]), 200).body.eventReminders,
        [10080, 2880, 120]
      )
      // Other changes leave it as it is.
      const other = yield* call("PATCH", "/api/v1/me/notification-preferences", {
        token: user.token,
        body: { digest: "daily" }
      })
      assert.deepStrictEqual(expectStatus(other, 200).body.eventReminders, [10080, 2880, 120])
    })
  )

  it.effect("nothing for a cancelled event or for people waiting; a person promoted is reminded", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Host")
      const seated = yield* signUp("Sam")
      const waiting = yield* signUp("Wes")
      const groupId = yield* groupOf(host, [seated, waiting], "Pottery")
      const times = { start: "2030-09-10T18:00", end: "2030-09-10T20:00", timeZone: "UTC" }
      const eventId = yield* createEvent(host, groupId, { ...times, capacity: 1 })
      const cancelledId = yield* createEvent(host, groupId, times)
      yield* rsvp(seated, eventId, "going")
      yield* rsvp(waiting, eventId, "going")
      yield* rsvp(waiting, cancelledId, "going")
      expectStatus(
        yield* call("POST", `/api/v1/events/${cancelledId}/cancel`, { token: host.token, body: { reason: "Kiln" } }),
        200
      )

      assert.strictEqual(yield* runAt("2030-09-10T17:00:00Z"), 1)
      assert.deepStrictEqual(yield* summary(seated), [[eventId, null, 60, "2030-09-10T18:00:00.000Z"]])
      assert.deepStrictEqual(yield* summary(waiting), [])

      // Sam leaves; Wes gets the seat and, still within the grace, his reminder.
      yield* rsvp(seated, eventId, "not_going")
      assert.strictEqual(yield* runAt("2030-09-10T17:05:00Z"), 1)
      assert.deepStrictEqual(yield* summary(waiting), [[eventId, null, 60, "2030-09-10T18:00:00.000Z"]])
    })
  )

  it.effect("a moved event is reminded at its new time; moved far after its reminder, again", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Host")
      const ada = yield* signUp("Ada")
      const groupId = yield* groupOf(host, [ada], "Choir")
      const eventId = yield* createEvent(host, groupId, {
        start: "2030-10-01T12:00",
        end: "2030-10-01T13:00",
        timeZone: "UTC"
      })
      yield* rsvp(ada, eventId, "going")
      const move = (start: string, end: string) =>
        Effect.map(
          call("PATCH", `/api/v1/events/${eventId}`, { token: host.token, body: { start, end } }),
          (response) => expectStatus(response, 200)
        )

      // Moved before its reminder: nothing at the old time, one at the new.
      yield* move("2030-10-01T15:00", "2030-10-01T16:00")
      assert.strictEqual(yield* runAt("2030-10-01T11:00:00Z"), 0)
      assert.strictEqual(yield* runAt("2030-10-01T14:00:00Z"), 1)

      // Moved by a few minutes after its reminder: not again.
      yield* move("2030-10-01T15:10", "2030-10-01T16:10")
      assert.strictEqual(yield* runAt("2030-10-01T14:10:00Z"), 0)

      // Moved a week later: the hour before the new start is reminded too.
      yield* move("2030-10-08T15:10", "2030-10-08T16:10")
      assert.strictEqual(yield* runAt("2030-10-08T14:10:00Z"), 1)
      assert.strictEqual(yield* runAt("2030-10-08T14:11:00Z"), 0)
      assert.deepStrictEqual(yield* summary(ada), [
        [eventId, null, 60, "2030-10-01T15:00:00.000Z"],
        [eventId, null, 60, "2030-10-08T15:10:00.000Z"]
      ])
    })
  )

  it.effect("a weekly 19:00 Berlin series: each occurrence an hour before, across the change to summer time", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Host")
      const ida = yield* signUp("Ida")
      const groupId = yield* groupOf(host, [ida], "Language exchange")
      // Tuesdays from 19 March 2030; Berlin moves to summer time on 31 March.
      const eventId = yield* createEvent(host, groupId, {
        title: "Tandem",
        start: "2030-03-19T19:00",
        end: "2030-03-19T21:00",
        timeZone: "Europe/Berlin",
        recurrence: { frequency: "weekly", byWeekday: ["TU"], count: 4 }
      })
      for (const occurrence of ["2030-03-19T19:00", "2030-03-26T19:00", "2030-04-02T19:00", "2030-04-09T19:00"]) {
        yield* rsvpOccurrence(ida, eventId, occurrence, "going")
      }
      // The first moved to the Wednesday, the last cancelled.
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${eventId}`, {
          token: host.token,
          body: { scope: "this", occurrence: "2030-03-19T19:00", start: "2030-03-20T19:00", end: "2030-03-20T21:00" }
        }),
        200
      )
      expectStatus(
        yield* call("POST", `/api/v1/events/${eventId}/occurrences/2030-04-09T19:00/cancel`, {
          token: host.token,
          body: { reason: "Holiday" }
        }),
        200
      )
      yield* setReminders(ida, [60])

      // Winter (UTC+1): 19:00 is 18:00Z, reminded at 17:00Z; the moved one on its new day only.
      assert.strictEqual(yield* runAt("2030-03-19T17:00:00Z"), 0)
      assert.strictEqual(yield* runAt("2030-03-20T17:00:00Z"), 1)
      assert.strictEqual(yield* runAt("2030-03-26T16:00:00Z"), 0)
      assert.strictEqual(yield* runAt("2030-03-26T17:00:00Z"), 1)
      // Summer (UTC+2): 19:00 is 17:00Z, reminded at 16:00Z.
      assert.strictEqual(yield* runAt("2030-04-02T16:00:00Z"), 1)
      assert.strictEqual(yield* runAt("2030-04-02T17:00:00Z"), 0)
      // Cancelled.
      assert.strictEqual(yield* runAt("2030-04-09T16:00:00Z"), 0)

      assert.deepStrictEqual(yield* summary(ida), [
        [eventId, "2030-03-19T19:00", 60, "2030-03-20T18:00:00.000Z"],
        [eventId, "2030-03-26T19:00", 60, "2030-03-26T18:00:00.000Z"],
        [eventId, "2030-04-02T19:00", 60, "2030-04-02T17:00:00.000Z"]
      ])
      const [moved] = yield* remindersOf(ida)
      assert.strictEqual(moved?.data.start, "2030-03-20T19:00")
    })
  )

  it.effect("quiet hours hold a reminder's email only while it is still before the start", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Host")
      const early = yield* signUp("Early")
      const sleeper = yield* signUp("Sleeper")
      const groupId = yield* groupOf(host, [early, sleeper], "Swimmers")
      const eventId = yield* createEvent(host, groupId, {
        start: "2030-12-03T07:30",
        end: "2030-12-03T08:30",
        timeZone: "UTC"
      })
      for (const [user, end] of [
        [early, "07:00"],
        [sleeper, "08:00"]
      ] as const) {
        const quiet = yield* call("PATCH", "/api/v1/me/notification-preferences", {
          token: user.token,
          body: { quietHours: { start: "22:00", end }, eventReminders: [60] }
        })
        expectStatus(quiet, 200)
        yield* rsvp(user, eventId, "going")
      }
      assert.strictEqual(yield* runAt("2030-12-03T06:30:00Z"), 2)

      const sql = yield* SqlClient.SqlClient
      const emailsOf = (user: TestUser) =>
        Effect.gen(function* () {
          const ids = (yield* remindersOf(user)).map((item) => item.id)
          assert.strictEqual(ids.length, 1, "the in-app reminder arrives at once")
          const rows = yield* sql<{ readonly runAt: Date }>`
            SELECT j.run_at FROM graphile_worker._private_jobs j
            JOIN graphile_worker._private_tasks t ON t.id = j.task_id
            WHERE t.identifier = 'SendNotificationEmail' AND j.payload->>'notificationId' = ANY(${ids})`.pipe(
            Effect.orDie
          )
          return rows.map((row) => row.runAt.toISOString())
        })
      // Quiet until 07:00: the email waits until then, before the 07:30 start.
      assert.deepStrictEqual(yield* emailsOf(early), ["2030-12-03T07:00:00.000Z"])
      // Quiet until 08:00, after the start: no email at all.
      assert.deepStrictEqual(yield* emailsOf(sleeper), [])
    })
  )

  it.effect("someone removed from a private group is not reminded", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const stays = yield* signUp("Stays")
      const removed = yield* signUp("Removed")
      const groupId = yield* groupOf(owner, [stays, removed], "Closed circle")
      const eventId = yield* createEvent(owner, groupId, {
        start: "2030-11-05T18:00",
        end: "2030-11-05T20:00",
        timeZone: "UTC"
      })
      yield* rsvp(stays, eventId, "going")
      yield* rsvp(removed, eventId, "going")
      expectStatus(
        yield* call("PATCH", `/api/v1/groups/${groupId}`, { token: owner.token, body: { visibility: "private" } }),
        200
      )
      expectStatus(
        yield* call("DELETE", `/api/v1/groups/${groupId}/members/${removed.userId}`, { token: owner.token }),
        204
      )

      assert.strictEqual(yield* runAt("2030-11-05T17:00:00Z"), 1)
      assert.deepStrictEqual(yield* summary(stays), [[eventId, null, 60, "2030-11-05T18:00:00.000Z"]])
      assert.deepStrictEqual(yield* summary(removed), [])
    })
  )
})
