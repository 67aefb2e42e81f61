import { NodeSocket } from "@effect/platform-node"
import { assert, layer } from "@effect/vitest"
import { layerRpcClientMiddleware } from "@moim/domain/Kit/RpcClientMiddleware"
import { Rpcs } from "@moim/domain/Rpcs"
import { Effect, Layer, Option, Ref } from "effect"
import { RpcClient, RpcSerialization } from "effect/rpc"
import { SqlClient } from "effect/sql"
import { Groups } from "../src/Groups/Groups.ts"
import { createGroup, signUp } from "./support/Actors.ts"
import { call, freshEmail, freshIp } from "./support/Http.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

const memberCounts = (groupId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ memberCount: number; rows: number }>`
      SELECT g.member_count, (SELECT count(*)::int FROM group_members m WHERE m.group_id = g.id) AS rows
      FROM groups g WHERE g.id = ${groupId}`
    return rows[0]
  }).pipe(Effect.orDie)

const canCreateEvents = (group: Record<string, unknown>) =>
  (group.viewer as { readonly canCreateEvents: boolean } | null)?.canCreateEvents

const names = (response: { body: Record<string, unknown> }) =>
  (response.body.items as ReadonlyArray<{ name: string }>).map((group) => group.name)

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Groups", (it) => {
  it.effect("creates a group with its creator as owner, and validates every field", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const created = yield* call("POST", "/api/v1/groups", {
        token: owner.token,
        body: { name: "Sunday Hikers", category: "hiking", tags: ["Trails", "weekend"], memberLimit: 30 }
      })
      assert.strictEqual(created.status, 201)
      assert.strictEqual(created.body.ownerId, owner.userId)
      assert.strictEqual(created.body.memberCount, 1)
      assert.deepStrictEqual(created.body.tags, ["trails", "weekend"])
      assert.deepStrictEqual(created.body.viewer, {
        status: "member",
        role: "owner",
        postNotifications: "mentions",
        canCreateEvents: true
      })
      assert.strictEqual(created.body.eventCreation, "members")
      for (const [body, field] of [
        [{ name: "x", category: "hiking" }, "name"],
        [{ name: "Valid name", category: "knitting" }, "category"],
        [{ name: "Valid name", category: "hiking", memberLimit: 1 }, "memberLimit"],
        [{ name: "Valid name", category: "hiking", visibility: "secret" }, "visibility"],
        [{ name: "Valid name", category: "hiking", eventCreation: "hosts" }, "eventCreation"],
        [{ name: "Valid name", category: "hiking", owner: owner.userId }, "owner"]
      ] as const) {
        const refused = yield* call("POST", "/api/v1/groups", { token: owner.token, body })
        assert.strictEqual(refused.status, 400, JSON.stringify(refused.body))
        const issues = refused.body.issues as ReadonlyArray<{ path: ReadonlyArray<string> }>
        assert.deepStrictEqual(issues[0]?.path, ["payload", field])
      }
      const mine = yield* call("GET", "/api/v1/me/groups", { token: owner.token })
      assert.deepStrictEqual(names(mine), ["Sunday Hikers"])
    })
  )

  it.effect("searches name, tags and description with relevance, and filters by category and tag", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Curator")
      const inName = yield* createGroup(owner, { name: "Zebrafinch Watchers", category: "other", tags: ["birds"] })
      const inTags = yield* createGroup(owner, { name: "Garden Club", category: "other", tags: ["zebrafinch"] })
      const inDescription = yield* createGroup(owner, {
        name: "Pet Owners",
        category: "food",
        description: "We sometimes talk about the zebrafinch"
      })
      yield* createGroup(owner, { name: "Private Zebrafinch", category: "other", visibility: "private" })

      const found = yield* call("GET", "/api/v1/groups?q=zebrafin")
      const ids = (found.body.items as ReadonlyArray<{ id: string }>).map((group) => group.id)
      assert.deepStrictEqual(ids, [inName, inTags, inDescription], "name beats tags beats description; private hidden")

      assert.deepStrictEqual(names(yield* call("GET", "/api/v1/groups?q=zebrafinch&category=food")), ["Pet Owners"])
      assert.deepStrictEqual(names(yield* call("GET", "/api/v1/groups?tag=zebrafinch")), ["Garden Club"])
      assert.deepStrictEqual(names(yield* call("GET", "/api/v1/groups?q=nothing-like-this")), [])
      const refused = yield* call("GET", "/api/v1/groups?category=knitting")
      assert.strictEqual(refused.status, 400)
    })
  )

  it.effect("sorts by most members", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Sorter")
      const small = yield* createGroup(owner, { name: "Quokka small", category: "arts" })
      const big = yield* createGroup(owner, { name: "Quokka big", category: "arts" })
      for (let i = 0; i < 2; i++) {
        const joiner = yield* signUp("Joiner")
        assert.strictEqual(
          (yield* call("POST", `/api/v1/groups/${big}/join`, { token: joiner.token, body: {} })).status,
          200
        )
      }
      const sorted = yield* call("GET", "/api/v1/groups?q=quokka&sort=members")
      assert.deepStrictEqual(
        (sorted.body.items as ReadonlyArray<{ id: string; memberCount: number }>).map((group) => [
          group.id,
          group.memberCount
        ]),
        [
          [big, 3],
          [small, 1]
        ]
      )
    })
  )

  it.effect("pages through groups without gaps or repeats while new groups are being created", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Pager")
      const initial = yield* Effect.forEach(
        Array.from({ length: 12 }, (_, i) => i),
        (i) => createGroup(owner, { name: `Wombat page ${i}`, category: "books" })
      )
      const seen: Array<string> = []
      let cursor: string | null = null
      let inserted = 0
      do {
        const page: { body: Record<string, unknown> } = yield* call(
          "GET",
          `/api/v1/groups?q=wombat&sort=newest&limit=5${cursor === null ? "" : `&cursor=${cursor}`}`
        )
        seen.push(...(page.body.items as ReadonlyArray<{ id: string }>).map((group) => group.id))
        cursor = page.body.nextCursor as string | null
        yield* Effect.all(
          [1, 2].map(() => createGroup(owner, { name: `Wombat late ${inserted++}`, category: "books" })),
          { concurrency: "unbounded" }
        )
      } while (cursor !== null)
      assert.strictEqual(new Set(seen).size, seen.length, "no repeats")
      assert.deepStrictEqual([...seen].sort(), [...initial].sort(), "every group that existed at the start, once")
    })
  )

  it.effect("never lets more members in than the limit, however many join at once", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Limiter")
      const groupId = yield* createGroup(owner, { name: "Tiny table", category: "games", memberLimit: 5 })
      const joiners = yield* Effect.forEach(
        Array.from({ length: 16 }, () => 0),
        () => signUp("Racer")
      )
      const results = yield* Effect.all(
        joiners.map((joiner) => call("POST", `/api/v1/groups/${groupId}/join`, { token: joiner.token, body: {} })),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter((result) => result.status === 200).length, 4)
      assert.isTrue(
        results.filter((result) => result.status !== 200).every((result) => result.body._tag === "GroupFull")
      )
      assert.deepStrictEqual(yield* memberCounts(groupId), { memberCount: 5, rows: 5 })
      const group = yield* call("GET", `/api/v1/groups/${groupId}`)
      assert.strictEqual(group.body.memberCount, 5)
    })
  )

  it.effect("keeps the member count exact under concurrent joins and leaves", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Counter")
      const groupId = yield* createGroup(owner, { name: "Busy square", category: "sports" })
      const people = yield* Effect.forEach(
        Array.from({ length: 12 }, () => 0),
        () => signUp("Churn")
      )
      yield* Effect.all(
        people.map((person, index) =>
          Effect.gen(function* () {
            yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: person.token, body: {} })
            if (index % 2 === 0) yield* call("POST", `/api/v1/groups/${groupId}/leave`, { token: person.token })
            yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: person.token, body: {} })
            if (index % 3 === 0) yield* call("POST", `/api/v1/groups/${groupId}/leave`, { token: person.token })
          })
        ),
        { concurrency: "unbounded" }
      )
      const counts = yield* memberCounts(groupId)
      assert.strictEqual(counts?.memberCount, counts?.rows)
      assert.strictEqual(counts?.rows, 1 + 12 - 4)
    })
  )

  it.effect("a read after a write never sees the cached old value", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Editor")
      const groupId = yield* createGroup(owner, { name: "Okapi fans", category: "arts" })
      assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`)).body.name, "Okapi fans")
      assert.deepStrictEqual(names(yield* call("GET", "/api/v1/groups?q=okapi")), ["Okapi fans"])
      yield* call("PATCH", `/api/v1/groups/${groupId}`, { token: owner.token, body: { name: "Okapi friends" } })
      assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`)).body.name, "Okapi friends")
      assert.deepStrictEqual(names(yield* call("GET", "/api/v1/groups?q=okapi")), ["Okapi friends"])
      const joiner = yield* signUp("Joiner")
      yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: joiner.token, body: {} })
      assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`)).body.memberCount, 2)
      const listed = yield* call("GET", "/api/v1/groups?q=okapi")
      assert.strictEqual((listed.body.items as ReadonlyArray<{ memberCount: number }>)[0]?.memberCount, 2)
      const before = (yield* call("GET", `/api/v1/groups/${groupId}`, { token: joiner.token })).body
      assert.deepStrictEqual([before.eventCreation, canCreateEvents(before)], ["members", true])
      yield* call("PATCH", `/api/v1/groups/${groupId}`, { token: owner.token, body: { eventCreation: "admins" } })
      const after = (yield* call("GET", `/api/v1/groups/${groupId}`, { token: joiner.token })).body
      assert.deepStrictEqual([after.eventCreation, canCreateEvents(after)], ["admins", false])
      const listedAfter = yield* call("GET", "/api/v1/groups?q=okapi")
      assert.strictEqual(
        (listedAfter.body.items as ReadonlyArray<{ eventCreation: string }>)[0]?.eventCreation,
        "admins"
      )
      yield* call("GET", `/api/v1/groups/${groupId}`)
      yield* call("GET", `/api/v1/groups/${groupId}`)
      const metrics = yield* call("GET", "/metrics", { headers: { authorization: `Bearer ${TestServer.opsToken}` } })
      assert.strictEqual(metrics.status, 200)
      assert.match(metrics.text, /moim_cache_hits_total\{[^}]*namespace="groups:v3:detail"[^}]*\} [1-9]/)
      assert.match(metrics.text, /moim_cache_misses_total\{[^}]*namespace="groups:v3:list"[^}]*\} [1-9]/)
      assert.strictEqual((yield* call("GET", "/metrics")).status, 401)
      yield* call("DELETE", `/api/v1/groups/${groupId}`, { token: owner.token })
      assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`)).status, 404)
      assert.deepStrictEqual(names(yield* call("GET", "/api/v1/groups?q=okapi")), [])
    })
  )

  it.effect("join policies: open joins at once, approval waits for an admin, invite-only needs an invitation", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Host")
      const open = yield* createGroup(owner, { name: "Open door", joinPolicy: "open" })
      const approval = yield* createGroup(owner, { name: "Knock first", joinPolicy: "approval" })
      const inviteOnly = yield* createGroup(owner, { name: "Invite only", joinPolicy: "invite" })
      const guest = yield* signUp("Guest")
      assert.deepStrictEqual(
        (yield* call("POST", `/api/v1/groups/${open}/join`, { token: guest.token, body: {} })).json,
        {
          status: "member"
        }
      )
      const requested = yield* call("POST", `/api/v1/groups/${approval}/join`, {
        token: guest.token,
        body: { message: "I love knocking" }
      })
      assert.deepStrictEqual(requested.json, { status: "pending" })
      assert.deepStrictEqual((yield* call("GET", `/api/v1/groups/${approval}`, { token: guest.token })).body.viewer, {
        status: "pending",
        role: null,
        postNotifications: null,
        canCreateEvents: false
      })
      const requests = yield* call("GET", `/api/v1/groups/${approval}/join-requests`, { token: owner.token })
      assert.strictEqual((requests.body.items as ReadonlyArray<{ message: string }>)[0]?.message, "I love knocking")
      const approved = yield* call("POST", `/api/v1/groups/${approval}/join-requests/${guest.userId}/approve`, {
        token: owner.token
      })
      assert.strictEqual(approved.body.role, "member")
      const refused = yield* call("POST", `/api/v1/groups/${inviteOnly}/join`, { token: guest.token, body: {} })
      assert.strictEqual(refused.body._tag, "InvitationRequired")
    })
  )

  it.effect("an invitation by email reaches the account that signs up and verifies that address", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Inviter")
      const groupId = yield* createGroup(owner, { name: "Secret supper", visibility: "private", joinPolicy: "invite" })
      const email = freshEmail("newcomer")
      const invited = yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
        token: owner.token,
        body: { email }
      })
      assert.strictEqual(invited.status, 201)
      assert.strictEqual(invited.body.email, email)
      const again = yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
        token: owner.token,
        body: { email }
      })
      assert.strictEqual(again.body._tag, "AlreadyInvited")

      const signedUp = yield* call("POST", "/api/v1/auth/signup", {
        ip: freshIp(),
        body: { email, password: "correct horse battery", nickname: "Newcomer" }
      })
      const token = String(signedUp.body.accessToken)
      assert.deepStrictEqual((yield* call("GET", "/api/v1/me/invitations", { token })).body.items, [])

      const sql = yield* SqlClient.SqlClient
      const mails = yield* sql<{ text: string }>`
        SELECT j.payload->>'text' AS text FROM graphile_worker._private_jobs j
        JOIN graphile_worker._private_tasks t ON t.id = j.task_id
        WHERE t.identifier = 'SendEmail' AND j.payload->>'to' = ${email} ORDER BY j.id`
      assert.include(mails[0]?.text ?? "", "Secret supper")
      const verification = mails
        .map((mail) => mail.text.match(/verify-email\?token=([A-Za-z0-9_-]+)/)?.[1])
        .find(Boolean)
      assert.strictEqual(
        (yield* call("POST", "/api/v1/auth/verify-email", { body: { token: verification } })).status,
        204
      )

      const mine = yield* call("GET", "/api/v1/me/invitations", { token })
      const invitation = (mine.body.items as ReadonlyArray<{ id: string; groupName: string }>)[0]
      assert.strictEqual(invitation?.groupName, "Secret supper")
      const accepted = yield* call("POST", `/api/v1/invitations/${invitation?.id}/accept`, { token })
      assert.strictEqual(accepted.status, 200)
      assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`, { token })).status, 200)
    })
  )

  it.effect("a banned user cannot rejoin or be invited until unbanned", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Bouncer")
      const groupId = yield* createGroup(owner, { name: "Strict club" })
      const troll = yield* signUp("Troll")
      yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: troll.token, body: {} })
      const banned = yield* call("POST", `/api/v1/groups/${groupId}/bans`, {
        token: owner.token,
        body: { userId: troll.userId, reason: "spam" }
      })
      assert.strictEqual(banned.status, 201)
      assert.deepStrictEqual(yield* memberCounts(groupId), { memberCount: 1, rows: 1 })
      assert.strictEqual(
        (yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: troll.token, body: {} })).body._tag,
        "BannedFromGroup"
      )
      assert.strictEqual(
        (yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
          token: owner.token,
          body: { userId: troll.userId }
        })).body._tag,
        "BannedFromGroup"
      )
      yield* call("DELETE", `/api/v1/groups/${groupId}/bans/${troll.userId}`, { token: owner.token })
      assert.strictEqual(
        (yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: troll.token, body: {} })).status,
        200
      )
    })
  )

  it.effect("ownership moves to a member; the old owner can then leave", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Founder")
      const heir = yield* signUp("Heir")
      const groupId = yield* createGroup(owner, { name: "Family business" })
      yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: heir.token, body: {} })
      assert.strictEqual(
        (yield* call("POST", `/api/v1/groups/${groupId}/leave`, { token: owner.token })).body._tag,
        "OwnerCannotLeave"
      )
      const moved = yield* call("POST", `/api/v1/groups/${groupId}/transfer`, {
        token: owner.token,
        body: { userId: heir.userId }
      })
      assert.strictEqual(moved.body.ownerId, heir.userId)
      assert.strictEqual((yield* call("POST", `/api/v1/groups/${groupId}/leave`, { token: owner.token })).status, 204)
      const members = yield* call("GET", `/api/v1/groups/${groupId}/members`)
      assert.deepStrictEqual(
        (members.body.items as ReadonlyArray<{ role: string; user: { id: string } }>).map((m) => [m.user.id, m.role]),
        [[heir.userId, "owner"]]
      )
    })
  )

  it.effect("owners upload a group image through a signed URL; public groups serve it, private ones do not", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Painter")
      const groupId = yield* createGroup(owner, { name: "Watercolours" })
      const upload = yield* call("POST", `/api/v1/groups/${groupId}/image-upload`, {
        token: owner.token,
        body: { contentType: "image/webp" }
      })
      assert.strictEqual(upload.status, 200)
      const image = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4])
      const put = yield* Effect.promise(() =>
        fetch(String(upload.body.url), {
          method: "PUT",
          headers: upload.body.headers as Record<string, string>,
          body: image
        })
      )
      assert.isTrue(put.ok)
      const member = yield* signUp("Viewer")
      yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: member.token, body: {} })
      const refused = yield* call("PATCH", `/api/v1/groups/${groupId}`, {
        token: member.token,
        body: { imageUploadKey: upload.body.key }
      })
      assert.strictEqual(refused.body._tag, "Forbidden")
      const updated = yield* call("PATCH", `/api/v1/groups/${groupId}`, {
        token: owner.token,
        body: { imageUploadKey: upload.body.key }
      })
      const imageUrl = String(updated.body.imageUrl)
      const redirect = yield* Effect.promise(() => fetch(imageUrl, { redirect: "manual" }))
      assert.strictEqual(redirect.status, 302)
      const bytes = yield* Effect.promise(() =>
        fetch(redirect.headers.get("location") ?? "").then((response) => response.arrayBuffer())
      )
      assert.deepStrictEqual(new Uint8Array(bytes), image)

      yield* call("PATCH", `/api/v1/groups/${groupId}`, { token: owner.token, body: { visibility: "private" } })
      const hidden = yield* Effect.promise(() => fetch(imageUrl, { redirect: "manual" }))
      assert.strictEqual(hidden.status, 404)
    })
  )

  it.effect("deleted groups disappear at once and are purged after the retention period", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Closer")
      const groupId = yield* createGroup(owner, { name: "Closing down" })
      yield* call("DELETE", `/api/v1/groups/${groupId}`, { token: owner.token })
      const sql = yield* SqlClient.SqlClient
      const groups = yield* Groups
      assert.strictEqual(yield* groups.purgeDeleted(30), 0)
      yield* sql`UPDATE groups SET deleted_at = now() - interval '31 days' WHERE id = ${groupId}`
      assert.strictEqual(yield* groups.purgeDeleted(30), 1)
      const rows = yield* sql<{ id: string }>`SELECT id FROM groups WHERE id = ${groupId}`
      assert.strictEqual(rows.length, 0)
    })
  )

  it.effect("the same operations work over RPC on a WebSocket", () => {
    const token = Ref.makeUnsafe(Option.none<string>())
    return Effect.gen(function* () {
      const owner = yield* signUp("Rpc owner")
      const client = yield* RpcClient.make(Rpcs)
      yield* Ref.set(token, Option.some(owner.token))
      const created = yield* client.CreateGroup({ name: "Socket club", category: "tech" })
      yield* Ref.set(token, Option.none())
      const anonymous = yield* client.GetGroup({ id: created.id })
      assert.strictEqual(anonymous.viewer, null)
      const joiner = yield* signUp("Rpc joiner")
      yield* Ref.set(token, Option.some(joiner.token))
      assert.deepStrictEqual(yield* client.JoinGroup({ id: created.id }), { status: "member" })
      const seen = yield* client.GetGroup({ id: created.id })
      assert.deepStrictEqual(seen.viewer, {
        status: "member",
        role: "member",
        postNotifications: "mentions",
        canCreateEvents: true
      })
      const all = yield* client.SetGroupPostNotifications({ id: created.id, level: "all" })
      assert.strictEqual(all.viewer?.postNotifications, "all")
      assert.strictEqual((yield* client.GetGroup({ id: created.id })).viewer?.postNotifications, "all")
      const mineNow = yield* client.MyGroups({})
      assert.strictEqual(mineNow.items.find((group) => group.id === created.id)?.viewer?.postNotifications, "all")
      const refused = yield* client.DeleteGroup({ id: created.id }).pipe(Effect.flip)
      assert.strictEqual(refused._tag, "Forbidden")
      const mine = yield* client.MyGroups({})
      assert.deepStrictEqual(
        mine.items.map((group) => group.name),
        ["Socket club"]
      )
    }).pipe(
      Effect.provide(
        Layer.merge(
          Layer.unwrap(
            Effect.map(TestServer.baseUrl, (base) =>
              RpcClient.layerProtocolSocket().pipe(
                Layer.provide([
                  NodeSocket.layerWebSocket(`${base.replace("http", "ws")}/rpc/ws`),
                  RpcSerialization.layerJson
                ])
              )
            )
          ),
          layerRpcClientMiddleware(Ref.get(token))
        )
      ),
      Effect.scoped
    )
  })
})
