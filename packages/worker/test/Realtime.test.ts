import { assert, layer } from "@effect/vitest"
import type { StreamMessage } from "@moim/domain/Realtime/StreamMessage"
import { Effect, Exit, Fiber, Layer, Option, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, suspendedUser, type TestUser } from "../../server/test/support/Actors.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import { withRpcClient } from "../../server/test/support/RpcTestClient.ts"
import { openSse, type SseConnection, type SseEvent } from "../../server/test/support/SseClient.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

/** The server and a worker (which sequences the stream) in one process, on one database. */
const ServerAndWorker = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(env)))

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag)
}

const rename = (owner: TestUser, groupId: string, description: string) =>
  Effect.flatMap(
    call("PATCH", `/api/v1/groups/${groupId}`, { token: owner.token, body: { description } }),
    (response) => Effect.sync(() => expectStatus(response, 200))
  )

const streamPath = (topics: ReadonlyArray<string>) =>
  `/api/v1/stream${topics.length === 0 ? "" : `?${topics.map((topic) => `topics=${encodeURIComponent(topic)}`).join("&")}`}`

/** The next event, which must be of `type`. */
const expectNext = (connection: SseConnection, type: StreamMessage["type"]) =>
  Effect.map(connection.next(type), (event) => {
    assert.strictEqual(event.data.type, type, JSON.stringify(event.data))
    assert.strictEqual(event.event, type)
    return event
  })

/**
 * The next event of `type`, past what the actions before the stream opened still send: the join,
 * and the invitation's notification and counts, which the worker numbers or delivers on its own time.
 */
const expectNextAfterJoin = (connection: SseConnection, type: StreamMessage["type"]) =>
  Effect.gen(function* () {
    const earlier: ReadonlyArray<string> = ["group.memberJoined", "notification.created", "notification.counts"]
    for (let seen = 0; seen < 10; seen++) {
      const event = yield* connection.next(type)
      if (event.data.type === type) return event
      assert.include(earlier, event.data.type, JSON.stringify(event.data))
    }
    return assert.fail(`no ${type} within 10 events`)
  })

const seq = (event: SseEvent) => Number(event.id)

