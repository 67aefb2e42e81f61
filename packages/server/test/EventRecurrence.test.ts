import { assert, layer } from "@effect/vitest"
import { GroupId } from "@moim/domain/Groups/Group"
import { DateTime, Effect, Option, Ref } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

interface Occurrence {
  readonly eventId: string
  readonly occurrenceStart: string
  readonly start: string
  readonly end: string
  readonly startsAt: string
  readonly endsAt: string
  readonly status: string
  readonly cancelReason: string | null
  readonly location: { readonly name: string } | null
  readonly capacity: number | null
  readonly changed: boolean
  readonly goingCount: number
  readonly waitlistCount: number
  readonly viewer: {
    readonly rsvp: string | null
    readonly waitlisted: boolean
    readonly waitlistPosition: number | null
  }
}

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const host = Effect.gen(function* () {
  const owner = yield* signUp("Host")
  const groupId = yield* createGroup(owner, { name: "Language exchange" })
  return { owner, groupId }
})

/** A two-hour event from 19:00 on `day`, Berlin time, with `recurrence`. */
const createSeries = (owner: TestUser, groupId: string, day: string, recurrence: Record<string, unknown>) =>
  call("POST", `/api/v1/groups/${groupId}/events`, {
    token: owner.token,
    body: {
      title: "Language exchange",
      start: `${day}T19:00`,
      end: `${day}T21:00`,
      timeZone: "Europe/Berlin",
      recurrence
    }
  })

const occurrences = (eventId: string, from: string, to: string, token?: string) =>
  Effect.map(
    call("GET", `/api/v1/events/${eventId}/occurrences?from=${from}T00:00:00.000Z&to=${to}T00:00:00.000Z`, {
      token
    }),
    (response) => expectStatus(response, 200).body.items as ReadonlyArray<Occurrence>
  )

/** A public group with its owner and `members` members. */
const community = (members: number) =>
  Effect.gen(function* () {
    const owner = yield* signUp("Host")
    const groupId = yield* createGroup(owner, { name: "Tandem" })
    const people = yield* Effect.forEach(
      Array.from({ length: members }, (_, i) => i),
      (i) =>
        Effect.tap(signUp(`Learner ${i}`), (user) =>
          Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), (response) =>
            expectStatus(response, 200)
          )
        ),
      { concurrency: 4 }
    )
    return { owner, groupId, people }
  })

const seriesId = (response: JsonResponse) => String(expectStatus(response, 201).body.id)

const answer = (user: TestUser, eventId: string, occurrence: string, status: string) =>
  call("PUT", `/api/v1/events/${eventId}/occurrences/${occurrence}/rsvp`, { token: user.token, body: { status } })

const edit = (user: TestUser, eventId: string, body: Record<string, unknown>) =>
  call("PATCH", `/api/v1/events/${eventId}`, { token: user.token, body })

const starts = (items: ReadonlyArray<Occurrence>) => items.map((item) => item.occurrenceStart)

