import { randomUUID } from "node:crypto"
import { assert, describe, it, layer } from "@effect/vitest"
import { UserId } from "@moim/domain/Accounts/User"
import { Effect, Exit, Option, Ref, Schema, Scope } from "effect"
import { SqlClient } from "effect/sql"
import { addressHasher, deviceClass, make as makeRecorder } from "../src/Analytics/ActivityRecorder.ts"
import { ActivityRepo } from "../src/Analytics/ActivityRepo.ts"
import { createGroup, password, signUp, siteAdmin, type TestUser } from "./support/Actors.ts"
import { eventually } from "./support/Eventually.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

const iPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const EventRow = Schema.Struct({
  occurredAt: Schema.Date,
  userId: Schema.NullOr(Schema.String),
  kind: Schema.String,
  subjectId: Schema.NullOr(Schema.String),
  groupId: Schema.NullOr(Schema.String),
  device: Schema.String,
  addressHash: Schema.NullOr(Schema.String)
})
const decodeEvents = Schema.decodeUnknownEffect(Schema.Array(EventRow))

/** The recorded events of these users, and the anonymous ones in these groups, oldest first. */
const eventsOf = (userIds: ReadonlyArray<string>, groupIds: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql`
      SELECT occurred_at, user_id::text AS user_id, kind, subject_id::text AS subject_id, group_id::text AS group_id,
        device, address_hash
      FROM activity_events
      WHERE user_id = ANY(${[...userIds]}::uuid[]) OR (user_id IS NULL AND group_id = ANY(${[...groupIds]}::uuid[]))
      ORDER BY occurred_at`
    return yield* decodeEvents(rows)
  }).pipe(Effect.orDie)

/** Waits (bounded) until `count` events of these users and groups are written. */
const awaitEvents = (userIds: ReadonlyArray<string>, groupIds: ReadonlyArray<string>, count: number) =>
  eventually(
    Effect.flatMap(eventsOf(userIds, groupIds), (rows) =>
      rows.length >= count ? Effect.succeed(rows) : Effect.fail(`${rows.length} of ${count} events written`)
    ),
    { timeout: "10 seconds" }
  )

const signUpWith = (nickname: string, ip: string) =>
  Effect.gen(function* () {
    const email = `${nickname.toLowerCase()}-${randomUUID()}@example.com`
    const response = expectStatus(
      yield* call("POST", "/api/v1/auth/signup", { ip, body: { email, password, nickname } }),
      201
    )
    const user = response.body.user as { id: string }
    return { userId: user.id, email, token: String(response.body.accessToken) } satisfies TestUser
  })

/** Users, groups and events with chosen times: the known dataset the aggregates are checked on. */
const users = { a: randomUUID(), b: randomUUID(), c: randomUUID(), d: randomUUID() }
const groups = [randomUUID(), randomUUID()].sort()
const [g1 = "", g2 = ""] = groups
const dataset: ReadonlyArray<readonly [at: string, user: string | null, kind: string, group: string | null]> = [
  ["2030-02-28T12:00:00Z", users.d, "signup", null],
  ["2030-03-04T09:00:00Z", users.a, "signup", null],
  ["2030-03-04T09:05:00Z", users.a, "login", null],
  ["2030-03-05T00:00:00Z", users.d, "login", null],
  ["2030-03-05T10:00:00Z", users.a, "post", g1],
  ["2030-03-06T23:59:59Z", users.b, "signup", null],
  ["2030-03-07T00:00:00Z", users.b, "comment", g1],
  ["2030-03-12T00:00:00Z", users.c, "signup", null],
  ["2030-03-12T08:00:00Z", users.a, "login", null],
  ["2030-03-12T09:00:00Z", users.c, "post", g2],
  ["2030-03-19T10:00:00Z", users.b, "reaction", g1],
  ["2030-03-19T11:00:00Z", users.a, "group_view", g1],
  ["2030-03-19T12:00:00Z", null, "group_view", g1],
  ["2030-03-31T23:59:59Z", users.a, "rsvp", g2],
  ["2030-04-01T00:00:00Z", users.c, "message", g2]
]

