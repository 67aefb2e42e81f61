import { assert, layer } from "@effect/vitest"
import { Rebuild } from "@moim/server/Recommendations/Rebuild"
import { RebuildRepo } from "@moim/server/Recommendations/RebuildRepo"
import { distanceKm, Interner } from "@moim/server/Recommendations/Scoring"
import { Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { befriend, createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import { withRpcClient } from "../../server/test/support/RpcTestClient.ts"
import { freshPhone, latestCode } from "../../server/test/support/SmsOutbox.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"

const env = TestServer.testEnv({ RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

/** The server and a worker in one process, on one database: what `npm start` runs. */
const ServerAndWorker = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(env)))

const ok = (response: JsonResponse, status = 200) => {
  assert.strictEqual(response.status, status, response.text)
  return response
}

interface Suggestion {
  readonly group?: { readonly id: string }
  readonly event?: { readonly id: string }
  readonly user?: { readonly id: string }
  readonly reasons: ReadonlyArray<{ readonly kind: string; readonly text: string; readonly [key: string]: unknown }>
  readonly distanceKm?: number | null
}

const suggestions = (user: TestUser, kind: "groups" | "events" | "people") =>
  Effect.map(
    call("GET", `/api/v1/me/suggestions/${kind}?limit=100`, { token: user.token }),
    (response) => ok(response).body.items as ReadonlyArray<Suggestion>
  )

const idOf = (item: Suggestion) => item.group?.id ?? item.event?.id ?? item.user?.id ?? ""
const ids = (items: ReadonlyArray<Suggestion>) => items.map(idOf)
const find = (items: ReadonlyArray<Suggestion>, id: string) => items.find((item) => idOf(item) === id)

const join = (user: TestUser, groupId: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), (response) =>
    ok(response)
  )

const nextYear = new Date().getUTCFullYear() + 1

const createEvent = (
  host: TestUser,
  groupId: string,
  title: string,
  place?: { readonly latitude: number; readonly longitude: number }
) =>
  Effect.map(
    call("POST", `/api/v1/groups/${groupId}/events`, {
      token: host.token,
      body: {
        title,
        start: `${nextYear}-07-11T10:00`,
        end: `${nextYear}-07-11T13:00`,
        timeZone: "Europe/Berlin",
        ...(place === undefined ? {} : { location: { name: title, ...place } })
      }
    }),
    (response) => String(ok(response, 201).body.id)
  )

const rebuildAll = Effect.gen(function* () {
  const rebuild = yield* Rebuild
  return yield* rebuild.all
})

layer(ServerAndWorker, { excludeTestServices: true, timeout: "180 seconds" })("Recommendations", (it) => {
  it.effect("suggests with reasons, never what must not be, keeps dismissals, and follows a join", () =>
    Effect.gen(function* () {
      const hiker = yield* signUp("Hiker")
      const owner = yield* signUp("Owner")
      const friendA = yield* signUp("Friend A")
      const friendB = yield* signUp("Friend B")
      const friendOfFriend = yield* signUp("Fof")
      const blocker = yield* signUp("Blocker")
      const blockedOne = yield* signUp("Blocked")
      const stranger = yield* signUp("Stranger")
      const alpinist1 = yield* signUp("Alpinist One")
      const alpinist2 = yield* signUp("Alpinist Two")

      // Interests: picked with any case, stored lower-case, duplicates dropped.
      const picked = ok(
        yield* call("PUT", "/api/v1/me/interests", {
          token: hiker.token,
          body: { interests: ["Hiking", "hiking", "Board games"] }
        })
      ).body
      assert.deepStrictEqual(picked.interests, ["hiking", "board games"])
      assert.include(picked.categories as ReadonlyArray<string>, "hiking")
      assert.isNull(picked.place)
      ok(
        yield* call("PUT", "/api/v1/me/interests", {
          token: hiker.token,
          body: { interests: ["x".repeat(41)] }
        }),
        400
      )

      const trails = yield* createGroup(owner, { name: "Trail Walkers", category: "hiking", visibility: "public" })
      const secret = yield* createGroup(owner, { name: "Secret Summits", category: "hiking", visibility: "private" })
      const books = yield* createGroup(owner, { name: "Book Circle", category: "books", visibility: "public" })
      const left = yield* createGroup(owner, { name: "Left Behind", category: "hiking", visibility: "public" })
      const banned = yield* createGroup(owner, { name: "Banned Hikes", category: "hiking", visibility: "public" })
      const club = yield* createGroup(owner, { name: "Hikers Club", category: "hiking", visibility: "public" })
      // Two groups of other people, sharing their members.
      const alpine = yield* createGroup(alpinist1, { name: "Alpine Club", category: "other", visibility: "public" })
      const ridge = yield* createGroup(alpinist1, { name: "Ridge Runners", category: "other", visibility: "public" })

      yield* befriend(hiker, friendA)
      yield* befriend(hiker, friendB)
      yield* befriend(friendA, friendOfFriend)
      yield* befriend(friendA, blocker)
      yield* befriend(friendA, blockedOne)
      ok(yield* call("PUT", `/api/v1/users/${hiker.userId}/block`, { token: blocker.token }), 204)
      ok(yield* call("PUT", `/api/v1/users/${blockedOne.userId}/block`, { token: hiker.token }), 204)
      yield* join(friendA, books)
      yield* join(friendB, books)
      yield* join(hiker, left)
      ok(yield* call("POST", `/api/v1/groups/${left}/leave`, { token: hiker.token }), 204)
      yield* join(hiker, banned)
      ok(
        yield* call("POST", `/api/v1/groups/${banned}/bans`, { token: owner.token, body: { userId: hiker.userId } }),
        201
      )
      yield* join(hiker, club)
      yield* join(alpinist2, alpine)
      yield* join(alpinist2, ridge)
      const declined = yield* createEvent(owner, club, "Declined walk")
      const open = yield* createEvent(owner, club, "Open walk")
      yield* createEvent(owner, secret, "Secret walk")
      ok(yield* call("PUT", `/api/v1/events/${declined}/rsvp`, { token: hiker.token, body: { status: "not_going" } }))

      const report = yield* rebuildAll
      assert.isAtLeast(report.users, 10)

      // Groups: the hiking group for the interest, the friends' group for the friends.
      const groups = yield* suggestions(hiker, "groups")
      assert.deepStrictEqual(find(groups, trails)?.reasons[0], {
        kind: "interest",
        interest: "hiking",
        text: "Matches your interest: hiking"
      })
      assert.deepStrictEqual(
        find(groups, books)?.reasons.find((reason) => reason.kind === "friends"),
        { kind: "friends", count: 2, text: "2 of your friends are members" }
      )
      const excluded = { secret, left, banned, club, alpine, ridge }
      for (const [name, never] of Object.entries(excluded)) assert.notInclude(ids(groups), never, name)

      // Events: the open one of a group you are in, not the one declined, nothing private.
      const events = yield* suggestions(hiker, "events")
      assert.deepStrictEqual(
        find(events, open)?.reasons.map((reason) => reason.kind),
        ["your_group"]
      )
      assert.notInclude(ids(events), declined)
      assert.deepStrictEqual(
        events.filter((item) => item.event?.id !== open).map(idOf),
        [],
        "only the open walk is upcoming in a public group the hiker may go to"
      )

      // People: a friend's friend with the friends reason; never friends, blocks either way, or yourself.
      const people = yield* suggestions(hiker, "people")
      assert.deepStrictEqual(find(people, friendOfFriend.userId)?.reasons, [
        { kind: "friends", count: 1, text: "1 mutual friend" }
      ])
      for (const never of [hiker, friendA, friendB, blocker, blockedOne]) assert.notInclude(ids(people), never.userId)

      // Inferred interests come from what the hiker does.
      const mine = ok(yield* call("GET", "/api/v1/me/interests", { token: hiker.token })).body
      assert.include(
        (mine.inferred as ReadonlyArray<{ interest: string }>).map((entry) => entry.interest),
        "hiking"
      )

      // The same list over RPC; one user never reads another's.
      const overRpc = yield* withRpcClient("http", Effect.succeed(Option.some(hiker.token)), (client) =>
        client.ListSuggestedGroups({ limit: 100 })
      ).pipe(Effect.orDie)
      assert.deepStrictEqual(
        overRpc.items.map((item) => item.group.id),
        ids(groups)
      )
      const strangers = yield* suggestions(stranger, "groups")
      assert.isUndefined(find(strangers, books)?.reasons.find((reason) => reason.kind === "friends"))
      ok(yield* call("GET", "/api/v1/me/suggestions/groups"), 401)
      const anonymous = yield* withRpcClient("http", Effect.succeed(Option.none()), (client) =>
        client.ListSuggestedGroups({})
      ).pipe(Effect.flip)
      assert.strictEqual(anonymous._tag, "Unauthorized")

      // Dismissed: gone at once, and after the next rebuild.
      ok(yield* call("DELETE", `/api/v1/me/suggestions/groups/${trails}`, { token: hiker.token }), 204)
      ok(yield* call("DELETE", `/api/v1/me/suggestions/groups/${trails}`, { token: hiker.token }), 204)
      ok(yield* call("DELETE", `/api/v1/me/suggestions/groups/${secret}`, { token: hiker.token }), 404)
      ok(yield* call("DELETE", `/api/v1/me/suggestions/people/${hiker.userId}`, { token: hiker.token }), 400)
      ok(yield* call("DELETE", `/api/v1/me/suggestions/people/${blocker.userId}`, { token: hiker.token }), 404)
      assert.notInclude(ids(yield* suggestions(hiker, "groups")), trails)
      yield* rebuildAll
      const rebuilt = yield* suggestions(hiker, "groups")
      assert.notInclude(ids(rebuilt), trails)
      assert.include(ids(rebuilt), books)

      // A join: the worker's refresh suggests what the group's members also joined.
      assert.notInclude(ids(rebuilt), ridge)
      yield* join(hiker, alpine)
      const refreshed = yield* eventually(
        Effect.flatMap(suggestions(hiker, "groups"), (items) =>
          find(items, ridge) === undefined ? Effect.fail("not yet") : Effect.succeed(items)
        ),
        { interval: "50 millis", timeout: "20 seconds" }
      ).pipe(Effect.orDie)
      assert.deepStrictEqual(find(refreshed, ridge)?.reasons, [
        { kind: "co_membership", count: 1, text: "Members of your groups also joined" }
      ])
      assert.notInclude(ids(refreshed), alpine)
    })
  )

  it.effect("suggests the people in your contacts who have their number verified", () =>
    Effect.gen(function* () {
      const me = yield* signUp("Contact Keeper")
      const known = yield* signUp("Known Number")
      const phoneNumber = freshPhone()
      ok(yield* call("POST", "/api/v1/me/phone-number", { token: known.token, body: { phoneNumber } }), 202)
      const code = yield* latestCode(env.MOIM_DATA_DIR ?? "", phoneNumber)
      ok(yield* call("POST", "/api/v1/me/phone-number/verify", { token: known.token, body: { code } }))
      ok(
        yield* call("POST", "/api/v1/me/contacts", {
          token: me.token,
          body: { phoneNumbers: [phoneNumber, freshPhone()] }
        })
      )
      yield* rebuildAll
      const people = yield* suggestions(me, "people")
      assert.deepStrictEqual(ids(people), [known.userId])
      assert.include(find(people, known.userId)?.reasons.map((reason) => reason.kind) ?? [], "contacts")
    })
  )

  it.effect("without a place of their own, places a person at the centre of the events they go to or may go to", () =>
    Effect.gen(function* () {
      const goer = yield* signUp("Goer")
      const host = yield* signUp("Goer's Host")
      const member = yield* signUp("Goer's Neighbour")
      // Two events in Berlin they go to or are interested in, one in Munich they will not go to.
      const answered = {
        going: { latitude: 52.5, longitude: 13.4 },
        interested: { latitude: 52.54, longitude: 13.44 },
        not_going: { latitude: 48.137, longitude: 11.575 }
      }
      const events: Record<string, string> = {}
      for (const [status, place] of Object.entries(answered)) {
        const group = yield* createGroup(host, { name: `Meets ${status}`, category: "games", visibility: "public" })
        yield* join(goer, group)
        events[status] = yield* createEvent(host, group, `Meet ${status}`, place)
        ok(yield* call("PUT", `/api/v1/events/${events[status]}/rsvp`, { token: goer.token, body: { status } }))
      }
      // A group meeting 3.3 km from the centre of the first two: near only if the third is left out.
      const nearby = yield* createGroup(host, { name: "Meets nearby", category: "arts", visibility: "public" })
      yield* join(member, nearby)
      yield* createEvent(host, nearby, "Meet nearby", { latitude: 52.52 + 0.03, longitude: 13.42 })

      yield* rebuildAll
      const groups = yield* suggestions(goer, "groups")
      const suggested = find(groups, nearby)
      assert.isDefined(suggested)
      assert.strictEqual(
        suggested?.distanceKm,
        Math.round(distanceKm({ latitude: 52.52, longitude: 13.42 }, { latitude: 52.55, longitude: 13.42 }) * 10) / 10
      )
      assert.include(suggested?.reasons.map((reason) => reason.kind) ?? [], "popular_nearby")
      // What they answered, whatever the answer, is not suggested.
      const suggestedEvents = ids(yield* suggestions(goer, "events"))
      for (const event of Object.values(events)) assert.notInclude(suggestedEvents, event)
    })
  )

  it.effect("puts what is near first, with its distance, and gives the distance of what is far", () =>
    Effect.gen(function* () {
      const walker = yield* signUp("Walker")
      const host = yield* signUp("Host")
      const members = [yield* signUp("Member One"), yield* signUp("Member Two")]
      // Berlin; a group meeting in Berlin, one in Munich (south), one as far north as Berlin but east.
      ok(
        yield* call("PUT", "/api/v1/me/interests", {
          token: walker.token,
          body: { interests: ["hiking"], place: { latitude: 52.52, longitude: 13.405 } }
        })
      )
      const places = {
        near: { latitude: 52.53, longitude: 13.42 },
        south: { latitude: 48.137, longitude: 11.575 },
        east: { latitude: 52.52, longitude: 20 }
      }
      const groups: Record<string, string> = {}
      for (const [name, place] of Object.entries(places)) {
        const id = yield* createGroup(host, { name: `Walks ${name}`, category: "hiking", visibility: "public" })
        for (const member of members) yield* join(member, id)
        yield* createEvent(host, id, `A walk ${name}`, place)
        groups[name] = id
      }

      yield* rebuildAll
      const suggested = yield* suggestions(walker, "groups")
      const distance = (name: string) => find(suggested, groups[name] ?? "")?.distanceKm
      const reasons = (name: string) => find(suggested, groups[name] ?? "")?.reasons.map((reason) => reason.kind) ?? []

      assert.strictEqual(idOf(suggested[0] ?? { reasons: [] }), groups.near, "the near group comes first")
      assert.strictEqual(distance("near"), 1.5)
      assert.include(reasons("near"), "popular_nearby")
      assert.deepStrictEqual(
        find(suggested, groups.near ?? "")?.reasons.find((reason) => reason.kind === "popular_nearby"),
        { kind: "popular_nearby", distanceKm: 1.5, text: "Popular near you (1.5 km)" }
      )
      // Great-circle distances: Berlin to Munich is 504 km, to 20° east on its parallel 446 km.
      assert.strictEqual(distance("south"), 504.3)
      assert.strictEqual(distance("east"), 446.1)
      assert.notInclude(reasons("south"), "popular_nearby")
      assert.notInclude(reasons("east"), "popular_nearby")
    })
  )

  it.effect(
    "writes lists in Postgres's binary form, read back whole whatever an interest holds, unchanged ones left",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const repo = yield* RebuildRepo
        const someone = yield* signUp("Binary Lists")
        const odd = ['quote " and backslash \\', "comma, (parens) {braces}", "  spaced  ", "", "NULL", "ünïcode 山"]
        const interner = new Interner()
        const idOf = (n: number) => `0000000${n}-0000-4000-8000-00000000000${n}`
        const item = (n: number, interest: string | null) => ({
          ref: interner.ref(idOf(n)),
          score: 100 - n,
          interest,
          friends: n,
          co: 40_000 * n,
          mine: n % 2 === 0,
          contact: n === 3,
          nearby: n !== 4,
          km: n === 0 ? Number.NaN : 1.5 * n + 0.04
        })
        const groups = [...odd.map((interest, n) => item(n, interest)), item(7, null)]
        const suggestionsWith = (people: ReadonlyArray<ReturnType<typeof item>>) => [
          {
            userId: someone.userId,
            interests: odd.map((interest, n) => ({ interest, weight: n / 4 })),
            groups,
            events: [],
            people
          }
        ]
        const written = yield* repo
          .write(suggestionsWith([item(9, "x")]), interner)
          .pipe(sql.withTransaction, Effect.orDie)
        assert.strictEqual(written, groups.length + 1)
        // The row versions: a row written again with the same content is left as it is.
        const versions = sql`
        SELECT kind, xmin::text AS version FROM recommendations WHERE user_id = ${someone.userId}
        UNION ALL SELECT 'interests', xmin::text FROM recommendation_interests WHERE user_id = ${someone.userId}
        ORDER BY kind`.pipe(
          Effect.flatMap(
            Schema.decodeUnknownEffect(Schema.Array(Schema.Struct({ kind: Schema.String, version: Schema.String })))
          ),
          Effect.map((rows) => Object.fromEntries(rows.map((row) => [row.kind, row.version]))),
          Effect.orDie
        )
        const first = yield* versions
        yield* repo.write(suggestionsWith([item(9, "x")]), interner).pipe(sql.withTransaction, Effect.orDie)
        assert.deepStrictEqual(yield* versions, first)
        yield* repo.write(suggestionsWith([item(8, "y")]), interner).pipe(sql.withTransaction, Effect.orDie)
        const changed = yield* versions
        assert.notStrictEqual(changed.person, first.person)
        assert.deepStrictEqual({ ...changed, person: first.person ?? "" }, first)
        yield* repo.write(suggestionsWith([item(9, "x")]), interner).pipe(sql.withTransaction, Effect.orDie)
        const Row = Schema.Struct({
          kind: Schema.String,
          id: Schema.String,
          score: Schema.Number,
          interest: Schema.NullOr(Schema.String),
          friends: Schema.Number,
          co: Schema.Number,
          yourGroup: Schema.Boolean,
          contact: Schema.Boolean,
          nearby: Schema.Boolean,
          km: Schema.NullOr(Schema.Number)
        })
        const rows = yield* sql`
        SELECT r.kind, i.id::text AS id, i.score, i.interest, i.friends, i.co, i.your_group, i.contact, i.nearby, i.km
        FROM recommendations r CROSS JOIN LATERAL unnest(r.items) WITH ORDINALITY AS i
        WHERE r.user_id = ${someone.userId}
        ORDER BY r.kind, i.ordinality`.pipe(Effect.flatMap(Schema.decodeUnknownEffect(Schema.Array(Row))), Effect.orDie)
        // Counts above what a smallint holds are kept at its largest.
        // Distances are kept to a tenth of a km.
        const expected = (kind: string, n: number, entry: ReturnType<typeof item>) => [
          kind,
          idOf(n),
          entry.score,
          entry.interest,
          entry.friends,
          Math.min(entry.co, 32_767),
          entry.mine,
          entry.contact,
          entry.nearby,
          n === 0 ? null : Math.round(15 * n) / 10
        ]
        assert.deepStrictEqual(
          rows.map((row) => [
            row.kind,
            row.id,
            row.score,
            row.interest,
            row.friends,
            row.co,
            row.yourGroup,
            row.contact,
            row.nearby,
            row.km
          ]),
          [
            ...groups.map((entry, n) => expected("group", n === odd.length ? 7 : n, entry)),
            expected("person", 9, item(9, "x"))
          ]
        )
        const lists = yield* sql`
        SELECT kind, cardinality(items) AS size FROM recommendations WHERE user_id = ${someone.userId} ORDER BY kind`.pipe(
          Effect.flatMap(
            Schema.decodeUnknownEffect(
              Schema.Array(Schema.Struct({ kind: Schema.String, size: Schema.NullOr(Schema.Int) }))
            )
          ),
          Effect.orDie
        )
        // An empty list is stored empty, not missing.
        assert.deepStrictEqual(
          lists.map((list) => [list.kind, list.size ?? 0]),
          [
            ["event", 0],
            ["group", groups.length],
            ["person", 1]
          ]
        )
        // A dismissal changes a stored list behind the rebuild's back: the same lists written again put
        // it back as the rebuild made it (the list's digest no longer vouches for what is stored).
        const people = sql`
        SELECT cardinality(items) AS size FROM recommendations WHERE user_id = ${someone.userId} AND kind = 'person'`.pipe(
          Effect.flatMap(Schema.decodeUnknownEffect(Schema.Array(Schema.Struct({ size: Schema.NullOr(Schema.Int) })))),
          Effect.map((rows) => rows[0]?.size ?? 0),
          Effect.orDie
        )
        const other = yield* signUp("Dismissed Person")
        const suggested = [item(9, "x"), { ...item(8, null), ref: interner.ref(other.userId) }]
        yield* repo.write(suggestionsWith(suggested), interner).pipe(sql.withTransaction, Effect.orDie)
        assert.strictEqual(yield* people, 2)
        const dismissed = yield* call("DELETE", `/api/v1/me/suggestions/people/${other.userId}`, {
          token: someone.token
        })
        assert.strictEqual(dismissed.status, 204)
        assert.strictEqual(yield* people, 1)
        yield* repo.write(suggestionsWith(suggested), interner).pipe(sql.withTransaction, Effect.orDie)
        assert.strictEqual(yield* people, 2)
        const interests = yield* sql`
        SELECT i.interest, i.weight FROM recommendation_interests r CROSS JOIN LATERAL unnest(r.interests) WITH ORDINALITY AS i
        WHERE r.user_id = ${someone.userId} ORDER BY i.ordinality`.pipe(
          Effect.flatMap(
            Schema.decodeUnknownEffect(Schema.Array(Schema.Struct({ interest: Schema.String, weight: Schema.Number })))
          ),
          Effect.orDie
        )
        assert.deepStrictEqual(
          interests.map((row) => [row.interest, row.weight]),
          odd.map((interest, n) => [interest, n / 4])
        )
      }).pipe(Effect.provide(RebuildRepo.layer))
  )
})