const instants = (items: ReadonlyArray<Occurrence>) => items.map((item) => [item.start, item.startsAt])

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Event recurrence", (it) => {
  it.effect("a weekly Tuesday 19:00 Berlin series stays 19:00 local across both daylight-saving changes", () =>
    Effect.gen(function* () {
      const { owner, groupId } = yield* host
      const created = expectStatus(
        yield* createSeries(owner, groupId, "2027-01-05", { frequency: "weekly", byWeekday: ["TU"], count: 52 }),
        201
      ).body
      assert.deepStrictEqual(created.recurrence, { frequency: "weekly", byWeekday: ["TU"], count: 52 })
      assert.strictEqual(created.rrule, "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=52")
      const id = String(created.id)

      // Clocks go forward on Sunday 28 March 2027: 18:00Z before, 17:00Z after.
      assert.deepStrictEqual(instants(yield* occurrences(id, "2027-03-15", "2027-04-10")), [
        ["2027-03-16T19:00", "2027-03-16T18:00:00.000Z"],
        ["2027-03-23T19:00", "2027-03-23T18:00:00.000Z"],
        ["2027-03-30T19:00", "2027-03-30T17:00:00.000Z"],
        ["2027-04-06T19:00", "2027-04-06T17:00:00.000Z"]
      ])
      // And back on Sunday 31 October 2027.
      const autumn = yield* occurrences(id, "2027-10-15", "2027-11-10")
      assert.deepStrictEqual(instants(autumn), [
        ["2027-10-19T19:00", "2027-10-19T17:00:00.000Z"],
        ["2027-10-26T19:00", "2027-10-26T17:00:00.000Z"],
        ["2027-11-02T19:00", "2027-11-02T18:00:00.000Z"],
        ["2027-11-09T19:00", "2027-11-09T18:00:00.000Z"]
      ])
      assert.deepInclude(autumn[2], {
        eventId: id,
        occurrenceStart: "2027-11-02T19:00",
        end: "2027-11-02T21:00",
        endsAt: "2027-11-02T20:00:00.000Z",
        status: "scheduled"
      })

      // A daily 02:30 falls in the hour skipped on 28 March: it is read as after the gap, 03:30 CEST.
      const early = seriesId(
        yield* call("POST", `/api/v1/groups/${groupId}/events`, {
          token: owner.token,
          body: {
            title: "Night walk",
            start: "2027-03-27T02:30",
            end: "2027-03-27T03:00",
            timeZone: "Europe/Berlin",
            recurrence: { frequency: "daily", count: 3 }
          }
        })
      )
      assert.deepStrictEqual(instants(yield* occurrences(early, "2027-03-26", "2027-03-31")), [
        ["2027-03-27T02:30", "2027-03-27T01:30:00.000Z"],
        ["2027-03-28T02:30", "2027-03-28T01:30:00.000Z"],
        ["2027-03-29T02:30", "2027-03-29T00:30:00.000Z"]
      ])
      const skipped = (yield* occurrences(early, "2027-03-28", "2027-03-29"))[0]
      assert.deepStrictEqual(
        [skipped?.startsAt, skipped?.endsAt],
        ["2027-03-28T01:30:00.000Z", "2027-03-28T02:00:00.000Z"]
      )

      // The 52nd and last is on 28 December; nothing after it.
      const last = yield* occurrences(id, "2027-12-20", "2028-01-15")
      assert.deepStrictEqual(
        last.map((item) => item.start),
        ["2027-12-21T19:00", "2027-12-28T19:00"]
      )

      // The group's calendar finds the series by a later occurrence, not only by its first.
      const listed = expectStatus(
        yield* call(
          "GET",
          `/api/v1/groups/${groupId}/events?from=2027-10-01T00:00:00.000Z&to=2027-11-01T00:00:00.000Z`,
          { token: owner.token }
        ),
        200
      ).body.items as ReadonlyArray<{ id: string }>
      assert.deepStrictEqual(
        listed.map((event) => event.id),
        [id]
      )
    })
  )

  it.effect("monthly on the 2nd Tuesday, and a series bounded by `until`", () =>
    Effect.gen(function* () {
      const { owner, groupId } = yield* host
      const monthly = expectStatus(
        yield* createSeries(owner, groupId, "2027-01-12", {
          frequency: "monthly",
          byWeekday: ["TU"],
          bySetPos: 2,
          count: 4
        }),
        201
      ).body
      assert.strictEqual(monthly.rrule, "RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=TU;BYSETPOS=2;COUNT=4")
      assert.deepStrictEqual(
        (yield* occurrences(String(monthly.id), "2027-01-01", "2027-04-01")).map((item) => item.start),
        ["2027-01-12T19:00", "2027-02-09T19:00", "2027-03-09T19:00"]
      )
      assert.deepStrictEqual(
        (yield* occurrences(String(monthly.id), "2027-04-01", "2027-07-01")).map((item) => item.startsAt),
        ["2027-04-13T17:00:00.000Z"]
      )

      // Every other day until the 9th at 19:00 (the last start, inclusive).
      const until = expectStatus(
        yield* createSeries(owner, groupId, "2027-01-05", {
          frequency: "daily",
          interval: 2,
          until: "2027-01-09T19:00"
        }),
        201
      ).body
      assert.strictEqual(until.rrule, "RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20270109T180000Z")
      assert.deepStrictEqual(
        (yield* occurrences(String(until.id), "2027-01-01", "2027-02-01")).map((item) => item.start),
        ["2027-01-05T19:00", "2027-01-07T19:00", "2027-01-09T19:00"]
      )

      // A single event has one occurrence.
      const single = expectStatus(
        yield* call("POST", `/api/v1/groups/${groupId}/events`, {
          token: owner.token,
          body: { title: "Once", start: "2027-05-04T19:00", end: "2027-05-04T20:00", timeZone: "Europe/Berlin" }
        }),
        201
      ).body
      assert.deepStrictEqual([single.recurrence, single.rrule], [null, null])
      assert.deepStrictEqual(instants(yield* occurrences(String(single.id), "2027-05-01", "2027-06-01")), [
        ["2027-05-04T19:00", "2027-05-04T17:00:00.000Z"]
      ])
    })
  )

  it.effect("a rule that does not fit together is a typed 400", () =>
    Effect.gen(function* () {
      const { owner, groupId } = yield* host
      const refused = (recurrence: Record<string, unknown>, tag?: string) =>
        Effect.map(createSeries(owner, groupId, "2027-01-05", recurrence), (response) =>
          expectStatus(response, 400, tag)
        )
      yield* refused({ frequency: "weekly" }, "InvalidRecurrence")
      yield* refused({ frequency: "weekly", count: 3, until: "2027-02-01T19:00" }, "InvalidRecurrence")
      yield* refused({ frequency: "daily", until: "2029-02-01T19:00" }, "InvalidRecurrence")
      yield* refused({ frequency: "daily", until: "2026-12-01T19:00" }, "InvalidRecurrence")
      yield* refused({ frequency: "weekly", byWeekday: ["TU"], bySetPos: 2, count: 3 }, "InvalidRecurrence")
      yield* refused({ frequency: "monthly", byWeekday: ["TU", "WE"], bySetPos: 2, count: 3 }, "InvalidRecurrence")
      yield* refused({ frequency: "daily", byWeekday: ["TU"], count: 3 }, "InvalidRecurrence")
      yield* refused({ frequency: "weekly", byMonthDay: [1], count: 3 }, "InvalidRecurrence")
      // 5 January 2027 is a Tuesday, not a Wednesday.
      yield* refused({ frequency: "weekly", byWeekday: ["WE"], count: 3 }, "InvalidRecurrence")
      yield* refused({ frequency: "hourly", count: 3 })
      yield* refused({ frequency: "daily", count: 731 })
      yield* refused({ frequency: "daily", count: 0 })
      yield* refused({ frequency: "weekly", byWeekday: ["XX"], count: 3 })
      yield* refused({ frequency: "monthly", byMonthDay: [0], count: 3 })
      yield* refused({ frequency: "monthly", byWeekday: ["TU"], bySetPos: 6, count: 3 })
      yield* refused({ frequency: "daily", interval: 0, count: 3 })
      yield* refused({ frequency: "daily", until: "2027-02-30T19:00" })

      // The range of occurrences is capped like the calendars'.
      const event = expectStatus(
        yield* createSeries(owner, groupId, "2027-01-05", { frequency: "daily", count: 5 }),
        201
      ).body.id
      expectStatus(
        yield* call(
          "GET",
          `/api/v1/events/${event}/occurrences?from=2027-01-01T00:00:00.000Z&to=2027-06-01T00:00:00.000Z`
        ),
        400,
        "InvalidCalendarRange"
      )
      expectStatus(
        yield* call("GET", `/api/v1/events/${event}/occurrences?from=nonsense&to=2027-02-01T00:00:00.000Z`),
        400
      )
    })
  )

  it.effect("a series moved to another time or day keeps each occurrence's answers and changes", () =>
    Effect.gen(function* () {
      const { owner, groupId, people } = yield* community(2)
      const [ana, ben] = people
      if (ana === undefined || ben === undefined) return assert.fail("two members")
      const id = String(
        expectStatus(
          yield* createSeries(owner, groupId, "2027-01-05", { frequency: "weekly", byWeekday: ["TU"], count: 4 }),
          201
        ).body.id
      )
      const answer = (user: TestUser, occurrence: string) =>
        Effect.map(
          call("PUT", `/api/v1/events/${id}/occurrences/${occurrence}/rsvp`, {
            token: user.token,
            body: { status: "going" }
          }),
          (response) => expectStatus(response, 200)
        )
      yield* answer(ana, "2027-01-05T19:00")
      yield* answer(ben, "2027-01-19T19:00")
      expectStatus(
        yield* call("POST", `/api/v1/events/${id}/occurrences/2027-01-12T19:00/cancel`, {
          token: owner.token,
          body: { reason: "Holiday" }
        }),
        200
      )
      const state = (token: string) =>
        Effect.map(occurrences(id, "2027-01-01", "2027-03-01", token), (items) =>
          items.map((item) => [item.start, item.status, item.goingCount, item.viewer.rsvp])
        )

      // An hour later, same days: each occurrence keeps its answers and its cancellation.
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${id}`, {
          token: owner.token,
          body: { start: "2027-01-05T20:00", end: "2027-01-05T22:00" }
        }),
        200
      )
      assert.deepStrictEqual(yield* state(ana.token), [
        ["2027-01-05T20:00", "scheduled", 1, "going"],
        ["2027-01-12T20:00", "cancelled", 0, null],
        ["2027-01-19T20:00", "scheduled", 1, null],
        ["2027-01-26T20:00", "scheduled", 0, null]
      ])
      // Moved to Wednesdays: the same places in the series keep their answers; the cancellation was
      // about a Tuesday, and goes.
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${id}`, {
          token: owner.token,
          body: {
            start: "2027-01-06T20:00",
            end: "2027-01-06T22:00",
            recurrence: { frequency: "weekly", byWeekday: ["WE"], count: 4 }
          }
        }),
        200
      )
      assert.deepStrictEqual(yield* state(ben.token), [
        ["2027-01-06T20:00", "scheduled", 1, null],
        ["2027-01-13T20:00", "scheduled", 0, null],
        ["2027-01-20T20:00", "scheduled", 1, "going"],
        ["2027-01-27T20:00", "scheduled", 0, null]
      ])
    })
  )

  it.effect("editing the whole series changes every occurrence; null makes it a single event", () =>
    Effect.gen(function* () {
      const { owner, groupId } = yield* host
      const id = String(
        expectStatus(
          yield* createSeries(owner, groupId, "2027-01-05", { frequency: "weekly", byWeekday: ["TU"], count: 10 }),
          201
        ).body.id
      )
      const moved = yield* call("PATCH", `/api/v1/events/${id}`, {
        token: owner.token,
        body: {
          start: "2027-01-07T18:30",
          end: "2027-01-07T20:00",
          recurrence: { frequency: "weekly", byWeekday: ["TH"], until: "2027-01-21T18:30" }
        }
      })
      assert.strictEqual(
        expectStatus(moved, 200).body.rrule,
        "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TH;UNTIL=20270121T173000Z"
      )
      assert.deepStrictEqual(
        (yield* occurrences(id, "2027-01-01", "2027-03-01")).map((item) => [item.start, item.end]),
        [
          ["2027-01-07T18:30", "2027-01-07T20:00"],
          ["2027-01-14T18:30", "2027-01-14T20:00"],
          ["2027-01-21T18:30", "2027-01-21T20:00"]
        ]
      )
      // Other edits keep the rule.
      const renamed = expectStatus(
        yield* call("PATCH", `/api/v1/events/${id}`, { token: owner.token, body: { title: "Tandem" } }),
        200
      ).body
      assert.deepStrictEqual(renamed.recurrence, { frequency: "weekly", byWeekday: ["TH"], until: "2027-01-21T18:30" })
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${id}`, {
          token: owner.token,
          body: { recurrence: { frequency: "weekly", count: 3, until: "2027-01-21T18:30" } }
        }),
        400,
        "InvalidRecurrence"
      )
      const single = expectStatus(
        yield* call("PATCH", `/api/v1/events/${id}`, { token: owner.token, body: { recurrence: null } }),
        200
      ).body
      assert.deepStrictEqual([single.recurrence, single.rrule], [null, null])
      assert.strictEqual((yield* occurrences(id, "2027-01-01", "2027-03-01")).length, 1)

      // A cancelled event's occurrences are cancelled.
      expectStatus(
        yield* call("POST", `/api/v1/events/${id}/cancel`, { token: owner.token, body: { reason: "Summer break" } }),
        200
      )
      assert.deepStrictEqual(
        (yield* occurrences(id, "2027-01-01", "2027-03-01")).map((item) => item.status),
        ["cancelled"]
      )
    })
  )

  it.effect("the same flows over RPC", () => {
    const token = Ref.makeUnsafe(Option.none<string>())
    return withRpcClient("http", Ref.get(token), (client) =>
      Effect.gen(function* () {
        const { owner, groupId } = yield* host
        yield* Ref.set(token, Option.some(owner.token))
        const event = yield* client.CreateEvent({
          id: GroupId.make(groupId),
          title: "RPC series",
          start: "2027-03-23T19:00",
          end: "2027-03-23T21:00",
          timeZone: "Europe/Berlin",
          recurrence: { frequency: "weekly", byWeekday: ["TU"], count: 2 }
        })
        assert.strictEqual(event.rrule, "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=2")
        const listed = yield* client.ListEventOccurrences({
          id: event.id,
          from: DateTime.makeUnsafe("2027-03-01T00:00:00.000Z"),
          to: DateTime.makeUnsafe("2027-04-15T00:00:00.000Z")
        })
        assert.deepStrictEqual(
          listed.items.map((item) => DateTime.formatIso(item.startsAt)),
          ["2027-03-23T18:00:00.000Z", "2027-03-30T17:00:00.000Z"]
        )
        const refused = yield* Effect.flip(
          client.UpdateEvent({ id: event.id, recurrence: { frequency: "weekly", count: 2, until: "2027-04-30T19:00" } })
        )
        assert.strictEqual(refused._tag, "InvalidRecurrence")
        const cancelled = yield* client.CancelEventOccurrence({
          id: event.id,
          occurrence: "2027-03-30T19:00",
          reason: "Easter"
        })
        assert.strictEqual(cancelled.status, "cancelled")
        const answered = yield* client.RsvpToEventOccurrence({
          id: event.id,
          occurrence: "2027-03-23T19:00",
          status: "interested"
        })
        assert.deepStrictEqual([answered.status, answered.occurrence.interestedCount], ["interested", 1])
      })
    )
  })

  it.effect("one occurrence is cancelled, another moved elsewhere with its own capacity", () =>
    Effect.gen(function* () {
      const { owner, groupId, people } = yield* community(1)
      const [member] = people
      if (member === undefined) return assert.fail("a member")
      const id = seriesId(
        yield* call("POST", `/api/v1/groups/${groupId}/events`, {
          token: owner.token,
          body: {
            title: "Tandem",
            location: { name: "Café Kranzler" },
            start: "2027-01-05T19:00",
            end: "2027-01-05T21:00",
            timeZone: "Europe/Berlin",
            capacity: 10,
            recurrence: { frequency: "weekly", byWeekday: ["TU"], count: 4 }
          }
        })
      )
      const cancelled = expectStatus(
        yield* call("POST", `/api/v1/events/${id}/occurrences/2027-01-12T19:00/cancel`, {
          token: owner.token,
          body: { reason: "Holiday" }
        }),
        200
      ).body
      assert.deepInclude(cancelled, { status: "cancelled", cancelReason: "Holiday", changed: true })
      expectStatus(
        yield* call("POST", `/api/v1/events/${id}/occurrences/2027-01-12T19:00/cancel`, {
          token: owner.token,
          body: { reason: "Holiday" }
        }),
        409,
        "EventCancelled"
      )
      expectStatus(
        yield* call("POST", `/api/v1/events/${id}/occurrences/2027-01-13T19:00/cancel`, {
          token: owner.token,
          body: { reason: "Holiday" }
        }),
        404,
        "OccurrenceNotFound"
      )
      expectStatus(
        yield* call("POST", `/api/v1/events/${id}/occurrences/2027-01-19T19:00/cancel`, {
          token: member.token,
          body: { reason: "Mine" }
        }),
        403,
        "Forbidden"
      )

      // `this`: one occurrence an hour later, in the park, with 2 seats.
      expectStatus(
        yield* edit(owner, id, {
          scope: "this",
          occurrence: "2027-01-19T19:00",
          start: "2027-01-19T20:00",
          end: "2027-01-19T22:00",
          location: { name: "Volkspark" },
          capacity: 2
        }),
        200
      )
      expectStatus(
        yield* edit(owner, id, { scope: "this", occurrence: "2027-01-19T19:00", title: "No" }),
        400,
        "InvalidEditScope"
      )
      expectStatus(yield* edit(owner, id, { scope: "this", start: "2027-01-19T20:00" }), 400, "InvalidEditScope")
      expectStatus(
        yield* edit(owner, id, { scope: "this", occurrence: "2027-01-19T19:00", end: "2027-01-19T18:00" }),
        400,
        "InvalidEventTime"
      )

      const listed = yield* occurrences(id, "2027-01-01", "2027-02-01", member.token)
      assert.deepStrictEqual(
        listed.map((item) => [
          item.occurrenceStart,
          item.start,
          item.startsAt,
          item.status,
          item.location?.name,
          item.capacity
        ]),
        [
          ["2027-01-05T19:00", "2027-01-05T19:00", "2027-01-05T18:00:00.000Z", "scheduled", "Café Kranzler", 10],
          ["2027-01-12T19:00", "2027-01-12T19:00", "2027-01-12T18:00:00.000Z", "cancelled", "Café Kranzler", 10],
          ["2027-01-19T19:00", "2027-01-19T20:00", "2027-01-19T19:00:00.000Z", "scheduled", "Volkspark", 2],
          ["2027-01-26T19:00", "2027-01-26T19:00", "2027-01-26T18:00:00.000Z", "scheduled", "Café Kranzler", 10]
        ]
      )

      // Answers are per occurrence; a cancelled one takes none; a series is not answered as a whole.
      const going = expectStatus(yield* answer(member, id, "2027-01-19T19:00", "going"), 200).body
      assert.deepInclude(going, { occurrenceStart: "2027-01-19T19:00", status: "going", waitlisted: false })
      expectStatus(yield* answer(member, id, "2027-01-12T19:00", "going"), 409, "EventCancelled")
      expectStatus(yield* answer(member, id, "2027-01-20T19:00", "going"), 404, "OccurrenceNotFound")
      expectStatus(
        yield* call("PUT", `/api/v1/events/${id}/rsvp`, { token: member.token, body: { status: "going" } }),
        404,
        "OccurrenceNotFound"
      )
      const mine = yield* occurrences(id, "2027-01-01", "2027-02-01", member.token)
      assert.deepStrictEqual(
        mine.map((item) => [item.viewer.rsvp, item.goingCount]),
        [
          [null, 0],
          [null, 0],
          ["going", 1],
          [null, 0]
        ]
      )

      // The calendars show the occurrences, with my answer for each.
      const calendar = expectStatus(
        yield* call("GET", "/api/v1/me/calendar?from=2027-01-15T00:00:00.000Z&to=2027-02-01T00:00:00.000Z", {
          token: member.token
        }),
        200
      ).body.items as ReadonlyArray<{ id: string; occurrences: ReadonlyArray<Occurrence> }>
      assert.deepStrictEqual(
        calendar.map((event) => [event.id, event.occurrences.map((item) => [item.start, item.viewer.rsvp])]),
        [
          [
            id,
            [
              ["2027-01-19T20:00", "going"],
              ["2027-01-26T19:00", null]
            ]
          ]
        ]
      )
      const inGroup = expectStatus(
        yield* call(
          "GET",
          `/api/v1/groups/${groupId}/events?from=2027-01-01T00:00:00.000Z&to=2027-01-15T00:00:00.000Z`,
          { token: member.token }
        ),
        200
      ).body.items as ReadonlyArray<{ occurrences: ReadonlyArray<Occurrence> }>
      assert.deepStrictEqual(
        inGroup.map((event) => event.occurrences.map((item) => item.status)),
        [["scheduled", "cancelled"]]
      )
    })
  )

  it.effect("16 simultaneous answers for one occurrence's 4 seats: 4 going, 12 waiting, in order", () =>
    Effect.gen(function* () {
      const { owner, groupId, people } = yield* community(16)
      const id = seriesId(
        yield* call("POST", `/api/v1/groups/${groupId}/events`, {
          token: owner.token,
          body: {
            title: "Tandem",
            start: "2027-01-05T19:00",
            end: "2027-01-05T21:00",
            timeZone: "Europe/Berlin",
            capacity: 4,
            recurrence: { frequency: "weekly", count: 3 }
          }
        })
      )
      const occurrence = "2027-01-12T19:00"
      const answers = yield* Effect.all(
        people.map((person) => answer(person, id, occurrence, "going")),
        { concurrency: "unbounded" }
      )
      const bodies = answers.map((response) => expectStatus(response, 200).body)
      assert.strictEqual(bodies.filter((body) => body.waitlisted === false).length, 4)
      assert.deepStrictEqual(
        bodies
          .flatMap((body) => (body.waitlisted === true ? [Number(body.waitlistPosition)] : []))
          .sort((a, b) => a - b),
        Array.from({ length: 12 }, (_, i) => i + 1)
      )
      const sql = yield* SqlClient.SqlClient
      const order = yield* sql<{ readonly userId: string; readonly waitlisted: boolean }>`
        SELECT user_id, waitlisted FROM event_rsvps WHERE event_id = ${id} AND occurrence = ${occurrence}
        ORDER BY seq`.pipe(Effect.orDie)
      assert.deepStrictEqual(
        order.map((row) => row.waitlisted),
        [...Array(4).fill(false), ...Array(12).fill(true)]
      )
      const counts = (yield* occurrences(id, "2027-01-01", "2027-02-01")).map((item) => [
        item.goingCount,
        item.waitlistCount
      ])
      assert.deepStrictEqual(counts, [
        [0, 0],
        [4, 12],
        [0, 0]
      ])

      // A seat freed goes to the first person waiting for that occurrence.
      const seated = people.find((person) => person.userId === order[0]?.userId)
      const first = people.find((person) => person.userId === order[4]?.userId)
      if (seated === undefined || first === undefined) return assert.fail("known people")
      expectStatus(yield* answer(seated, id, occurrence, "not_going"), 200)
      const promoted = yield* occurrences(id, "2027-01-10", "2027-01-15", first.token)
      assert.deepInclude(promoted[0]?.viewer, { rsvp: "going", waitlisted: false })
      assert.deepStrictEqual([promoted[0]?.goingCount, promoted[0]?.waitlistCount], [4, 11])

      // More seats for this occurrence alone promote in order.
      expectStatus(yield* edit(owner, id, { scope: "this", occurrence, capacity: 6 }), 200)
      const grown = yield* occurrences(id, "2027-01-10", "2027-01-15")
      assert.deepStrictEqual([grown[0]?.capacity, grown[0]?.goingCount, grown[0]?.waitlistCount], [6, 6, 9])
    })
  )

  it.effect("this and following splits the series; all drops the changes of occurrences it no longer has", () =>
    Effect.gen(function* () {
      const { owner, groupId, people } = yield* community(1)
      const [member] = people
      if (member === undefined) return assert.fail("a member")
      const id = seriesId(
        yield* createSeries(owner, groupId, "2027-01-05", { frequency: "weekly", byWeekday: ["TU"], count: 8 })
      )
      expectStatus(yield* answer(member, id, "2027-01-12T19:00", "going"), 200)
      expectStatus(yield* answer(member, id, "2027-02-09T19:00", "interested"), 200)
      expectStatus(
        yield* call("POST", `/api/v1/events/${id}/occurrences/2027-02-16T19:00/cancel`, {
          token: owner.token,
          body: { reason: "Carnival" }
        }),
        200
      )

      const split = expectStatus(
        yield* edit(owner, id, {
          scope: "thisAndFollowing",
          occurrence: "2027-02-02T19:00",
          title: "Tandem, new room"
        }),
        200
      ).body
      const later = String(split.id)
      assert.notStrictEqual(later, id)
      assert.deepInclude(split, { title: "Tandem, new room", start: "2027-02-02T19:00", groupId })
      assert.deepStrictEqual(split.recurrence, { frequency: "weekly", byWeekday: ["TU"], count: 4 })
      const earlier = expectStatus(yield* call("GET", `/api/v1/events/${id}`), 200).body
      assert.deepStrictEqual(earlier.recurrence, { frequency: "weekly", byWeekday: ["TU"], until: "2027-01-26T19:00" })
      assert.strictEqual(earlier.title, "Language exchange")

      assert.deepStrictEqual(starts(yield* occurrences(id, "2027-01-01", "2027-03-31", member.token)), [
        "2027-01-05T19:00",
        "2027-01-12T19:00",
        "2027-01-19T19:00",
        "2027-01-26T19:00"
      ])
      const following = yield* occurrences(later, "2027-01-01", "2027-03-31", member.token)
      assert.deepStrictEqual(
        following.map((item) => [item.occurrenceStart, item.status, item.viewer.rsvp]),
        [
          ["2027-02-02T19:00", "scheduled", null],
          ["2027-02-09T19:00", "scheduled", "interested"],
          ["2027-02-16T19:00", "cancelled", null],
          ["2027-02-23T19:00", "scheduled", null]
        ]
      )

      // `all` on the later series: a title keeps the changes; another weekday drops them, and the
      // answers follow the occurrences' places in the series.
      expectStatus(yield* edit(owner, later, { scope: "all", title: "Tandem" }), 200)
      assert.strictEqual(
        (yield* occurrences(later, "2027-02-01", "2027-03-31")).filter((item) => item.changed).length,
        1
      )
      expectStatus(
        yield* edit(owner, later, {
          start: "2027-02-03T19:00",
          end: "2027-02-03T21:00",
          recurrence: { frequency: "weekly", byWeekday: ["WE"], count: 4 }
        }),
        200
      )
      const moved = yield* occurrences(later, "2027-02-01", "2027-03-31", member.token)
      assert.deepStrictEqual(
        moved.map((item) => [item.occurrenceStart, item.status, item.changed, item.viewer.rsvp]),
        [
          ["2027-02-03T19:00", "scheduled", false, null],
          ["2027-02-10T19:00", "scheduled", false, "interested"],
          ["2027-02-17T19:00", "scheduled", false, null],
          ["2027-02-24T19:00", "scheduled", false, null]
        ]
      )

      // Splitting at the first occurrence is `all`; a single event has no scopes.
      const whole = expectStatus(
        yield* edit(owner, id, { scope: "thisAndFollowing", occurrence: "2027-01-05T19:00", title: "All of it" }),
        200
      ).body
      assert.deepStrictEqual([whole.id, whole.title], [id, "All of it"])
      const single = seriesId(
        yield* call("POST", `/api/v1/groups/${groupId}/events`, {
          token: owner.token,
          body: { title: "Once", start: "2027-05-04T19:00", end: "2027-05-04T20:00", timeZone: "Europe/Berlin" }
        })
      )
      expectStatus(
        yield* edit(owner, single, { scope: "this", occurrence: "2027-05-04T19:00", capacity: 3 }),
        400,
        "InvalidEditScope"
      )
      // Its one occurrence is answered like the event.
      expectStatus(yield* answer(member, single, "2027-05-04T19:00", "going"), 200)
      const event = expectStatus(yield* call("GET", `/api/v1/events/${single}`, { token: member.token }), 200).body
      assert.deepInclude(event, { goingCount: 1 })
      assert.strictEqual((event.viewer as { rsvp: string }).rsvp, "going")
    })
  )
})