layer(ServerAndWorker, { excludeTestServices: true, timeout: "120 seconds" })("The realtime stream", (it) => {
  it.effect("notifications, counts and a joined group's events arrive as they happen", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Mina")
      const groupId = yield* createGroup(owner, { name: "Live wires" })
      const topic = `group:${groupId}`
      const stream = yield* openSse(streamPath([topic]), { token: member.token })
      assert.strictEqual(stream.status, 200)
      // Joining while the stream is open (an event produced before it opened may reach the
      // sequencer after, and would arrive too).
      yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: member.token, body: {} })
      assert.deepStrictEqual((yield* expectNext(stream, "group.memberJoined")).data.data, {
        groupId,
        userId: member.userId
      })

      yield* rename(owner, groupId, "Now streaming")
      const updated = yield* expectNext(stream, "group.updated")
      assert.strictEqual(updated.data.topic, topic)
      assert.deepStrictEqual(updated.data.data, { groupId })
      assert.strictEqual(updated.id, updated.data.cursor)

      const newcomer = yield* signUp("Newcomer")
      yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: newcomer.token, body: {} })
      const joined = yield* expectNext(stream, "group.memberJoined")
      assert.deepStrictEqual(joined.data.data, { groupId, userId: newcomer.userId })
      assert.isAbove(seq(joined), seq(updated))

      const other = yield* createGroup(owner, { name: "Invitation only", joinPolicy: "invite" })
      yield* call("POST", `/api/v1/groups/${other}/invitations`, {
        token: owner.token,
        body: { userId: member.userId }
      })
      const created = yield* expectNext(stream, "notification.created")
      assert.strictEqual(created.data.topic, `user:${member.userId}`)
      if (created.data.type !== "notification.created") return assert.fail("not a notification")
      assert.strictEqual(created.data.data.notification.type, "group.invited")
      assert.strictEqual(created.data.data.notification.text, "Owner invited you to join Invitation only")
      const counts = yield* expectNext(stream, "notification.counts")
      assert.deepStrictEqual(counts.data.data, { unread: 1, unseen: 1 })

      expectStatus(yield* call("POST", "/api/v1/me/notifications/seen", { token: member.token }), 204)
      const seen = yield* expectNext(stream, "notification.counts")
      assert.deepStrictEqual(seen.data.data, { unread: 1, unseen: 0 })
    })
  )

  it.effect("the same stream over RPC on a WebSocket", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Rafa")
      const groupId = yield* createGroup(owner, { name: "Sockets" })
      // Resuming from the stream's current end: what happens from now on is received, however soon
      // the subscription is in place.
      const [now] = yield* sql<{ seq: string }>`SELECT coalesce(max(seq), 0)::text AS seq FROM stream_events`
      const received = yield* withRpcClient("websocket", Effect.succeed(Option.some(member.token)), (client) =>
        Effect.gen(function* () {
          const collecting = yield* client
            .Stream({ topics: [`group:${groupId}`], cursor: now?.seq ?? "0" })
            .pipe(Stream.take(3), Stream.runCollect, Effect.forkChild)
          yield* rename(owner, groupId, "first")
          yield* rename(owner, groupId, "second")
          return yield* Fiber.join(collecting)
        })
      ).pipe(Effect.timeout("15 seconds"))
      assert.deepStrictEqual(
        received.map((message) => message.type),
        ["stream.ready", "group.updated", "group.updated"]
      )
      assert.isAbove(Number(received[2]?.cursor), Number(received[1]?.cursor))
    }).pipe(Effect.orDie)
  )

  it.effect("a client that reconnects with its cursor gets what it missed, in order, once", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Remy")
      const groupId = yield* createGroup(owner, { name: "Catch up" })
      const path = streamPath([`group:${groupId}`])

      const first = yield* openSse(path, { token: member.token })
      yield* rename(owner, groupId, "one")
      const seen = yield* expectNext(first, "group.updated")
      yield* first.close

      yield* rename(owner, groupId, "two")
      yield* rename(owner, groupId, "three")
      const joiner = yield* signUp("Joiner")
      yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: joiner.token, body: {} })

      const again = yield* openSse(path, { token: member.token, headers: { "last-event-id": seen.id ?? "" } })
      const missed = [
        yield* expectNext(again, "group.updated"),
        yield* expectNext(again, "group.updated"),
        yield* expectNext(again, "group.memberJoined")
      ]
      yield* rename(owner, groupId, "four")
      const live = yield* expectNext(again, "group.updated")
      const cursors = [seen, ...missed, live].map(seq)
      assert.deepStrictEqual(
        cursors,
        [...cursors].sort((a, b) => a - b)
      )
      assert.strictEqual(new Set(cursors).size, cursors.length)

      // `cursor` in the query does the same for clients that cannot set headers.
      const byQuery = yield* openSse(`${path}&cursor=${seen.id}`, { token: member.token })
      assert.deepStrictEqual(seq(yield* expectNext(byQuery, "group.updated")), cursors[1])
    })
  )

  it.effect("a member removed from a private group stops receiving it at once", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Sami")
      const groupId = yield* createGroup(owner, { name: "Inner circle", visibility: "private", joinPolicy: "invite" })
      const invited = yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
        token: owner.token,
        body: { userId: member.userId }
      })
      yield* call("POST", `/api/v1/invitations/${invited.body.id}/accept`, { token: member.token })
      const topic = `group:${groupId}`
      const stream = yield* openSse(streamPath([topic]), { token: member.token })
      assert.strictEqual(stream.status, 200)
      yield* rename(owner, groupId, "before")
      yield* expectNextAfterJoin(stream, "group.updated")

      expectStatus(
        yield* call("DELETE", `/api/v1/groups/${groupId}/members/${member.userId}`, { token: owner.token }),
        204
      )
      yield* rename(owner, groupId, "after the removal")
      const elsewhere = yield* createGroup(owner, { name: "Elsewhere", joinPolicy: "invite" })
      yield* call("POST", `/api/v1/groups/${elsewhere}/invitations`, {
        token: owner.token,
        body: { userId: member.userId }
      })

      // Everything until the notification of the new invitation: the group is left, and nothing of
      // it comes after.
      const events: Array<SseEvent> = []
      while (
        !events.some(
          (event) =>
            event.data.type === "notification.created" &&
            event.data.data.notification.type === "group.invited" &&
            event.data.data.notification.data.groupId === elsewhere
        )
      ) {
        events.push(yield* stream.next("the new invitation"))
      }
      const left = events.findIndex((event) => event.data.type === "topic.left")
      assert.isAtLeast(left, 0, JSON.stringify(events.map((event) => event.data.type)))
      assert.deepStrictEqual(events[left]?.data, {
        type: "topic.left",
        topic,
        cursor: events[left]?.data.cursor ?? "",
        data: { reason: "access" }
      })
      assert.deepStrictEqual(
        events.slice(left + 1).filter((event) => event.data.topic === topic),
        []
      )
    })
  )

  it.effect("refuses topics one may not see, missing credentials, and bad tickets; tickets work for EventSource", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const outsider = yield* signUp("Outsider")
      const hidden = yield* createGroup(owner, { name: "Hidden", visibility: "private" })
      const refused = yield* openSse(streamPath([`group:${hidden}`]), { token: outsider.token })
      assert.strictEqual(refused.status, 404)
      assert.strictEqual(refused.body._tag, "StreamTopicNotFound")
      const anonymous = yield* openSse(streamPath([]))
      assert.strictEqual(anonymous.status, 401)
      assert.strictEqual(anonymous.body._tag, "InvalidStreamTicket")
      for (const query of ["cursor=abc", "topics=everything", `topics=user:${owner.userId}`]) {
        const bad = yield* openSse(`/api/v1/stream?${query}`, { token: outsider.token })
        assert.strictEqual(bad.status, 400, query)
        assert.strictEqual(bad.body._tag, "InvalidRequest")
      }

      // A suspended account streams nothing and gets no ticket.
      const suspended = yield* suspendedUser
      const suspendedStream = yield* openSse(streamPath([]), { token: suspended.token })
      assert.strictEqual(suspendedStream.status, 401)
      expectStatus(yield* call("POST", "/api/v1/stream/tickets", { token: suspended.token }), 403, "AccountSuspended")
      expectStatus(yield* call("POST", "/api/v1/stream/tickets"), 401, "Unauthorized")

      const issued = yield* call("POST", "/api/v1/stream/tickets", { token: outsider.token })
      expectStatus(issued, 201)
      const ticket = String(issued.body.ticket)
      const byTicket = yield* openSse(`/api/v1/stream?ticket=${encodeURIComponent(ticket)}`)
      assert.strictEqual(byTicket.status, 200)
      yield* byTicket.close
      const tampered = yield* openSse(`/api/v1/stream?ticket=${encodeURIComponent(`${ticket.slice(0, -2)}xx`)}`)
      assert.strictEqual(tampered.status, 401)
      expectStatus(yield* call("POST", "/api/v1/auth/logout", { token: outsider.token }), 204)
      const afterLogout = yield* openSse(`/api/v1/stream?ticket=${encodeURIComponent(ticket)}`)
      assert.strictEqual(afterLogout.status, 401)
      assert.strictEqual(afterLogout.body._tag, "InvalidStreamTicket")

      const stranger = yield* signUp("Stranger")
      const overRpc = yield* withRpcClient("http", Effect.succeed(Option.some(owner.token)), (client) =>
        Effect.gen(function* () {
          const outsiderStream = yield* withRpcClient("http", Effect.succeed(Option.some(stranger.token)), (other) =>
            Effect.exit(Stream.runHead(other.Stream({ topics: [`group:${hidden}`] })))
          )
          const ownerStream = yield* Effect.exit(Stream.runHead(client.Stream({ topics: [`group:${hidden}`] })))
          return { outsiderStream, ownerStream }
        })
      )
      assert.isTrue(Exit.isFailure(overRpc.outsiderStream))
      assert.strictEqual(
        Exit.findErrorOption(overRpc.outsiderStream).pipe(
          Option.map((error) => error._tag),
          Option.getOrNull
        ),
        "StreamTopicNotFound"
      )
      // The owner may: the stream's first message says so.
      assert.strictEqual(
        Exit.match(overRpc.ownerStream, {
          onFailure: () => "refused",
          onSuccess: (first) => Option.getOrNull(Option.map(first, (message) => message.type))
        }),
        "stream.ready"
      )
      const anonymousRpc = yield* withRpcClient("http", Effect.succeed(Option.none()), (client) =>
        Effect.exit(Stream.runHead(client.Stream({})))
      )
      assert.strictEqual(
        Exit.findErrorOption(anonymousRpc).pipe(
          Option.map((error) => error._tag),
          Option.getOrNull
        ),
        "Unauthorized"
      )
    })
  )

  it.effect("a cursor older than the retention window, or not of this stream, is told to reload", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const owner = yield* signUp("Owner")
      const groupId = yield* createGroup(owner, { name: "Forgetful" })
      const path = streamPath([`group:${groupId}`])
      const stream = yield* openSse(path, { token: owner.token })
      yield* rename(owner, groupId, "remember me")
      const old = yield* expectNext(stream, "group.updated")
      yield* rename(owner, groupId, "forgotten")
      const forgotten = yield* expectNext(stream, "group.updated")
      yield* stream.close
      // What the hourly purge does once the retention window has passed over both events.
      yield* sql`UPDATE stream_state SET purged_through = ${Number(forgotten.id)} WHERE id = 1`
      const expired = yield* openSse(path, { token: owner.token, headers: { "last-event-id": old.id ?? "" } })
      const reset = yield* expectNext(expired, "stream.reset")
      assert.deepStrictEqual(reset.data.data, { reason: "expired" })
      const unknown = yield* openSse(path, { token: owner.token, headers: { "last-event-id": "999999999999" } })
      assert.deepStrictEqual((yield* expectNext(unknown, "stream.reset")).data.data, { reason: "unknown" })
    }).pipe(Effect.orDie)
  )
})
