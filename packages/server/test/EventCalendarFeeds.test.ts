import { assert, layer } from "@effect/vitest"
import { CalendarFeedId } from "@moim/domain/Events/CalendarFeed"
import { EventId } from "@moim/domain/Events/Event"
import { GroupId } from "@moim/domain/Groups/Group"
import { Effect, Option, Ref } from "effect"
import { SqlClient } from "effect/sql"
import ICAL from "ical.js"
import { createGroup, signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

/** The path of a feed's address (the tests' server is not at the configured public URL). */
const pathOf = (response: JsonResponse) => {
  const feed = expectStatus(response, response.status === 201 ? 201 : 200).body
  return new URL(String(feed.url)).pathname
}

const feedIdOf = (response: JsonResponse) => {
  const feed = response.body.feed
  return typeof feed === "object" && feed !== null && "id" in feed ? String(feed.id) : assert.fail(response.text)
}

/** A feed read as a calendar app reads it: no credentials, `text/calendar`, parsed by ical.js. */
const readFeed = (path: string) =>
  Effect.map(call("GET", path), (response) => {
    expectStatus(response, 200)
    assert.match(response.headers.get("content-type") ?? "", /^text\/calendar/)
    return parse(response.text)
  })

const parse = (text: string) => {
  const calendar = new ICAL.Component(ICAL.parse(text))
  for (const zone of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone)
  return calendar
}

const uids = (calendar: ICAL.Component) =>
  [...new Set(calendar.getAllSubcomponents("vevent").map((vevent) => new ICAL.Event(vevent).uid))].sort()

const createEvent = (owner: TestUser, groupId: string, title: string, extra: Record<string, unknown> = {}) =>
  Effect.map(
    call("POST", `/api/v1/groups/${groupId}/events`, {
      token: owner.token,
      body: { title, start: "2027-03-02T19:00", end: "2027-03-02T21:00", timeZone: "Europe/Berlin", ...extra }
    }),
    (response) => String(expectStatus(response, 201).body.id)
  )

const join = (user: TestUser, groupId: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), (response) =>
    expectStatus(response, 200)
  )

