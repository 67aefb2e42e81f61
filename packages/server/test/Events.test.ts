import { assert, layer } from "@effect/vitest"
import { GroupId } from "@moim/domain/Groups/Group"
import { DateTime, Effect, Option, Ref } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

interface Viewer {
  readonly rsvp: string | null
  readonly waitlisted: boolean
  readonly waitlistPosition: number | null
  readonly canEdit: boolean
}

interface ListedEvent {
  readonly id: string
  readonly title: string
  readonly startsAt: string
  readonly status: string
  readonly goingCount: number
  readonly waitlistCount: number
  readonly interestedCount: number
  readonly viewer: Viewer
}

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const items = (response: JsonResponse) => expectStatus(response, 200).body.items as ReadonlyArray<ListedEvent>

const join = (user: TestUser, groupId: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), (response) =>
    expectStatus(response, 200)
  )

/** A year from now, so that events are upcoming whenever the test runs. */
const nextYear = new Date().getUTCFullYear() + 1

const createEvent = (host: TestUser, groupId: string, body: Record<string, unknown> = {}) =>
  Effect.map(
    call("POST", `/api/v1/groups/${groupId}/events`, {
      token: host.token,
      body: {
        title: "Saturday walk",
        start: `${nextYear}-07-11T10:00`,
        end: `${nextYear}-07-11T13:00`,
        timeZone: "Europe/Berlin",
        ...body
      }
    }),
    (response) => String(expectStatus(response, 201).body.id)
  )

const rsvp = (user: TestUser, eventId: string, status: string) =>
  call("PUT", `/api/v1/events/${eventId}/rsvp`, { token: user.token, body: { status } })

const viewerOf = (user: TestUser, eventId: string) =>
  Effect.map(
    call("GET", `/api/v1/events/${eventId}`, { token: user.token }),
    (response) => expectStatus(response, 200).body.viewer as Viewer
  )