const insertDataset = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  for (const [at, user, kind, group] of dataset) {
    yield* sql`
      INSERT INTO activity_events (occurred_at, user_id, kind, group_id, device)
      VALUES (${at}::timestamptz, ${user}::uuid, ${kind}, ${group}::uuid, 'web')`
  }
}).pipe(Effect.orDie)

const march = "from=2030-03-04&to=2030-03-31"

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "180 seconds" })("Activity analytics", (it) => {
  it.effect("records sign-ins, posts, comments, reactions, RSVPs, messages and views, off the request", () =>
    Effect.gen(function* () {
      const owner = yield* signUpWith("Owner", "203.0.113.7")
      const member = yield* signUp("Member")
      const groupId = yield* createGroup(owner, { name: "Walkers" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: member.token, body: {} }), 200)
      const postId = String(
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/posts`, {
            token: owner.token,
            body: { body: "Sunday walk?" }
          }),
          201
        ).body.id
      )
      expectStatus(
        yield* call("POST", `/api/v1/posts/${postId}/comments`, { token: member.token, body: { body: "Yes!" } }),
        201
      )
      expectStatus(
        yield* call("PUT", `/api/v1/posts/${postId}/reaction`, { token: member.token, body: { emoji: "like" } }),
        200
      )
      const eventId = String(
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/events`, {
            token: owner.token,
            body: { title: "Walk", start: "2031-05-04T10:00", end: "2031-05-04T12:00", timeZone: "Europe/Berlin" }
          }),
          201
        ).body.id
      )
      expectStatus(
        yield* call("PUT", `/api/v1/events/${eventId}/rsvp`, { token: member.token, body: { status: "going" } }),
        200
      )
      const channels = expectStatus(
        yield* call("GET", `/api/v1/groups/${groupId}/channels`, { token: member.token }),
        200
      ).body.items as ReadonlyArray<{ readonly id: string; readonly isDefault: boolean }>
      const general = channels.find((channel) => channel.isDefault)?.id ?? assert.fail("no general channel")
      expectStatus(
        yield* call("POST", `/api/v1/channels/${general}/messages`, { token: member.token, body: { body: "Hi all" } }),
        201
      )
      expectStatus(yield* call("GET", `/api/v1/users/${owner.userId}`, { token: member.token }), 200)
      expectStatus(yield* call("GET", `/api/v1/groups/${groupId}`, { ip: "203.0.113.7" }), 200)
      expectStatus(
        yield* call("POST", "/api/v1/auth/login", {
          ip: "203.0.113.7",
          headers: { "user-agent": iPhone },
          body: { email: owner.email, password }
        }),
        200
      )

      const rows = yield* awaitEvents([owner.userId, member.userId], [groupId], 10)
      const summary = rows.map((row) => [
        row.kind,
        row.userId === owner.userId ? "owner" : row.userId === member.userId ? "member" : row.userId,
        row.subjectId,
        row.groupId
      ])
      assert.sameDeepMembers(summary, [
        ["signup", "owner", null, null],
        ["signup", "member", null, null],
        ["post", "owner", postId, groupId],
        ["comment", "member", postId, groupId],
        ["reaction", "member", postId, groupId],
        ["rsvp", "member", eventId, groupId],
        ["message", "member", general, groupId],
        // Who viewed whom is not kept.
        ["profile_view", "member", null, null],
        ["group_view", null, null, groupId],
        ["login", "owner", null, null]
      ])
      // The device class, never the User-Agent; the address only hashed, the same within a day.
      const ownerRows = rows.filter((row) => row.userId === owner.userId || row.userId === null)
      const login = rows.find((row) => row.kind === "login") ?? assert.fail("no login")
      assert.strictEqual(login.device, "ios")
      assert.deepStrictEqual(
        rows.filter((row) => row.kind !== "login").map((row) => row.device),
        rows.filter((row) => row.kind !== "login").map(() => "other")
      )
      const hashes = new Set(ownerRows.filter((row) => row.kind !== "post").map((row) => row.addressHash))
      assert.strictEqual(hashes.size, 1)
      const [hash] = hashes
      assert.match(hash ?? "", /^[A-Za-z0-9_-]{22}$/)
      const memberHash = rows.find((row) => row.userId === member.userId)?.addressHash
      assert.notStrictEqual(memberHash, hash)
      const sql = yield* SqlClient.SqlClient
      const raw = yield* sql`SELECT count(*)::int AS n FROM activity_events WHERE address_hash LIKE '%203.0.113%'`.pipe(
        Effect.orDie
      )
      assert.deepStrictEqual(raw, [{ n: 0 }])
    })
  )

  it.effect("writes in batches on a buffer: a burst of requests is written within the interval", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Burst")
      const groupId = yield* createGroup(owner, { name: "Burst" })
      yield* Effect.forEach(
        Array.from({ length: 40 }, () => 0),
        () => Effect.map(call("GET", `/api/v1/groups/${groupId}`, { token: owner.token }), (r) => expectStatus(r, 200)),
        { concurrency: 8 }
      )
      const rows = yield* awaitEvents([owner.userId], [groupId], 41)
      assert.strictEqual(rows.filter((row) => row.kind === "group_view").length, 40)
    })
  )

  it.effect(
    "the buffer writes at once when a batch is full, and what is left when it stops; beyond its capacity it drops",
    () =>
      Effect.gen(function* () {
        const user = UserId.make(randomUUID())
        const record = (recorder: Effect.Success<ReturnType<typeof makeRecorder>>, count: number) =>
          Effect.forEach(
            Array.from({ length: count }, () => 0),
            () => recorder.record({ kind: "login", userId: user }),
            { discard: true }
          )
        const scope = yield* Scope.make()
        const recorder = yield* makeRecorder({ interval: "1 hour", batchSize: 5, capacity: 100 }).pipe(
          Scope.provide(scope)
        )
        // A whole batch is written without waiting for the interval (an hour).
        yield* record(recorder, 5)
        yield* awaitEvents([user], [], 5)
        // Less than a batch waits for the interval, or for the recorder to stop.
        yield* record(recorder, 2)
        yield* Scope.close(scope, Exit.void)
        assert.strictEqual((yield* eventsOf([user], [])).length, 7)

        const full = yield* Scope.make()
        const small = yield* makeRecorder({ interval: "1 hour", batchSize: 100, capacity: 10 }).pipe(
          Scope.provide(full)
        )
        yield* record(small, 12)
        yield* Scope.close(full, Exit.void)
        assert.strictEqual((yield* eventsOf([user], [])).length, 17)
      }).pipe(Effect.provide(ActivityRepo.layer))
  )

  it.effect("aggregates on a known dataset equal the figures worked out by hand", () =>
    Effect.gen(function* () {
      yield* insertDataset
      const admin = yield* siteAdmin
      const get = (path: string) => Effect.map(call("GET", path, { token: admin.token }), (r) => expectStatus(r, 200))

      const daily = (yield* get(`/api/v1/analytics/active-users?${march}`)).body as {
        readonly interval: string
        readonly points: ReadonlyArray<{ readonly start: string; readonly end: string; readonly users: number }>
      }
      assert.strictEqual(daily.interval, "day")
      assert.strictEqual(daily.points.length, 28)
      assert.deepStrictEqual(daily.points[0], { start: "2030-03-04", end: "2030-03-04", users: 1 })
      assert.deepStrictEqual(
        Object.fromEntries(daily.points.filter((point) => point.users > 0).map((point) => [point.start, point.users])),
        {
          "2030-03-04": 1,
          "2030-03-05": 2,
          "2030-03-06": 1,
          "2030-03-07": 1,
          "2030-03-12": 2,
          "2030-03-19": 2,
          "2030-03-31": 1
        }
      )

      const weekly = (yield* get(`/api/v1/analytics/active-users?${march}&interval=week`)).body
      assert.deepStrictEqual(weekly.points, [
        { start: "2030-03-04", end: "2030-03-10", users: 3 },
        { start: "2030-03-11", end: "2030-03-17", users: 2 },
        { start: "2030-03-18", end: "2030-03-24", users: 2 },
        { start: "2030-03-25", end: "2030-03-31", users: 1 }
      ])
      // Periods are cut to the range.
      const cut = (yield* get("/api/v1/analytics/active-users?from=2030-03-06&to=2030-03-12&interval=week")).body
      assert.deepStrictEqual(cut.points, [
        { start: "2030-03-06", end: "2030-03-10", users: 1 },
        { start: "2030-03-11", end: "2030-03-12", users: 2 }
      ])
      const monthly = (yield* get(`/api/v1/analytics/active-users?${march}&interval=month`)).body
      assert.deepStrictEqual(monthly.points, [{ start: "2030-03-04", end: "2030-03-31", users: 4 }])

      const fresh = (yield* get(`/api/v1/analytics/new-users?${march}`)).body as {
        readonly total: number
        readonly points: ReadonlyArray<{ readonly date: string; readonly users: number }>
      }
      assert.strictEqual(fresh.total, 3)
      assert.strictEqual(fresh.points.length, 28)
      assert.deepStrictEqual(
        fresh.points.filter((point) => point.users > 0),
        [
          { date: "2030-03-04", users: 1 },
          { date: "2030-03-06", users: 1 },
          { date: "2030-03-12", users: 1 }
        ]
      )

      const retention = (yield* get(`/api/v1/analytics/retention?${march}`)).body
      assert.deepStrictEqual(retention.cohorts, [
        {
          week: "2030-03-04",
          users: 2,
          weeks: [
            { week: 0, active: 2, fraction: 1 },
            { week: 1, active: 1, fraction: 0.5 },
            { week: 2, active: 2, fraction: 1 },
            { week: 3, active: 1, fraction: 0.5 }
          ]
        },
        {
          week: "2030-03-11",
          users: 1,
          weeks: [
            { week: 0, active: 1, fraction: 1 },
            { week: 1, active: 0, fraction: 0 },
            { week: 2, active: 0, fraction: 0 }
          ]
        },
        {
          week: "2030-03-18",
          users: 0,
          weeks: [
            { week: 0, active: 0, fraction: 0 },
            { week: 1, active: 0, fraction: 0 }
          ]
        },
        { week: "2030-03-25", users: 0, weeks: [{ week: 0, active: 0, fraction: 0 }] }
      ])

      const perGroup = (yield* get(`/api/v1/analytics/groups?${march}`)).body
      assert.deepStrictEqual(perGroup.groups, [
        {
          groupId: g1,
          events: 5,
          activeUsers: 2,
          byKind: [
            { kind: "post", events: 1 },
            { kind: "comment", events: 1 },
            { kind: "reaction", events: 1 },
            { kind: "group_view", events: 2 }
          ]
        },
        {
          groupId: g2,
          events: 2,
          activeUsers: 2,
          byKind: [
            { kind: "post", events: 1 },
            { kind: "rsvp", events: 1 }
          ]
        }
      ])
      const top = (yield* get(`/api/v1/analytics/groups?${march}&limit=1`)).body.groups as ReadonlyArray<{
        readonly groupId: string
      }>
      assert.deepStrictEqual(
        top.map((group) => group.groupId),
        [g1]
      )

      // The same figures over RPC.
      const token = Ref.makeUnsafe(Option.some(admin.token))
      yield* withRpcClient("http", Ref.get(token), (client) =>
        Effect.gen(function* () {
          const weeklyRpc = yield* client.GetActiveUsers({ from: "2030-03-04", to: "2030-03-31", interval: "week" })
          assert.deepStrictEqual(
            weeklyRpc.points.map((point) => point.users),
            [3, 2, 2, 1]
          )
          const freshRpc = yield* client.GetNewUsers({ from: "2030-03-04", to: "2030-03-31" })
          assert.strictEqual(freshRpc.total, 3)
          const retentionRpc = yield* client.GetRetention({ from: "2030-03-04", to: "2030-03-31" })
          assert.deepStrictEqual(
            retentionRpc.cohorts.map((cohort) => cohort.users),
            [2, 1, 0, 0]
          )
          const groupsRpc = yield* client.GetGroupActivity({ from: "2030-03-04", to: "2030-03-31" })
          assert.deepStrictEqual(
            groupsRpc.groups.map((group) => [group.groupId, group.events]),
            [
              [g1, 5],
              [g2, 2]
            ]
          )
        })
      )
    })
  )

  it.effect("refuses bad ranges with a typed error, after the admin check", () =>
    Effect.gen(function* () {
      const admin = yield* siteAdmin
      const user = yield* signUp("Curious")
      const get = (path: string, token: string | undefined) => call("GET", path, { token })
      expectStatus(
        yield* get("/api/v1/analytics/new-users?from=2030-03-05&to=2030-03-04", admin.token),
        400,
        "InvalidAnalyticsRange"
      )
      expectStatus(
        yield* get("/api/v1/analytics/retention?from=2030-01-01&to=2031-02-05", admin.token),
        400,
        "InvalidAnalyticsRange"
      )
      // 400 days, the longest range, is fine.
      expectStatus(yield* get("/api/v1/analytics/active-users?from=2030-01-01&to=2031-02-04", admin.token), 200)
      expectStatus(
        yield* get("/api/v1/analytics/groups?from=2030-02-30&to=2030-03-04", admin.token),
        400,
        "InvalidRequest"
      )
      expectStatus(yield* get("/api/v1/analytics/groups?from=2030-03-05&to=2030-03-04", user.token), 403, "Forbidden")
      expectStatus(yield* get(`/api/v1/analytics/groups?${march}`, undefined), 401, "Unauthorized")

      const token = Ref.makeUnsafe(Option.some(admin.token))
      const refused = yield* withRpcClient("http", Ref.get(token), (client) =>
        Effect.flip(client.GetActiveUsers({ from: "2030-03-05", to: "2030-03-04" }))
      )
      assert.strictEqual(refused._tag, "InvalidAnalyticsRange")
    })
  )
})