/** Makes `user` a member of a private group, as an accepted invitation would. */
const addMember = (groupId: string, user: TestUser) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (${groupId}, ${user.userId}, 'member', now())`
    yield* sql`UPDATE groups SET member_count = member_count + 1 WHERE id = ${groupId}`
  }).pipe(Effect.orDie)

const rsvp = (user: TestUser, eventId: string, status: string) =>
  Effect.map(call("PUT", `/api/v1/events/${eventId}/rsvp`, { token: user.token, body: { status } }), (response) =>
    expectStatus(response, 200)
  )

const uid = (eventId: string) => `${eventId}@moim`

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Event calendar feeds", (it) => {
  it.effect("a weekly series reads back through ical.js: RRULE, EXDATE, a RECURRENCE-ID override, 19:00 Berlin", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Host")
      const groupId = yield* createGroup(owner, { name: "Tandem" })
      const id = yield* createEvent(owner, groupId, "Language exchange", {
        description: "Bring a friend",
        location: { name: "Café Einstein", latitude: 52.5, longitude: 13.35 },
        recurrence: { frequency: "weekly", byWeekday: ["TU"], count: 10 }
      })
      expectStatus(
        yield* call("POST", `/api/v1/events/${id}/occurrences/2027-03-09T19:00/cancel`, {
          token: owner.token,
          body: { reason: "Holiday" }
        }),
        200
      )
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${id}`, {
          token: owner.token,
          body: { scope: "this", occurrence: "2027-03-30T19:00", start: "2027-03-30T20:00", end: "2027-03-30T22:00" }
        }),
        200
      )

      const file = expectStatus(yield* call("GET", `/api/v1/events/${id}/ics`, { token: owner.token }), 200).body
      assert.strictEqual(file.contentType, "text/calendar")
      assert.strictEqual(file.filename, `${id}.ics`)
      const calendar = parse(String(file.ics))
      assert.deepStrictEqual(
        calendar.getAllSubcomponents("vtimezone").map((zone) => zone.getFirstPropertyValue("tzid")),
        ["Europe/Berlin"]
      )
      const vevents = calendar.getAllSubcomponents("vevent").map((vevent) => new ICAL.Event(vevent))
      const master = vevents.find((event) => !event.isRecurrenceException())
      const moved = vevents.find((event) => event.isRecurrenceException())
      if (master === undefined || moved === undefined) return assert.fail("a series and one override")
      assert.strictEqual(vevents.length, 2)
      assert.strictEqual(master.uid, uid(id))
      assert.strictEqual(moved.uid, uid(id))
      assert.strictEqual(master.summary, "Language exchange")
      assert.strictEqual(master.description, "Bring a friend")
      assert.strictEqual(master.location, "Café Einstein")
      assert.strictEqual(master.component.getFirstPropertyValue("status"), "CONFIRMED")
      assert.isNotNull(master.component.getFirstPropertyValue("last-modified"))

      // The rule, and the cancelled occurrence as an EXDATE in the zone.
      const rule = master.component.getFirstPropertyValue("rrule")
      assert.instanceOf(rule, ICAL.Recur)
      assert.strictEqual(rule.freq, "WEEKLY")
      assert.strictEqual(rule.count, 10)
      assert.deepStrictEqual(rule.parts.BYDAY, ["TU"])
      const exdates = master.component.getAllProperties("exdate").map((property) => property.getFirstValue())
      assert.deepStrictEqual(
        exdates.map((time) => (time instanceof ICAL.Time ? [time.toString(), time.zone?.tzid] : [])),
        [["2027-03-09T19:00:00", "Europe/Berlin"]]
      )

      // 19:00 in Berlin: 18:00Z in winter.
      assert.strictEqual(master.startDate.toString(), "2027-03-02T19:00:00")
      assert.strictEqual(master.startDate.zone?.tzid, "Europe/Berlin")
      assert.strictEqual(master.startDate.toJSDate().toISOString(), "2027-03-02T18:00:00.000Z")

      // The moved occurrence: RECURRENCE-ID of its place in the series, its new time (CEST by then).
      assert.strictEqual(moved.recurrenceId.toString(), "2027-03-30T19:00:00")
      assert.strictEqual(moved.startDate.toString(), "2027-03-30T20:00:00")
      assert.strictEqual(moved.startDate.toJSDate().toISOString(), "2027-03-30T18:00:00.000Z")
      assert.strictEqual(moved.endDate.toString(), "2027-03-30T22:00:00")

      // Expanded by ical.js as a calendar app would: no 9 March, 30 March at 20:00, 19:00 after the change.
      master.relateException(moved)
      const iterator = master.iterator()
      const expanded: Array<readonly [string, string]> = []
      for (let next = iterator.next(); next !== undefined && expanded.length < 6; next = iterator.next()) {
        const details = master.getOccurrenceDetails(next)
        expanded.push([details.startDate.toString(), details.startDate.toJSDate().toISOString()])
      }
      assert.deepStrictEqual(expanded, [
        ["2027-03-02T19:00:00", "2027-03-02T18:00:00.000Z"],
        ["2027-03-16T19:00:00", "2027-03-16T18:00:00.000Z"],
        ["2027-03-23T19:00:00", "2027-03-23T18:00:00.000Z"],
        ["2027-03-30T20:00:00", "2027-03-30T18:00:00.000Z"],
        ["2027-04-06T19:00:00", "2027-04-06T17:00:00.000Z"],
        ["2027-04-13T19:00:00", "2027-04-13T17:00:00.000Z"]
      ])

      // The group feed says the same; a cancelled event is STATUS:CANCELLED.
      const single = yield* createEvent(owner, groupId, "Workshop")
      expectStatus(
        yield* call("POST", `/api/v1/events/${single}/cancel`, { token: owner.token, body: { reason: "Ill" } }),
        200
      )
      const feed = yield* readFeed(
        pathOf(yield* call("POST", `/api/v1/groups/${groupId}/calendar-feeds`, { token: owner.token }))
      )
      assert.deepStrictEqual(uids(feed), [uid(id), uid(single)].sort())
      const workshop = feed
        .getAllSubcomponents("vevent")
        .find((vevent) => vevent.getFirstPropertyValue("uid") === uid(single))
      assert.strictEqual(workshop?.getFirstPropertyValue("status"), "CANCELLED")
      assert.strictEqual(feed.getAllSubcomponents("vevent").length, 3)
    })
  )

  it.effect("a user feed holds what the user answered, their groups' events when asked, nothing they may not see", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Organiser")
      const user = yield* signUp("Reader")
      const answeredGroup = yield* createGroup(owner, { name: "Hikers" })
      const otherGroup = yield* createGroup(owner, { name: "Readers" })
      const strangers = yield* createGroup(owner, { name: "Strangers" })
      const secret = yield* createGroup(owner, { name: "Inner circle", visibility: "private", joinPolicy: "invite" })
      yield* join(user, answeredGroup)
      yield* join(user, otherGroup)
      yield* addMember(secret, user)
      const walk = yield* createEvent(owner, answeredGroup, "Walk")
      const skipped = yield* createEvent(owner, answeredGroup, "Skipped")
      const reading = yield* createEvent(owner, otherGroup, "Reading")
      const foreign = yield* createEvent(owner, strangers, "Foreign")
      const meeting = yield* createEvent(owner, secret, "Meeting")
      yield* rsvp(user, walk, "going")
      yield* rsvp(user, skipped, "not_going")
      yield* rsvp(user, meeting, "interested")

      const mine = pathOf(yield* call("POST", "/api/v1/me/calendar-feeds", { token: user.token, body: {} }))
      const everything = pathOf(
        yield* call("POST", "/api/v1/me/calendar-feeds", { token: user.token, body: { includeGroups: true } })
      )
      const secretFeed = pathOf(yield* call("POST", `/api/v1/groups/${secret}/calendar-feeds`, { token: user.token }))
      assert.deepStrictEqual(uids(yield* readFeed(mine)), [uid(walk), uid(meeting)].sort())
      assert.deepStrictEqual(
        uids(yield* readFeed(everything)),
        [uid(walk), uid(skipped), uid(reading), uid(meeting)].sort()
      )
      assert.notInclude(uids(yield* readFeed(everything)), uid(foreign))
      assert.deepStrictEqual(uids(yield* readFeed(secretFeed)), [uid(meeting)])

      // Removed from the private group: its feed answers 404, and its events leave the user's feeds.
      expectStatus(
        yield* call("DELETE", `/api/v1/groups/${secret}/members/${user.userId}`, { token: owner.token }),
        204
      )
      expectStatus(yield* call("GET", secretFeed), 404, "CalendarFeedNotFound")
      assert.deepStrictEqual(uids(yield* readFeed(mine)), [uid(walk)])
      assert.deepStrictEqual(uids(yield* readFeed(everything)), [uid(walk), uid(skipped), uid(reading)].sort())

      // Banned from a public group: its feed answers 404 too.
      const readersFeed = pathOf(
        yield* call("POST", `/api/v1/groups/${otherGroup}/calendar-feeds`, { token: user.token })
      )
      assert.deepStrictEqual(uids(yield* readFeed(readersFeed)), [uid(reading)])
      expectStatus(
        yield* call("POST", `/api/v1/groups/${otherGroup}/bans`, { token: owner.token, body: { userId: user.userId } }),
        201
      )
      expectStatus(yield* call("GET", readersFeed), 404, "CalendarFeedNotFound")

      // Only members make a group's feed, of a group they can see.
      const outsider = yield* signUp("Outsider")
      expectStatus(
        yield* call("POST", `/api/v1/groups/${secret}/calendar-feeds`, { token: outsider.token }),
        404,
        "GroupNotFound"
      )
      expectStatus(
        yield* call("POST", `/api/v1/groups/${strangers}/calendar-feeds`, { token: outsider.token }),
        403,
        "Forbidden"
      )
    })
  )

  it.effect("rotating or revoking a feed makes its old address 404; a wrong token is 404", () =>
    Effect.gen(function* () {
      const user = yield* signUp("Owner")
      const other = yield* signUp("Other")
      const created = yield* call("POST", "/api/v1/me/calendar-feeds", { token: user.token, body: {} })
      const first = pathOf(created)
      const feedId = feedIdOf(created)
      assert.match(first, /^\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/)
      yield* readFeed(first)

      const listed = expectStatus(yield* call("GET", "/api/v1/me/calendar-feeds", { token: user.token }), 200).json
      assert.deepStrictEqual(listed, { items: [created.body.feed] })
      assert.notInclude(JSON.stringify(listed), first.slice(17, 60))

      // Someone else's feed does not exist for them.
      expectStatus(
        yield* call("POST", `/api/v1/me/calendar-feeds/${feedId}/rotate`, { token: other.token }),
        404,
        "CalendarFeedNotFound"
      )
      expectStatus(
        yield* call("DELETE", `/api/v1/me/calendar-feeds/${feedId}`, { token: other.token }),
        404,
        "CalendarFeedNotFound"
      )
      yield* readFeed(first)

      const second = pathOf(yield* call("POST", `/api/v1/me/calendar-feeds/${feedId}/rotate`, { token: user.token }))
      assert.notStrictEqual(second, first)
      expectStatus(yield* call("GET", first), 404, "CalendarFeedNotFound")
      yield* readFeed(second)

      const after = expectStatus(
        yield* call("DELETE", `/api/v1/me/calendar-feeds/${feedId}`, { token: user.token }),
        200
      )
      assert.deepStrictEqual(after.body.items, [])
      expectStatus(yield* call("GET", second), 404, "CalendarFeedNotFound")
      expectStatus(
        yield* call("DELETE", `/api/v1/me/calendar-feeds/${feedId}`, { token: user.token }),
        404,
        "CalendarFeedNotFound"
      )

      expectStatus(yield* call("GET", `/api/v1/calendar/${"A".repeat(43)}.ics`), 404, "CalendarFeedNotFound")
      expectStatus(yield* call("GET", "/api/v1/calendar/short.ics"), 404, "CalendarFeedNotFound")
      expectStatus(yield* call("GET", `/api/v1/calendar/${first.slice(17, 60)}`), 404, "CalendarFeedNotFound")
      expectStatus(yield* call("POST", "/api/v1/me/calendar-feeds/not-a-uuid/rotate", { token: user.token }), 400)
    })
  )

  it.effect("the same operations over RPC", () => {
    const token = Ref.makeUnsafe(Option.none<string>())
    return withRpcClient("http", Ref.get(token), (client) =>
      Effect.gen(function* () {
        const owner = yield* signUp("RPC host")
        const groupId = yield* createGroup(owner, { name: "RPC group" })
        const eventId = yield* createEvent(owner, groupId, "RPC walk")
        yield* Ref.set(token, Option.some(owner.token))
        const file = yield* client.GetEventCalendarFile({ id: EventId.make(eventId) })
        assert.deepStrictEqual(uids(parse(file.ics)), [uid(eventId)])
        const mine = yield* client.CreateMyCalendarFeed({ includeGroups: true })
        assert.strictEqual(mine.feed.kind, "user")
        assert.isTrue(mine.feed.includeGroups)
        assert.deepStrictEqual(uids(yield* readFeed(new URL(mine.url).pathname)), [uid(eventId)])
        const group = yield* client.CreateGroupCalendarFeed({ id: GroupId.make(groupId) })
        assert.deepStrictEqual([group.feed.kind, group.feed.groupId], ["group", groupId])
        assert.deepStrictEqual(
          (yield* client.ListMyCalendarFeeds()).items.map((feed) => feed.id),
          [mine.feed.id, group.feed.id]
        )
        const rotated = yield* client.RotateCalendarFeed({ id: mine.feed.id })
        expectStatus(yield* call("GET", new URL(mine.url).pathname), 404, "CalendarFeedNotFound")
        yield* readFeed(new URL(rotated.url).pathname)
        const left = yield* client.RevokeCalendarFeed({ id: group.feed.id })
        assert.deepStrictEqual(
          left.items.map((feed) => feed.id),
          [mine.feed.id]
        )
        const missing = yield* Effect.flip(client.RevokeCalendarFeed({ id: CalendarFeedId.make(group.feed.id) }))
        assert.strictEqual(missing._tag, "CalendarFeedNotFound")
      })
    )
  })
})
