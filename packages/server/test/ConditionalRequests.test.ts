import { assert, layer } from "@effect/vitest"
import { EventId } from "@moim/domain/Events/Event"
import { GroupId } from "@moim/domain/Groups/Group"
import { PostId } from "@moim/domain/Posts/Post"
import { Effect, Option } from "effect"
import { createGroup, signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { rpcProtocols, withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

const expectStatus = (response: JsonResponse, status: number) => {
  assert.strictEqual(response.status, status, response.text)
  return response
}

const etagOf = (response: JsonResponse) => {
  const etag = response.headers.get("etag")
  if (etag === null) return assert.fail(`no ETag: ${response.text}`)
  return etag
}

const versionOf = (etag: string) => Number(/^W\/"(\d+)-/.exec(etag)?.[1])

const createEvent = (owner: TestUser, groupId: string, body: Record<string, unknown> = {}) =>
  Effect.map(
    call("POST", `/api/v1/groups/${groupId}/events`, {
      token: owner.token,
      body: {
        title: "Picnic",
        start: "2031-06-01T12:00",
        end: "2031-06-01T15:00",
        timeZone: "Europe/Berlin",
        ...body
      }
    }),
    (response) => String(expectStatus(response, 201).body.id)
  )

const createPost = (author: TestUser, groupId: string) =>
  Effect.map(
    call("POST", `/api/v1/groups/${groupId}/posts`, { token: author.token, body: { body: "First draft" } }),
    (response) => String(expectStatus(response, 201).body.id)
  )

layer(TestServer.layer(env), { excludeTestServices: true })("Conditional requests", (it) => {
  it.effect("a read's ETag: 304 for the copy still current, the compressed form under the same tag", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Etag owner")
      const groupId = yield* createGroup(owner, { name: "Revalidated", description: "x".repeat(2000) })
      const first = expectStatus(yield* call("GET", `/api/v1/groups/${groupId}`, { token: owner.token }), 200)
      const etag = etagOf(first)
      assert.match(etag, /^W\/"1-[A-Za-z0-9_-]{22}"$/)
      assert.strictEqual(first.headers.get("cache-control"), "private, no-cache")
      assert.strictEqual(first.body.version, 1)

      const again = yield* call("GET", `/api/v1/groups/${groupId}`, {
        token: owner.token,
        headers: { "if-none-match": etag }
      })
      expectStatus(again, 304)
      assert.strictEqual(again.text, "")
      assert.strictEqual(again.headers.get("etag"), etag)
      assert.strictEqual(again.headers.get("cache-control"), "private, no-cache")
      // A list of tags, `*`, and the strong form of the same tag all match (weak comparison).
      for (const header of [`"nope", ${etag}`, "*", etag.slice(2)]) {
        const matched = yield* call("GET", `/api/v1/groups/${groupId}`, {
          token: owner.token,
          headers: { "if-none-match": header }
        })
        expectStatus(matched, 304)
      }

      // The Brotli form (the body is over 1 KB) is the same representation: same tag, revalidated alike.
      const compressed = yield* call("GET", `/api/v1/groups/${groupId}`, {
        token: owner.token,
        headers: { "accept-encoding": "br" }
      })
      assert.strictEqual(compressed.headers.get("content-encoding"), "br")
      assert.strictEqual(compressed.headers.get("etag"), etag)
      const compressed304 = yield* call("GET", `/api/v1/groups/${groupId}`, {
        token: owner.token,
        headers: { "accept-encoding": "br", "if-none-match": etag }
      })
      expectStatus(compressed304, 304)
      assert.isNull(compressed304.headers.get("content-encoding"))

      // Another viewer sees another representation (their own `viewer` part): another tag, never a 304 on the owner's.
      const stranger = yield* signUp("Etag stranger")
      const theirs = yield* call("GET", `/api/v1/groups/${groupId}`, {
        token: stranger.token,
        headers: { "if-none-match": etag }
      })
      expectStatus(theirs, 200)
      assert.notStrictEqual(etagOf(theirs), etag)
      assert.strictEqual(versionOf(etagOf(theirs)), 1)

      // A join changes the body (the member count) but not the edit version.
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: stranger.token }), 200)
      const afterJoin = yield* call("GET", `/api/v1/groups/${groupId}`, {
        token: owner.token,
        headers: { "if-none-match": etag }
      })
      expectStatus(afterJoin, 200)
      assert.strictEqual(afterJoin.body.memberCount, 2)
      assert.notStrictEqual(etagOf(afterJoin), etag)
      assert.strictEqual(versionOf(etagOf(afterJoin)), 1)
    })
  )

  it.effect("list pages carry an ETag, revalidated until the page changes", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("List owner")
      const tag = `etag${Date.now().toString(36)}`
      yield* createGroup(owner, { name: "Listed one", tags: [tag] })
      const path = `/api/v1/groups?tag=${tag}`
      const etag = etagOf(expectStatus(yield* call("GET", path), 200))
      assert.match(etag, /^W\/"[A-Za-z0-9_-]{22}"$/)
      expectStatus(yield* call("GET", path, { headers: { "if-none-match": etag } }), 304)
      yield* createGroup(owner, { name: "Listed two", tags: [tag] })
      const changed = expectStatus(yield* call("GET", path, { headers: { "if-none-match": etag } }), 200)
      assert.lengthOf(changed.body.items as ReadonlyArray<unknown>, 2)
      // The OpenAPI document is revalidated too.
      const document = etagOf(expectStatus(yield* call("GET", "/api/v1/openapi.json"), 200))
      expectStatus(yield* call("GET", "/api/v1/openapi.json", { headers: { "if-none-match": document } }), 304)
    })
  )

  it.effect("groups: two editors of one version, the second refused with 412 and nothing lost", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Editor one")
      const admin = yield* signUp("Editor two")
      const groupId = yield* createGroup(owner, { name: "Contested" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: admin.token }), 200)
      expectStatus(
        yield* call("PATCH", `/api/v1/groups/${groupId}/members/${admin.userId}`, {
          token: owner.token,
          body: { role: "admin" }
        }),
        200
      )
      const ownersCopy = etagOf(yield* call("GET", `/api/v1/groups/${groupId}`, { token: owner.token }))
      const adminsCopy = etagOf(yield* call("GET", `/api/v1/groups/${groupId}`, { token: admin.token }))

      const first = yield* call("PATCH", `/api/v1/groups/${groupId}`, {
        token: owner.token,
        headers: { "if-match": ownersCopy },
        body: { name: "Owner's name" }
      })
      expectStatus(first, 200)
      assert.strictEqual(first.body.version, 2)
      assert.strictEqual(versionOf(etagOf(first)), 2)

      const second = yield* call("PATCH", `/api/v1/groups/${groupId}`, {
        token: admin.token,
        headers: { "if-match": adminsCopy },
        body: { name: "Admin's name", description: "Theirs" }
      })
      expectStatus(second, 412)
      assert.strictEqual(second.body._tag, "PreconditionFailed")
      assert.strictEqual(second.body.currentVersion, 2)
      const stored = yield* call("GET", `/api/v1/groups/${groupId}`, { token: owner.token })
      assert.strictEqual(stored.body.name, "Owner's name")
      assert.strictEqual(stored.body.description, "")
      assert.strictEqual(stored.body.version, 2)

      // The version alone, `*`, or no If-Match at all.
      const byVersion = yield* call("PATCH", `/api/v1/groups/${groupId}`, {
        token: admin.token,
        headers: { "if-match": '"2"' },
        body: { description: "Merged" }
      })
      assert.strictEqual(expectStatus(byVersion, 200).body.version, 3)
      const any = yield* call("PATCH", `/api/v1/groups/${groupId}`, {
        token: admin.token,
        headers: { "if-match": "*" },
        body: { description: "Any" }
      })
      assert.strictEqual(expectStatus(any, 200).body.version, 4)
      const unconditional = yield* call("PATCH", `/api/v1/groups/${groupId}`, {
        token: admin.token,
        body: { description: "Last" }
      })
      assert.strictEqual(expectStatus(unconditional, 200).body.version, 5)
    })
  )

  it.effect("a malformed If-Match is 400; someone who may not edit learns nothing of the version", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Strict owner")
      const member = yield* signUp("Plain member")
      const groupId = yield* createGroup(owner, { name: "Strict" })
      const hidden = yield* createGroup(owner, { name: "Hidden", visibility: "private" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: member.token }), 200)
      for (const header of ["7", "W/abc", '"1", "2"', '"x-1"']) {
        const refused = yield* call("PATCH", `/api/v1/groups/${groupId}`, {
          token: owner.token,
          headers: { "if-match": header },
          body: { name: "Never" }
        })
        expectStatus(refused, 400)
        assert.strictEqual(refused.body._tag, "InvalidRequest")
        assert.match(JSON.stringify(refused.body.issues), /headers/)
      }
      const stale = { "if-match": '"99"' }
      const member403 = yield* call("PATCH", `/api/v1/groups/${groupId}`, {
        token: member.token,
        headers: stale,
        body: { name: "Never" }
      })
      assert.strictEqual(expectStatus(member403, 403).body._tag, "Forbidden")
      const stranger404 = yield* call("PATCH", `/api/v1/groups/${hidden}`, {
        token: member.token,
        headers: stale,
        body: { name: "Never" }
      })
      assert.strictEqual(expectStatus(stranger404, 404).body._tag, "GroupNotFound")
      assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`, { token: owner.token })).body.name, "Strict")
    })
  )

  it.effect("posts: the lost update refused; a reaction or comment is not an edit", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Post author")
      const reader = yield* signUp("Post reader")
      const groupId = yield* createGroup(owner, { name: "Post edits" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: reader.token }), 200)
      const postId = yield* createPost(owner, groupId)
      const read = yield* call("GET", `/api/v1/posts/${postId}`, { token: owner.token })
      const etag = etagOf(read)
      assert.strictEqual(read.body.version, 1)
      expectStatus(
        yield* call("POST", `/api/v1/posts/${postId}/comments`, { token: reader.token, body: { body: "Nice" } }),
        201
      )
      const edited = yield* call("PATCH", `/api/v1/posts/${postId}`, {
        token: owner.token,
        headers: { "if-match": etag },
        body: { body: "Second draft" }
      })
      assert.strictEqual(expectStatus(edited, 200).body.version, 2)
      const lost = yield* call("PATCH", `/api/v1/posts/${postId}`, {
        token: owner.token,
        headers: { "if-match": etag },
        body: { body: "Overwritten?" }
      })
      assert.strictEqual(expectStatus(lost, 412).body.currentVersion, 2)
      assert.strictEqual(
        (yield* call("GET", `/api/v1/posts/${postId}`, { token: owner.token })).body.body,
        "Second draft"
      )
    })
  )

  it.effect("events: an RSVP is not an edit; an occurrence's change is; stale edits refused", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Event host")
      const guest = yield* signUp("Event guest")
      const groupId = yield* createGroup(owner, { name: "Event edits" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: guest.token }), 200)
      const eventId = yield* createEvent(owner, groupId)
      const read = yield* call("GET", `/api/v1/events/${eventId}`, { token: owner.token })
      const etag = etagOf(read)
      assert.strictEqual(read.body.version, 1)
      expectStatus(
        yield* call("PUT", `/api/v1/events/${eventId}/rsvp`, { token: guest.token, body: { status: "going" } }),
        200
      )
      const edited = yield* call("PATCH", `/api/v1/events/${eventId}`, {
        token: owner.token,
        headers: { "if-match": etag },
        body: { title: "Picnic in the park" }
      })
      expectStatus(edited, 200)
      assert.strictEqual(edited.body.version, 2)
      assert.strictEqual(versionOf(etagOf(edited)), 2)
      const lost = yield* call("PATCH", `/api/v1/events/${eventId}`, {
        token: owner.token,
        headers: { "if-match": etag },
        body: { title: "Overwritten?" }
      })
      assert.strictEqual(expectStatus(lost, 412).body.currentVersion, 2)
      // The version follows the event's history: one more entry, one more version.
      const history = yield* call("GET", `/api/v1/events/${eventId}/versions`, { token: owner.token })
      const numbers = (expectStatus(history, 200).body.items as ReadonlyArray<{ readonly number: number }>).map(
        (entry) => entry.number
      )
      assert.strictEqual(Math.max(...numbers), 2)

      const series = yield* createEvent(owner, groupId, { recurrence: { frequency: "weekly", count: 4 } })
      const seriesRead = yield* call("GET", `/api/v1/events/${series}`, { token: owner.token })
      const changed = yield* call("PATCH", `/api/v1/events/${series}`, {
        token: owner.token,
        headers: { "if-match": etagOf(seriesRead) },
        body: { scope: "this", occurrence: "2031-06-08T12:00", capacity: 5 }
      })
      assert.strictEqual(expectStatus(changed, 200).body.version, 2)
      const staleSeries = yield* call("PATCH", `/api/v1/events/${series}`, {
        token: owner.token,
        headers: { "if-match": etagOf(seriesRead) },
        body: { title: "Stale" }
      })
      expectStatus(staleSeries, 412)
    })
  )

  for (const protocol of rpcProtocols) {
    it.effect(`over RPC (${protocol}): expectedVersion refuses a stale edit of each`, () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Rpc editor")
        const groupId = yield* createGroup(owner, { name: "Rpc edits" })
        const postId = yield* createPost(owner, groupId)
        const eventId = yield* createEvent(owner, groupId)
        const outcome = yield* withRpcClient(protocol, Effect.succeed(Option.some(owner.token)), (client) =>
          Effect.gen(function* () {
            const group = yield* client.UpdateGroup({ id: GroupId.make(groupId), name: "Renamed", expectedVersion: 1 })
            const staleGroup = yield* client
              .UpdateGroup({ id: GroupId.make(groupId), name: "Stale", expectedVersion: 1 })
              .pipe(Effect.flip)
            const post = yield* client.UpdatePost({ id: PostId.make(postId), body: "Edited", expectedVersion: 1 })
            const stalePost = yield* client
              .UpdatePost({ id: PostId.make(postId), body: "Stale", expectedVersion: 1 })
              .pipe(Effect.flip)
            const event = yield* client.UpdateEvent({ id: EventId.make(eventId), title: "Edited", expectedVersion: 1 })
            const staleEvent = yield* client
              .UpdateEvent({ id: EventId.make(eventId), title: "Stale", expectedVersion: 1 })
              .pipe(Effect.flip)
            return { group, staleGroup, post, stalePost, event, staleEvent }
          })
        )
        assert.strictEqual(outcome.group.version, 2)
        assert.strictEqual(outcome.post.version, 2)
        assert.strictEqual(outcome.event.version, 2)
        for (const failure of [outcome.staleGroup, outcome.stalePost, outcome.staleEvent]) {
          assert.strictEqual(failure._tag, "PreconditionFailed")
          if (failure._tag === "PreconditionFailed") assert.strictEqual(failure.currentVersion, 2)
        }
        assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`)).body.name, "Renamed")
      })
    )
  }
})
