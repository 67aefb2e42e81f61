import { randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { UserId } from "@moim/domain/Accounts/User"
import { GroupId } from "@moim/domain/Groups/Group"
import { GroupNotifier } from "@moim/server/Groups/GroupNotifier"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"

interface Listed {
  readonly id: string
  readonly type: string
  readonly text: string
  readonly actorCount: number
  readonly actors: ReadonlyArray<{ readonly nickname: string }>
  readonly subject: { readonly kind: string; readonly id: string }
  readonly readAt: string | null
  readonly data: Record<string, unknown>
}

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

/** The server and a worker in one process, on one database: what `npm start` runs. */
const ServerAndWorker = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(env)))

const items = (response: JsonResponse): ReadonlyArray<Listed> => {
  assert.strictEqual(response.status, 200, response.text)
  return response.body.items as ReadonlyArray<Listed>
}

const listOf = (user: TestUser, query = "") =>
  Effect.map(call("GET", `/api/v1/me/notifications${query}`, { token: user.token }), items)

const countsOf = (user: TestUser) =>
  Effect.map(call("GET", "/api/v1/me/notifications/counts", { token: user.token }), (response) => response.body)

/** Waits (bounded) until the user's notifications satisfy `done`, as the worker delivers them. */
const until = (user: TestUser, done: (listed: ReadonlyArray<Listed>) => boolean, what: string) =>
  eventually(
    Effect.flatMap(listOf(user), (listed) => (done(listed) ? Effect.succeed(listed) : Effect.fail(listed))),
    { interval: "50 millis", timeout: "15 seconds" }
  ).pipe(
    Effect.catch((last) => Effect.sync(() => assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(last)}`)))
  )

const ofType = (listed: ReadonlyArray<Listed>, type: string) => listed.filter((item) => item.type === type)

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag)
}

/** `member` joins `groupId` through an invitation from `owner`; returns the invitation id. */
const inviteAndAccept = (owner: TestUser, member: TestUser, groupId: string) =>
  Effect.gen(function* () {
    const invited = yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
      token: owner.token,
      body: { userId: member.userId }
    })
    expectStatus(invited, 201)
    const invitationId = String(invited.body.id)
    expectStatus(yield* call("POST", `/api/v1/invitations/${invitationId}/accept`, { token: member.token }), 200)
    return invitationId
  })

layer(ServerAndWorker, { excludeTestServices: true, timeout: "120 seconds" })("Notifications", (it) => {
  it.effect("join requests reach the owner and admins, collapsed into one notification per group", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Olga")
      const admin = yield* signUp("Abel")
      const groupId = yield* createGroup(owner, { name: "Hikers of the North", joinPolicy: "approval" })
      const invitationId = yield* inviteAndAccept(owner, admin, groupId)
      expectStatus(
        yield* call("PATCH", `/api/v1/groups/${groupId}/members/${admin.userId}`, {
          token: owner.token,
          body: { role: "admin" }
        }),
        200
      )

      const adminNews = yield* until(admin, (listed) => listed.length === 2, "the admin's invitation and promotion")
      const [promoted, invited] = adminNews
      assert.strictEqual(promoted?.type, "group.roleChanged")
      assert.strictEqual(promoted?.text, "Olga made you an admin of Hikers of the North")
      assert.strictEqual(invited?.type, "group.invited")
      assert.strictEqual(invited?.text, "Olga invited you to join Hikers of the North")
      assert.deepStrictEqual(invited?.subject, { kind: "invitation", id: invitationId })
      const ownerNews = yield* until(owner, (listed) => listed.length === 1, "the accepted invitation")
      assert.strictEqual(ownerNews[0]?.text, "Abel accepted your invitation to Hikers of the North")

      const requesters = [yield* signUp("Ada"), yield* signUp("Ben"), yield* signUp("Cy")]
      for (const requester of requesters) {
        const joined = yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: requester.token, body: {} })
        expectStatus(joined, 200)
        assert.strictEqual(joined.body.status, "pending")
      }
      for (const moderator of [owner, admin]) {
        const listed = yield* until(
          moderator,
          (news) => ofType(news, "group.joinRequested")[0]?.actorCount === 3,
          "three collapsed join requests"
        )
        const requests = ofType(listed, "group.joinRequested")
        assert.lengthOf(requests, 1)
        const [collapsed] = requests
        assert.deepStrictEqual(collapsed?.actors.map((actor) => actor.nickname).sort(), ["Ada", "Ben", "Cy"])
        assert.match(collapsed?.text ?? "", /^(Ada|Ben|Cy) and 2 others asked to join Hikers of the North$/)
        assert.deepStrictEqual(collapsed?.subject, { kind: "group", id: groupId })
        assert.deepStrictEqual(collapsed?.data, { groupId, groupName: "Hikers of the North" })
      }
      for (const requester of requesters) assert.deepStrictEqual(yield* listOf(requester), [])
    })
  )

  it.effect("answers, role changes, removals, bans and transfers reach the member concerned", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Orla")
      const heir = yield* signUp("Hugo")
      const groupId = yield* createGroup(owner, { name: "Chess club", joinPolicy: "approval" })
      yield* inviteAndAccept(owner, heir, groupId)
      const [ada, ben, cy] = [yield* signUp("Ada"), yield* signUp("Ben"), yield* signUp("Cy")]
      for (const requester of [ada, ben, cy]) {
        yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: requester.token, body: {} })
      }
      const path = `/api/v1/groups/${groupId}`
      expectStatus(yield* call("POST", `${path}/join-requests/${ada.userId}/approve`, { token: owner.token }), 200)
      expectStatus(yield* call("POST", `${path}/join-requests/${ben.userId}/reject`, { token: owner.token }), 204)
      expectStatus(yield* call("DELETE", `${path}/members/${ada.userId}`, { token: owner.token }), 204)
      expectStatus(yield* call("POST", `${path}/bans`, { token: owner.token, body: { userId: cy.userId } }), 201)
      expectStatus(yield* call("POST", `${path}/transfer`, { token: owner.token, body: { userId: heir.userId } }), 200)

      const adaNews = yield* until(ada, (listed) => listed.length === 2, "Ada's approval and removal")
      assert.deepStrictEqual(
        adaNews.map((item) => item.text),
        ["You were removed from Chess club", "Orla approved your request to join Chess club"]
      )
      assert.deepStrictEqual(adaNews[0]?.subject, { kind: "user", id: ada.userId })
      const benNews = yield* until(ben, (listed) => listed.length === 1, "Ben's rejection")
      assert.strictEqual(benNews[0]?.text, "Your request to join Chess club was declined")
      const cyNews = yield* until(cy, (listed) => listed.length === 1, "Cy's ban")
      assert.strictEqual(cyNews[0]?.type, "group.banned")
      const heirNews = yield* until(
        heir,
        (listed) => ofType(listed, "group.ownershipTransferred").length === 1,
        "the transfer"
      )
      assert.strictEqual(
        ofType(heirNews, "group.ownershipTransferred")[0]?.text,
        "Orla made you the owner of Chess club"
      )
    })
  )

  it.effect("a notification about a group the recipient can no longer see is not shown or counted", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Mira")
      const groupId = yield* createGroup(owner, { name: "Secret garden", visibility: "private", joinPolicy: "invite" })
      yield* inviteAndAccept(owner, member, groupId)
      yield* call("PATCH", `/api/v1/groups/${groupId}/members/${member.userId}`, {
        token: owner.token,
        body: { role: "admin" }
      })
      yield* until(member, (listed) => listed.length === 2, "the invitation and the promotion")
      assert.strictEqual((yield* countsOf(member)).unread, 2)

      expectStatus(
        yield* call("DELETE", `/api/v1/groups/${groupId}/members/${member.userId}`, { token: owner.token }),
        204
      )
      const listed = yield* until(member, (news) => news.some((item) => item.type === "group.removed"), "the removal")
      assert.deepStrictEqual(
        listed.map((item) => item.type),
        ["group.removed"]
      )
      assert.deepStrictEqual(yield* countsOf(member), { unread: 1, unseen: 1 })
      const unreadOnly = yield* listOf(member, "?unread=true")
      assert.deepStrictEqual(
        unreadOnly.map((item) => item.type),
        ["group.removed"]
      )
    })
  )

  it.effect("read, seen and delete: one, up to one, or all; never another person's", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Host")
      const reader = yield* signUp("Rhea")
      const stranger = yield* signUp("Stranger")
      for (const name of ["First club", "Second club", "Third club"]) {
        const groupId = yield* createGroup(host, { name, joinPolicy: "invite" })
        yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
          token: host.token,
          body: { userId: reader.userId }
        })
      }
      const [third, second, first] = yield* until(reader, (listed) => listed.length === 3, "three invitations")
      assert.deepStrictEqual(
        [third?.data.groupName, second?.data.groupName, first?.data.groupName],
        ["Third club", "Second club", "First club"]
      )
      assert.deepStrictEqual(yield* countsOf(reader), { unread: 3, unseen: 3 })
      expectStatus(yield* call("POST", "/api/v1/me/notifications/seen", { token: reader.token }), 204)
      assert.deepStrictEqual(yield* countsOf(reader), { unread: 3, unseen: 0 })

      // Nobody else can read, mark or delete them, and trying changes nothing.
      const mine = `/api/v1/me/notifications/${second?.id}`
      expectStatus(yield* call("POST", `${mine}/read`, { token: stranger.token }), 404, "NotificationNotFound")
      expectStatus(yield* call("DELETE", mine, { token: stranger.token }), 404, "NotificationNotFound")
      expectStatus(
        yield* call("POST", "/api/v1/me/notifications/read", { token: stranger.token, body: { upTo: second?.id } }),
        404,
        "NotificationNotFound"
      )
      assert.deepStrictEqual(yield* listOf(stranger), [])
      assert.deepStrictEqual(yield* countsOf(reader), { unread: 3, unseen: 0 })

      expectStatus(yield* call("POST", `${mine}/read`, { token: reader.token }), 204)
      expectStatus(yield* call("POST", `${mine}/read`, { token: reader.token }), 204)
      assert.deepStrictEqual(
        (yield* listOf(reader, "?unread=true")).map((item) => item.id),
        [third?.id, first?.id]
      )
      const upToFirst = yield* call("POST", "/api/v1/me/notifications/read", {
        token: reader.token,
        body: { upTo: first?.id }
      })
      assert.deepStrictEqual(upToFirst.body, { marked: 1 })
      assert.deepStrictEqual(
        (yield* listOf(reader, "?unread=true")).map((item) => item.id),
        [third?.id]
      )
      const all = yield* call("POST", "/api/v1/me/notifications/read", { token: reader.token })
      assert.deepStrictEqual(all.body, { marked: 1 })
      assert.deepStrictEqual(yield* countsOf(reader), { unread: 0, unseen: 0 })

      expectStatus(yield* call("DELETE", mine, { token: reader.token }), 204)
      expectStatus(yield* call("DELETE", mine, { token: reader.token }), 404, "NotificationNotFound")
      assert.deepStrictEqual(
        (yield* listOf(reader)).map((item) => item.id),
        [third?.id, first?.id]
      )
      const paged = yield* call("GET", "/api/v1/me/notifications?limit=1", { token: reader.token })
      assert.deepStrictEqual(
        items(paged).map((item) => item.id),
        [third?.id]
      )
      const next = yield* listOf(reader, `?limit=1&cursor=${encodeURIComponent(String(paged.body.nextCursor))}`)
      assert.deepStrictEqual(
        next.map((item) => item.id),
        [first?.id]
      )
    })
  )

  it.effect("preferences choose the channels; a muted group's activity stays quiet, personal news does not", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Quinn")
      const admin = yield* signUp("Ari")
      const groupId = yield* createGroup(owner, { name: "Night owls", joinPolicy: "approval" })
      yield* inviteAndAccept(owner, admin, groupId)
      yield* call("PATCH", `/api/v1/groups/${groupId}/members/${admin.userId}`, {
        token: owner.token,
        body: { role: "admin" }
      })
      yield* until(admin, (listed) => listed.length === 2, "the admin's invitation and promotion")

      const defaults = yield* call("GET", "/api/v1/me/notification-preferences", { token: owner.token })
      assert.strictEqual(defaults.body.timeZone, "UTC")
      assert.strictEqual(defaults.body.quietHours, null)
      assert.strictEqual(defaults.body.digest, "off")
      const types = defaults.body.types as ReadonlyArray<Record<string, unknown>>
      assert.deepStrictEqual(
        types.find((type) => type.type === "group.joinRequested"),
        {
          type: "group.joinRequested",
          description: "Someone asks to join a group you run",
          inApp: true,
          email: true,
          push: true
        }
      )

      const updated = yield* call("PATCH", "/api/v1/me/notification-preferences", {
        token: owner.token,
        body: {
          timeZone: "Europe/Berlin",
          quietHours: { start: "22:00", end: "07:00" },
          digest: "daily",
          types: [{ type: "group.joinRequested", inApp: false }]
        }
      })
      expectStatus(updated, 200)
      assert.strictEqual(updated.body.timeZone, "Europe/Berlin")
      assert.deepStrictEqual(updated.body.quietHours, { start: "22:00", end: "07:00" })
      assert.strictEqual(updated.body.digest, "daily")
      for (const body of [
        { timeZone: "Mars/Olympus_Mons" },
        { quietHours: { start: "25:00", end: "07:00" } },
        { types: [{ type: "group.unknown", inApp: false }] },
        { digest: "hourly" }
      ]) {
        expectStatus(
          yield* call("PATCH", "/api/v1/me/notification-preferences", { token: owner.token, body }),
          400,
          "InvalidRequest"
        )
      }
      const kept = yield* call("GET", "/api/v1/me/notification-preferences", { token: owner.token })
      assert.strictEqual(kept.body.timeZone, "Europe/Berlin")

      // The owner turned join requests off in-app; the admin muted the group.
      expectStatus(
        yield* call("PUT", `/api/v1/me/notification-preferences/muted-groups/${groupId}`, { token: admin.token }),
        204
      )
      const muted = yield* call("GET", "/api/v1/me/notification-preferences", { token: admin.token })
      assert.deepStrictEqual(muted.body.mutedGroups, [groupId])
      const requester = yield* signUp("Rory")
      yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: requester.token, body: {} })
      expectStatus(
        yield* call("POST", `/api/v1/groups/${groupId}/transfer`, {
          token: owner.token,
          body: { userId: admin.userId }
        }),
        200
      )
      // Personal news still reaches the admin; the join request (delivered before it) reached nobody.
      yield* until(
        admin,
        (listed) => ofType(listed, "group.ownershipTransferred").length === 1,
        "the transfer despite the mute"
      )
      yield* eventually(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const rows = yield* sql<{ n: number }>`
            SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'NotifyGroupEvent'`.pipe(
            Effect.orDie
          )
          if (rows[0]?.n !== 0) return yield* Effect.fail("jobs left")
        }),
        { interval: "50 millis", timeout: "15 seconds" }
      )
      assert.lengthOf(ofType(yield* listOf(admin), "group.joinRequested"), 0)
      assert.lengthOf(ofType(yield* listOf(owner), "group.joinRequested"), 0)

      expectStatus(
        yield* call("DELETE", `/api/v1/me/notification-preferences/muted-groups/${groupId}`, { token: admin.token }),
        204
      )
      const secret = yield* createGroup(owner, { name: "Hidden", visibility: "private", joinPolicy: "invite" })
      expectStatus(
        yield* call("PUT", `/api/v1/me/notification-preferences/muted-groups/${secret}`, { token: requester.token }),
        404,
        "GroupNotFound"
      )
    })
  )

  it.effect("an event delivered twice reaches nobody twice, and large audiences go out in batches", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const notifier = yield* GroupNotifier
      const owner = yield* signUp("Big host")
      const groupId = GroupId.make(yield* createGroup(owner, { name: "Crowd", joinPolicy: "approval" }))
      // 2,500 admins, written straight to the database: three batches of a delivery.
      const admins = Array.from({ length: 2500 }, () => UserId.make(randomUUID()))
      yield* sql`
        INSERT INTO users (id, email, password_hash, nickname, role, created_at, updated_at)
        SELECT id, 'crowd-' || id || '@example.com', NULL, 'Crowd', 'user', now(), now()
        FROM unnest(${admins}::uuid[]) AS id`
      yield* sql`
        INSERT INTO group_members (group_id, user_id, role, joined_at)
        SELECT ${groupId}, id, 'admin', now() FROM unnest(${admins}::uuid[]) AS id`
      const requester = UserId.make((yield* signUp("Rush")).userId)
      const eventId = randomUUID()
      const event = { _tag: "JoinRequested", groupId, by: requester } as const
      yield* notifier.notify(eventId, event)
      yield* notifier.notify(eventId, event)
      const rows = yield* sql<{ n: number }>`
        SELECT count(*)::int AS n FROM notifications WHERE type = 'group.joinRequested' AND subject_id = ${groupId}`
      assert.strictEqual(rows[0]?.n, 2501)
    }).pipe(Effect.orDie)
  )
})