describe("Activity recording, pure parts", () => {
  it.effect("reads the device class from the User-Agent", () =>
    Effect.sync(() => {
      assert.strictEqual(deviceClass(iPhone), "ios")
      assert.strictEqual(
        deviceClass("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36"),
        "android"
      )
      assert.strictEqual(deviceClass("Moim/2.1 CFNetwork/1490.0.4 Darwin/23.2.0"), "ios")
      assert.strictEqual(deviceClass("okhttp/4.12.0 (Android 14)"), "android")
      assert.strictEqual(deviceClass("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/125.0"), "web")
      assert.strictEqual(deviceClass("curl/8.5.0"), "other")
      assert.strictEqual(deviceClass(null), "other")
    })
  )

  it.effect("hashes an address the same within a day and differently across days", () =>
    Effect.sync(() => {
      const hash = addressHasher(new Uint8Array(32).fill(7))
      const monday = hash("198.51.100.1", new Date("2030-03-04T00:00:01Z"))
      assert.strictEqual(hash("198.51.100.1", new Date("2030-03-04T23:59:59Z")), monday)
      assert.notStrictEqual(hash("198.51.100.1", new Date("2030-03-05T00:00:00Z")), monday)
      assert.notStrictEqual(hash("198.51.100.2", new Date("2030-03-04T12:00:00Z")), monday)
      const other = addressHasher(new Uint8Array(32).fill(8))
      assert.notStrictEqual(other("198.51.100.1", new Date("2030-03-04T00:00:01Z")), monday)
    })
  )

  it.effect("keeps a day's recent hashes without changing any of them", () =>
    Effect.sync(() => {
      const key = new Uint8Array(32).fill(7)
      const addresses = ["198.51.100.1", "198.51.100.2", "198.51.100.3", "2001:db8::1"]
      const noon = new Date("2030-03-04T12:00:00Z")
      const expected = addresses.map((ip) => addressHasher(key)(ip, noon))
      // Two kept at most: every address is evicted and hashed again at least once.
      const hash = addressHasher(key, 2)
      for (const round of [0, 1, 2]) {
        addresses.forEach((ip, index) => {
          assert.strictEqual(hash(ip, new Date(noon.getTime() + round * 1000)), expected[index])
        })
      }
      // A kept hash is not served the next day, nor after the clock steps back to the day before.
      const tuesday = hash(addresses[0]!, new Date("2030-03-05T00:00:00Z"))
      assert.notStrictEqual(tuesday, expected[0])
      assert.strictEqual(tuesday, addressHasher(key)(addresses[0]!, new Date("2030-03-05T08:00:00Z")))
      assert.strictEqual(hash(addresses[0]!, new Date("2030-03-04T23:59:59.999Z")), expected[0])
    })
  )
})