/** A public group with its owner and `members` members. */
const community = (members: number) =>
  Effect.gen(function* () {
    const owner = yield* signUp("Owner")
    const groupId = yield* createGroup(owner, { name: "Hikers" })
    const people = yield* Effect.forEach(
      Array.from({ length: members }, (_, i) => i),
      (i) => Effect.tap(signUp(`Hiker ${i}`), (user) => join(user, groupId)),
      { concurrency: 4 }
    )
    return { owner, groupId, people }
  })

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Events", (it) => {
  it.effect("an event keeps its wall-clock time and zone, and its instants follow the zone's rules", () =>
    Effect.gen(function* () {
      const { owner, groupId } = yield* community(0)
      const summer = yield* call("POST", `/api/v1/groups/${groupId}/events`, {
        token: owner.token,
        body: {
          title: "  Summer talk  ",
          description: "Bring water",
          location: { name: "Tempelhofer Feld", latitude: 52.4731, longitude: 13.4018 },
          onlineUrl: "https://meet.example.com/summer",
          start: "2030-07-16T19:00",
          end: "2030-07-16T21:00",
          timeZone: "Europe/Berlin",
          capacity: 10
        }
      })
      assert.deepInclude(expectStatus(summer, 201).body, {
        title: "Summer talk",
        start: "2030-07-16T19:00",
        timeZone: "Europe/Berlin",
        startsAt: "2030-07-16T17:00:00.000Z",
        endsAt: "2030-07-16T19:00:00.000Z",
        status: "scheduled",
        goingCount: 0,
        allDay: false
      })
      assert.deepStrictEqual(summer.body.location, { name: "Tempelhofer Feld", latitude: 52.4731, longitude: 13.4018 })
      assert.deepStrictEqual(summer.body.viewer, {
        rsvp: null,
        waitlisted: false,
        waitlistPosition: null,
        canEdit: true
      })
      assert.deepStrictEqual(
        (summer.body.hosts as ReadonlyArray<{ user: { id: string }; role: string }>).map((host) => [
          host.user.id,
          host.role
        ]),
        [[owner.userId, "host"]]
      )
      const winter = yield* createEvent(owner, groupId, {
        start: "2031-01-14T19:00",
        end: "2031-01-14T21:00",
        timeZone: "Europe/Berlin"
      })
      const read = expectStatus(yield* call("GET", `/api/v1/events/${winter}`), 200).body
      assert.deepInclude(read, { startsAt: "2031-01-14T18:00:00.000Z", endsAt: "2031-01-14T20:00:00.000Z" })
      assert.strictEqual((read.viewer as Viewer).canEdit, false, "anonymous readers may not edit")

      // Moving it to New York keeps 19:00 there.
      const moved = yield* call("PATCH", `/api/v1/events/${winter}`, {
        token: owner.token,
        body: { timeZone: "America/New_York" }
      })
      assert.deepInclude(expectStatus(moved, 200).body, {
        start: "2031-01-14T19:00",
        startsAt: "2031-01-15T00:00:00.000Z"
      })

      const bad = (body: Record<string, unknown>) =>
        call("POST", `/api/v1/groups/${groupId}/events`, {
          token: owner.token,
          body: { title: "Bad", start: "2030-07-16T19:00", end: "2030-07-16T21:00", timeZone: "Europe/Berlin", ...body }
        })
      expectStatus(yield* bad({ timeZone: "Mars/Olympus" }), 400, "InvalidRequest")
      expectStatus(yield* bad({ start: "2030-02-30T19:00" }), 400, "InvalidRequest")
      expectStatus(yield* bad({ start: "2030-07-16T24:00" }), 400, "InvalidRequest")
      expectStatus(yield* bad({ end: "2030-07-16T18:00" }), 400, "InvalidEventTime")
      expectStatus(yield* bad({ location: { name: "Half", latitude: 10 } }), 400, "InvalidEventTime")
      expectStatus(yield* bad({ capacity: 0 }), 400, "InvalidRequest")
    })
  )

  it.effect("16 simultaneous RSVPs for 4 seats: 4 going, 12 waiting in arrival order, exact counts", () =>
    Effect.gen(function* () {
      const { owner, groupId, people } = yield* community(16)
      const eventId = yield* createEvent(owner, groupId, { capacity: 4 })
      const answers = yield* Effect.all(
        people.map((person) => rsvp(person, eventId, "going")),
        { concurrency: "unbounded" }
      )
      const bodies = answers.map((answer) => expectStatus(answer, 200).body)
      assert.isTrue(bodies.every((body) => body.status === "going"))
      assert.strictEqual(bodies.filter((body) => body.waitlisted === false).length, 4)
      const positions = bodies.flatMap((body) => (body.waitlisted === true ? [Number(body.waitlistPosition)] : []))
      assert.deepStrictEqual(
        [...positions].sort((a, b) => a - b),
        Array.from({ length: 12 }, (_, i) => i + 1)
      )

      // Arrival order: the seats went to the first four to get the event's lock, the waitlist follows
      // the order of everyone after them.
      const sql = yield* SqlClient.SqlClient
      const order = yield* sql<{ readonly userId: string; readonly waitlisted: boolean }>`
        SELECT user_id, waitlisted FROM event_rsvps WHERE event_id = ${eventId} ORDER BY seq`.pipe(Effect.orDie)
      assert.deepStrictEqual(
        order.map((row) => row.waitlisted),
        [...Array(4).fill(false), ...Array(12).fill(true)]
      )
      for (const [index, row] of order.slice(4).entries()) {
        const person = people.find((candidate) => candidate.userId === row.userId)
        if (person === undefined) return assert.fail("an unknown person answered")
        assert.strictEqual((yield* viewerOf(person, eventId)).waitlistPosition, index + 1)
      }
      const event = expectStatus(yield* call("GET", `/api/v1/events/${eventId}`), 200).body
      assert.deepInclude(event, { goingCount: 4, waitlistCount: 12, interestedCount: 0 })
      const attendees = expectStatus(yield* call("GET", `/api/v1/events/${eventId}/attendees?limit=3`), 200).body
      const firstPage = attendees.items as ReadonlyArray<{ user: { id: string } }>
      assert.deepStrictEqual(
        firstPage.map((attendee) => attendee.user.id),
        order.slice(0, 3).map((row) => row.userId)
      )
      const rest = expectStatus(
        yield* call("GET", `/api/v1/events/${eventId}/attendees?limit=3&cursor=${String(attendees.nextCursor)}`),
        200
      ).body
      assert.deepStrictEqual(
        (rest.items as ReadonlyArray<{ user: { id: string } }>).map((attendee) => attendee.user.id),
        [order[3]?.userId]
      )
      assert.strictEqual(rest.nextCursor, null)
    })
  )

  it.effect("a seat freed goes to the first person waiting; more seats promote more", () =>
    Effect.gen(function* () {
      const { owner, groupId, people } = yield* community(5)
      const [a, b, c, d, e] = people
      if (a === undefined || b === undefined || c === undefined || d === undefined || e === undefined) {
        return assert.fail("five members")
      }
      const eventId = yield* createEvent(owner, groupId, { capacity: 2 })
      for (const person of [a, b, c, d, e]) expectStatus(yield* rsvp(person, eventId, "going"), 200)
      assert.deepInclude(yield* viewerOf(d, eventId), { rsvp: "going", waitlisted: true, waitlistPosition: 2 })

      // Answering `going` again keeps one's place.
      assert.deepInclude(expectStatus(yield* rsvp(c, eventId, "going"), 200).body, { waitlistPosition: 1 })

      const left = expectStatus(yield* rsvp(a, eventId, "not_going"), 200).body
      assert.deepInclude(left, { status: "not_going", waitlisted: false })
      assert.deepInclude(left.event as Record<string, unknown>, { goingCount: 2, waitlistCount: 2 })
      assert.deepInclude(yield* viewerOf(c, eventId), { rsvp: "going", waitlisted: false, waitlistPosition: null })
      assert.deepInclude(yield* viewerOf(d, eventId), { waitlistPosition: 1 })

      // Someone waiting who gives up frees no seat but moves the others up.
      expectStatus(yield* rsvp(d, eventId, "interested"), 200)
      assert.deepInclude(yield* viewerOf(e, eventId), { waitlistPosition: 1 })
      const grown = yield* call("PATCH", `/api/v1/events/${eventId}`, { token: owner.token, body: { capacity: 5 } })
      assert.deepInclude(expectStatus(grown, 200).body, { goingCount: 3, waitlistCount: 0, interestedCount: 1 })
      assert.deepInclude(yield* viewerOf(e, eventId), { rsvp: "going", waitlisted: false })

      const sql = yield* SqlClient.SqlClient
      const jobs = yield* sql<{ readonly count: number }>`
        SELECT count(*)::int AS count FROM graphile_worker._private_jobs j
        JOIN graphile_worker._private_tasks t ON t.id = j.task_id
        WHERE t.identifier = 'NotifyEventPromoted' AND j.payload->>'eventId' = ${eventId}`.pipe(Effect.orDie)
      assert.strictEqual(jobs[0]?.count, 2, "one job per promotion")
    })
  )

  it.effect("no RSVP after the deadline or on a cancelled event, which stays readable", () =>
    Effect.gen(function* () {
      const { owner, groupId, people } = yield* community(1)
      const [member] = people
      if (member === undefined) return assert.fail("a member")
      const closed = yield* createEvent(owner, groupId, { rsvpDeadline: "2020-01-01T00:00:00.000Z" })
      expectStatus(yield* rsvp(member, closed, "going"), 409, "RsvpClosed")

      const eventId = yield* createEvent(owner, groupId)
      expectStatus(yield* rsvp(member, eventId, "interested"), 200)
      expectStatus(
        yield* call("POST", `/api/v1/events/${eventId}/cancel`, { token: member.token, body: { reason: "Mine" } }),
        403,
        "Forbidden"
      )
      const cancelled = yield* call("POST", `/api/v1/events/${eventId}/cancel`, {
        token: owner.token,
        body: { reason: "  Storm warning  " }
      })
      assert.deepInclude(expectStatus(cancelled, 200).body, { status: "cancelled", cancelReason: "Storm warning" })
      expectStatus(yield* rsvp(member, eventId, "going"), 409, "EventCancelled")
      expectStatus(
        yield* call("POST", `/api/v1/events/${eventId}/cancel`, { token: owner.token, body: { reason: "Again" } }),
        409,
        "EventCancelled"
      )
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${eventId}`, { token: owner.token, body: { title: "Back on" } }),
        409,
        "EventCancelled"
      )
      assert.deepInclude(expectStatus(yield* call("GET", `/api/v1/events/${eventId}`), 200).body, {
        status: "cancelled",
        interestedCount: 1
      })
    })
  )

  it.effect("co-hosts: members only, they edit, and the host removes them", () =>
    Effect.gen(function* () {
      const { owner, groupId, people } = yield* community(2)
      const [host, helper] = people
      if (host === undefined || helper === undefined) return assert.fail("two members")
      const outsider = yield* signUp("Outsider")
      const eventId = yield* createEvent(host, groupId)
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${eventId}`, { token: helper.token, body: { title: "Mine" } }),
        403,
        "Forbidden"
      )
      expectStatus(
        yield* call("PUT", `/api/v1/events/${eventId}/cohosts/${outsider.userId}`, { token: host.token }),
        409,
        "CoHostNotMember"
      )
      expectStatus(yield* call("PUT", `/api/v1/events/${eventId}/cohosts/${helper.userId}`, { token: host.token }), 200)
      assert.isTrue((yield* viewerOf(helper, eventId)).canEdit)
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${eventId}`, { token: helper.token, body: { title: "Our walk" } }),
        200
      )
      expectStatus(
        yield* call("DELETE", `/api/v1/events/${eventId}/cohosts/${helper.userId}`, { token: helper.token }),
        403,
        "Forbidden"
      )
      expectStatus(
        yield* call("DELETE", `/api/v1/events/${eventId}/cohosts/${helper.userId}`, { token: owner.token }),
        200
      )
      assert.isFalse((yield* viewerOf(helper, eventId)).canEdit)
    })
  )

  it.effect("lists: a group's upcoming events by start in pages, ranges, my calendar and my events", () =>
    Effect.gen(function* () {
      const { owner, groupId, people } = yield* community(1)
      const [member] = people
      if (member === undefined) return assert.fail("a member")
      const other = yield* createGroup(owner, { name: "Readers" })
      yield* join(member, other)
      const day = (d: number) => `${nextYear}-03-${String(d).padStart(2, "0")}`
      const ids: Array<string> = []
      for (const d of [5, 1, 3, 2, 4]) {
        ids[d] = yield* createEvent(owner, groupId, {
          title: `Day ${d}`,
          start: `${day(d)}T18:00`,
          end: `${day(d)}T20:00`,
          timeZone: "UTC"
        })
      }
      const elsewhere = yield* createEvent(owner, other, {
        title: "Book club",
        start: `${day(2)}T12:00`,
        end: `${day(2)}T13:00`,
        timeZone: "UTC"
      })
      const past = yield* createEvent(owner, groupId, {
        title: "Long ago",
        start: "2020-01-01T10:00",
        end: "2020-01-01T11:00",
        timeZone: "UTC"
      })

      const first = yield* call("GET", `/api/v1/groups/${groupId}/events?limit=3`)
      assert.deepStrictEqual(
        items(first).map((event) => event.title),
        ["Day 1", "Day 2", "Day 3"]
      )
      const second = yield* call(
        "GET",
        `/api/v1/groups/${groupId}/events?limit=3&cursor=${String(first.body.nextCursor)}`
      )
      assert.deepStrictEqual(
        items(second).map((event) => event.title),
        ["Day 4", "Day 5"]
      )
      assert.strictEqual(second.body.nextCursor, null)

      const range = `from=${day(2)}T00:00:00.000Z&to=${day(4)}T00:00:00.000Z`
      assert.deepStrictEqual(
        items(yield* call("GET", `/api/v1/groups/${groupId}/events?${range}`)).map((event) => event.title),
        ["Day 2", "Day 3"]
      )
      assert.deepStrictEqual(
        items(
          yield* call(
            "GET",
            `/api/v1/groups/${groupId}/events?from=2019-12-01T00:00:00.000Z&to=2020-02-01T00:00:00.000Z`
          )
        ).map((event) => event.id),
        [past]
      )
      expectStatus(
        yield* call("GET", `/api/v1/groups/${groupId}/events?from=${day(1)}T00:00:00.000Z`),
        400,
        "InvalidCalendarRange"
      )

      const calendar = yield* call("GET", `/api/v1/me/calendar?${range}`, { token: member.token })
      assert.deepStrictEqual(
        items(calendar).map((event) => event.title),
        ["Book club", "Day 2", "Day 3"]
      )
      expectStatus(
        yield* call(
          "GET",
          `/api/v1/me/calendar?from=${nextYear}-01-01T00:00:00.000Z&to=${nextYear}-04-04T00:00:00.000Z`,
          {
            token: member.token
          }
        ),
        400,
        "InvalidCalendarRange"
      )
      expectStatus(
        yield* call(
          "GET",
          `/api/v1/me/calendar?from=${nextYear}-01-01T00:00:00.000Z&to=${nextYear}-04-03T00:00:00.000Z`,
          {
            token: member.token
          }
        ),
        200
      )
      expectStatus(
        yield* call("GET", `/api/v1/me/calendar?from=${day(4)}T00:00:00.000Z&to=${day(2)}T00:00:00.000Z`, {
          token: member.token
        }),
        400,
        "InvalidCalendarRange"
      )

      expectStatus(yield* rsvp(member, ids[3] ?? "", "going"), 200)
      expectStatus(yield* rsvp(member, elsewhere, "interested"), 200)
      expectStatus(yield* rsvp(member, ids[4] ?? "", "not_going"), 200)
      const mine = items(yield* call("GET", "/api/v1/me/events", { token: member.token }))
      assert.deepStrictEqual(
        mine.map((event) => [event.title, event.viewer.rsvp]),
        [
          ["Book club", "interested"],
          ["Day 3", "going"]
        ]
      )
    })
  )

  it.effect("a private group's events do not exist for outsiders", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const outsider = yield* signUp("Outsider")
      const groupId = yield* createGroup(owner, { name: "Secret society", visibility: "private", joinPolicy: "invite" })
      const eventId = yield* createEvent(owner, groupId)
      expectStatus(yield* call("GET", `/api/v1/events/${eventId}`, { token: outsider.token }), 404, "EventNotFound")
      expectStatus(yield* call("GET", `/api/v1/events/${eventId}`), 404, "EventNotFound")
      expectStatus(yield* rsvp(outsider, eventId, "going"), 404, "EventNotFound")
      expectStatus(yield* call("GET", `/api/v1/groups/${groupId}/events`), 404, "GroupNotFound")
      assert.strictEqual(
        items(yield* call("GET", `/api/v1/groups/${groupId}/events`, { token: owner.token })).length,
        1
      )
    })
  )

  it.effect("the same flows over RPC", () => {
    const token = Ref.makeUnsafe(Option.none<string>())
    return withRpcClient("http", Ref.get(token), (client) =>
      Effect.gen(function* () {
        const { owner, groupId, people } = yield* community(2)
        const [first, second] = people
        if (first === undefined || second === undefined) return assert.fail("two members")
        yield* Ref.set(token, Option.some(owner.token))
        const event = yield* client.CreateEvent({
          id: GroupId.make(groupId),
          title: "RPC walk",
          start: "2030-07-16T19:00",
          end: "2030-07-16T21:00",
          timeZone: "Europe/Berlin",
          capacity: 1
        })
        assert.strictEqual(DateTime.formatIso(event.startsAt), "2030-07-16T17:00:00.000Z")
        yield* Ref.set(token, Option.some(first.token))
        assert.isFalse((yield* client.RsvpToEvent({ id: event.id, status: "going" })).waitlisted)
        yield* Ref.set(token, Option.some(second.token))
        const waiting = yield* client.RsvpToEvent({ id: event.id, status: "going" })
        assert.deepStrictEqual([waiting.waitlisted, waiting.waitlistPosition], [true, 1])
        const cancelled = yield* Effect.flip(client.CancelEvent({ id: event.id, reason: "Mine" }))
        assert.strictEqual(cancelled._tag, "Forbidden")
      })
    )
  })

  it.effect("who may create events is the group's setting: members by default, or only its owner and admins", () => {
    const token = Ref.makeUnsafe(Option.none<string>())
    return withRpcClient("http", Ref.get(token), (client) =>
      Effect.gen(function* () {
        const { owner, groupId, people } = yield* community(2)
        const [admin, member] = people
        if (admin === undefined || member === undefined) return assert.fail("two members")
        const outsider = yield* signUp("Passer-by")
        expectStatus(
          yield* call("PATCH", `/api/v1/groups/${groupId}/members/${admin.userId}`, {
            token: owner.token,
            body: { role: "admin" }
          }),
          200
        )
        const setting = (user: TestUser | null) =>
          Effect.map(
            call("GET", `/api/v1/groups/${groupId}`, user === null ? {} : { token: user.token }),
            (response) => {
              const body = expectStatus(response, 200).body
              const viewer = body.viewer as { readonly canCreateEvents: boolean } | null
              return [body.eventCreation, viewer === null ? null : viewer.canCreateEvents]
            }
          )

        // The default: every member creates events; nobody else.
        assert.deepStrictEqual(yield* setting(member), ["members", true])
        assert.deepStrictEqual(yield* setting(outsider), ["members", false])
        assert.deepStrictEqual(yield* setting(null), ["members", null])
        yield* createEvent(member, groupId, { title: "Members' walk" })

        // Only the owner and admins change it.
        expectStatus(
          yield* call("PATCH", `/api/v1/groups/${groupId}`, { token: member.token, body: { eventCreation: "admins" } }),
          403,
          "Forbidden"
        )
        assert.deepStrictEqual(yield* setting(member), ["members", true])
        const changed = yield* call("PATCH", `/api/v1/groups/${groupId}`, {
          token: owner.token,
          body: { eventCreation: "admins" }
        })
        assert.strictEqual(expectStatus(changed, 200).body.eventCreation, "admins")

        assert.deepStrictEqual(yield* setting(member), ["admins", false])
        assert.deepStrictEqual(yield* setting(admin), ["admins", true])
        assert.deepStrictEqual(yield* setting(owner), ["admins", true])
        assert.deepStrictEqual(yield* setting(outsider), ["admins", false])

        const body = { title: "Admins only", start: "2030-07-16T19:00", end: "2030-07-16T21:00", timeZone: "UTC" }
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/events`, { token: member.token, body }),
          403,
          "Forbidden"
        )
        yield* Ref.set(token, Option.some(member.token))
        const refused = yield* Effect.flip(client.CreateEvent({ id: GroupId.make(groupId), ...body }))
        assert.strictEqual(refused._tag, "Forbidden")
        yield* createEvent(admin, groupId, { title: "By the admin" })
        yield* Ref.set(token, Option.some(owner.token))
        assert.strictEqual((yield* client.CreateEvent({ id: GroupId.make(groupId), ...body })).title, "Admins only")
        yield* Ref.set(token, Option.some(admin.token))
        assert.strictEqual((yield* client.CreateEvent({ id: GroupId.make(groupId), ...body })).title, "Admins only")

        // The member still answers the events the admins make.
        const eventId = yield* createEvent(owner, groupId)
        expectStatus(yield* rsvp(member, eventId, "going"), 200)

        // Set when the group is made, and over RPC.
        yield* Ref.set(token, Option.some(owner.token))
        const strict = yield* client.CreateGroup({ name: "Strict club", category: "other", eventCreation: "admins" })
        assert.strictEqual(strict.eventCreation, "admins")
        const relaxed = yield* client.UpdateGroup({ id: strict.id, eventCreation: "members" })
        assert.strictEqual(relaxed.eventCreation, "members")
        yield* Ref.set(token, Option.some(member.token))
        const notHis = yield* Effect.flip(client.UpdateGroup({ id: GroupId.make(groupId), eventCreation: "members" }))
        assert.strictEqual(notHis._tag, "Forbidden")
      })
    )
  })
})
