import { assert, layer } from "@effect/vitest"
import { ChannelId } from "@moim/domain/Chat/Chat"
import type { StreamMessage } from "@moim/domain/Realtime/StreamMessage"
import { Effect, Fiber, Layer, Option, Queue, Schema, Stream } from "effect"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import { withRpcClient } from "../../server/test/support/RpcTestClient.ts"
import { openSse, type SseConnection } from "../../server/test/support/SseClient.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

/** The server and a worker (which sequences the stream, for the removals) in one process, on one database. */
const ServerAndWorker = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(env)))

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const streamPath = (topics: ReadonlyArray<string>) =>
  `/api/v1/stream?${topics.map((topic) => `topics=${encodeURIComponent(topic)}`).join("&")}`

type Typing = Extract<StreamMessage, { type: "chat.typing" }>
type Presence = Extract<StreamMessage, { type: "chat.presence" }>

/**
 * The next typing or presence event on the connection that `accept`s, past the others (the setup's
 * membership events, presence of other people). Fails on a typing or presence event `refuse`s.
 */
const nextSignal = <M extends Typing | Presence>(
  connection: SseConnection,
  type: M["type"],
  accept: (message: M) => boolean,
  refuse: (message: StreamMessage) => boolean = () => false
) =>
  Effect.gen(function* () {
    for (let seen = 0; seen < 40; seen++) {
      const event = yield* connection.next(type)
      assert.isFalse(refuse(event.data), `unexpected ${JSON.stringify(event.data)}`)
      if (event.data.type === type && accept(event.data as M)) {
        // Ephemeral: no SSE id, so a reconnecting client does not resume from it.
        assert.isUndefined(event.id)
        assert.strictEqual(event.data.cursor, "")
        return event.data as M
      }
    }
    return assert.fail(`no matching ${type} within 40 events`)
  })

const typingOf = (user: TestUser, channelId: string) => (message: Typing) =>
  message.data.userId === user.userId && message.data.channelId === channelId
const presenceOf = (user: TestUser, status: string) => (message: Presence) =>
  message.data.userId === user.userId && message.data.status === status

const typing = (user: TestUser, channelId: string, body: Record<string, unknown> = {}) =>
  call("POST", `/api/v1/channels/${channelId}/typing`, { token: user.token, body })

const presenceIn = (user: TestUser, channelId: string) =>
  call("GET", `/api/v1/channels/${channelId}/presence`, { token: user.token })

const statusIn = (response: JsonResponse, user: TestUser) => {
  const users = (response.body.users ?? []) as ReadonlyArray<{ userId: string; status: string }>
  return users.find((entry) => entry.userId === user.userId)?.status ?? "offline"
}

/** A group with a private channel `room` that `owner` and `member` are in; `outsider` is in the group only. */
const setUp = (name: string) =>
  Effect.gen(function* () {
    const owner = yield* signUp("Owner")
    const member = yield* signUp("Mira")
    const outsider = yield* signUp("Olle")
    const stranger = yield* signUp("Stan")
    const groupId = yield* createGroup(owner, { name })
    for (const user of [member, outsider]) {
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), 200)
    }
    const roomId = String(
      expectStatus(
        yield* call("POST", `/api/v1/groups/${groupId}/channels`, {
          token: owner.token,
          body: { name: "room", kind: "private" }
        }),
        201
      ).body.id
    )
    const publicId = String(
      expectStatus(
        yield* call("POST", `/api/v1/groups/${groupId}/channels`, { token: owner.token, body: { name: "lobby" } }),
        201
      ).body.id
    )
    expectStatus(yield* call("PUT", `/api/v1/channels/${roomId}/members/${member.userId}`, { token: owner.token }), 200)
    return { owner, member, outsider, stranger, groupId, roomId, publicId }
  })

layer(ServerAndWorker, { excludeTestServices: true, timeout: "120 seconds" })("Typing and presence", (it) => {
  it.effect("typing reaches those streaming the channel, and only those who may write can send it", () =>
    Effect.gen(function* () {
      const { owner, member, outsider, stranger, roomId, publicId } = yield* setUp("Typists")
      const stream = yield* openSse(streamPath([`channel:${roomId}`, `channel:${publicId}`]), { token: member.token })
      assert.strictEqual(stream.status, 200)

      expectStatus(yield* typing(owner, roomId), 204)
      const typed = yield* nextSignal<Typing>(stream, "chat.typing", typingOf(owner, roomId))
      assert.deepStrictEqual({ ...typed.data }, { channelId: roomId, userId: owner.userId, threadRootId: null })
      assert.strictEqual(typed.topic, `channel:${roomId}`)

      // In a thread: the root must be a message of the channel.
      const root = String(
        expectStatus(
          yield* call("POST", `/api/v1/channels/${roomId}/messages`, { token: owner.token, body: { body: "plan" } }),
          201
        ).body.id
      )
      expectStatus(yield* typing(member, roomId, { threadRootId: root }), 204)
      expectStatus(yield* typing(owner, publicId, { threadRootId: root }), 404, "MessageNotFound")
      expectStatus(yield* typing(owner, roomId, { threadRootId: root }), 204)
      const inThread = yield* nextSignal<Typing>(stream, "chat.typing", typingOf(owner, roomId))
      assert.strictEqual(inThread.data.threadRootId, root)

      // Who may not write: not in the private channel, or outside the group (as if it did not exist);
      // in the group but not in the public channel (may read, must join to write); anonymous.
      expectStatus(yield* typing(outsider, roomId), 404, "ChannelNotFound")
      expectStatus(yield* typing(stranger, roomId), 404, "ChannelNotFound")
      expectStatus(yield* typing(stranger, publicId), 404, "ChannelNotFound")
      expectStatus(yield* typing(outsider, publicId), 403, "Forbidden")
      expectStatus(yield* call("POST", `/api/v1/channels/${roomId}/typing`, { body: {} }), 401)

      // Someone who cannot read the room gets none of its typing: the lobby's comes first.
      const outsiderStream = yield* openSse(streamPath([`channel:${publicId}`]), { token: outsider.token })
      assert.strictEqual(outsiderStream.status, 200)
      const refused = yield* openSse(streamPath([`channel:${roomId}`]), { token: outsider.token })
      assert.strictEqual(refused.status, 404)
      expectStatus(yield* call("POST", `/api/v1/channels/${publicId}/join`, { token: member.token }), 200)
      expectStatus(yield* typing(member, roomId), 204)
      expectStatus(yield* typing(member, publicId), 204)
      yield* nextSignal<Typing>(
        outsiderStream,
        "chat.typing",
        typingOf(member, publicId),
        (message) => message.type === "chat.typing" && message.data.channelId === roomId
      )

      // Removed from the room: its topic is left, and its typing stops with it.
      expectStatus(
        yield* call("DELETE", `/api/v1/channels/${roomId}/members/${member.userId}`, { token: owner.token }),
        204
      )
      let left = yield* stream.next("topic.left")
      for (let seen = 0; left.data.type !== "topic.left" && seen < 20; seen++) left = yield* stream.next("topic.left")
      assert.deepStrictEqual([left.data.type, left.data.topic], ["topic.left", `channel:${roomId}`])
      expectStatus(yield* call("POST", `/api/v1/channels/${publicId}/join`, { token: owner.token }), 200)
      // A thread not typed in yet, so that this one is not a repeat the server drops anyway.
      const later = String(
        expectStatus(
          yield* call("POST", `/api/v1/channels/${roomId}/messages`, { token: owner.token, body: { body: "later" } }),
          201
        ).body.id
      )
      expectStatus(yield* typing(owner, roomId, { threadRootId: later }), 204)
      expectStatus(yield* typing(owner, publicId), 204)
      yield* nextSignal<Typing>(
        stream,
        "chat.typing",
        typingOf(owner, publicId),
        (message) => message.type === "chat.typing" && message.data.channelId === roomId
      )
    })
  )

  it.effect("presence: online with a stream, away when said, offline when the last stream closes", () =>
    Effect.gen(function* () {
      const { owner, member, outsider, stranger, roomId } = yield* setUp("Presence")
      const watching = yield* openSse(streamPath([`channel:${roomId}`]), { token: member.token })
      assert.strictEqual(watching.status, 200)
      assert.strictEqual(statusIn(expectStatus(yield* presenceIn(member, roomId), 200), owner), "offline")

      // Two streams of the owner: online with the first, still online when one of them closes.
      const first = yield* openSse(streamPath([]), { token: owner.token })
      yield* nextSignal<Presence>(watching, "chat.presence", presenceOf(owner, "online"))
      const second = yield* openSse(streamPath([]), { token: owner.token })
      assert.strictEqual(statusIn(expectStatus(yield* presenceIn(member, roomId), 200), owner), "online")

      expectStatus(yield* call("PUT", "/api/v1/me/presence", { token: owner.token, body: { status: "away" } }), 204)
      yield* nextSignal<Presence>(watching, "chat.presence", presenceOf(owner, "away"))
      assert.strictEqual(statusIn(expectStatus(yield* presenceIn(member, roomId), 200), owner), "away")
      expectStatus(
        yield* call("PUT", "/api/v1/me/presence", { token: owner.token, body: { status: "busy" } }),
        400,
        "InvalidRequest"
      )
      expectStatus(yield* call("PUT", "/api/v1/me/presence", { body: { status: "away" } }), 401)

      yield* first.close
      expectStatus(yield* call("PUT", "/api/v1/me/presence", { token: owner.token, body: { status: "online" } }), 204)
      // The next change is "online" (back from away), not "offline": the second stream still holds them.
      yield* nextSignal<Presence>(
        watching,
        "chat.presence",
        presenceOf(owner, "online"),
        (message) =>
          message.type === "chat.presence" && message.data.userId === owner.userId && message.data.status === "offline"
      )
      yield* second.close
      const offline = yield* nextSignal<Presence>(watching, "chat.presence", presenceOf(owner, "offline"))
      assert.isNotNull(offline.data.lastSeenAt)
      assert.strictEqual(statusIn(expectStatus(yield* presenceIn(member, roomId), 200), owner), "offline")

      // Only those who may read the channel see who of it is here.
      expectStatus(yield* presenceIn(outsider, roomId), 404, "ChannelNotFound")
      expectStatus(yield* presenceIn(stranger, roomId), 404, "ChannelNotFound")
    })
  )

  it.effect("a direct conversation shows when the other was last seen, and nothing once either blocked", () =>
    Effect.gen(function* () {
      const { owner, member } = yield* setUp("Direct")
      const direct = expectStatus(
        yield* call("POST", "/api/v1/me/direct-channels", { token: owner.token, body: { userIds: [member.userId] } }),
        200
      )
      const directId = String(direct.body.id)
      const memberStream = yield* openSse(streamPath([]), { token: member.token })
      yield* memberStream.close
      const seen = expectStatus(yield* presenceIn(owner, directId), 200).body.users as ReadonlyArray<{
        userId: string
        status: string
        lastSeenAt: string | null
      }>
      assert.strictEqual(seen.length, 1)
      assert.deepInclude(seen[0], { userId: member.userId, status: "offline" })
      assert.isNotNull(seen[0]?.lastSeenAt ?? null)

      expectStatus(yield* call("PUT", `/api/v1/users/${member.userId}/block`, { token: owner.token }), 204)
      assert.deepStrictEqual(expectStatus(yield* presenceIn(owner, directId), 200).body.users, [])
      assert.deepStrictEqual(expectStatus(yield* presenceIn(member, directId), 200).body.users, [])
      expectStatus(yield* typing(member, directId), 403, "DirectMessageNotAllowed")
    })
  )

  it.effect("typing and presence over RPC on a WebSocket", () =>
    Effect.gen(function* () {
      const setup = yield* setUp("Sockets")
      const { owner, member, outsider } = setup
      const roomId = Schema.decodeUnknownSync(ChannelId)(setup.roomId)
      const received = yield* withRpcClient("websocket", Effect.succeed(Option.some(member.token)), (client) =>
        Effect.gen(function* () {
          const messages = yield* Queue.unbounded<StreamMessage>()
          const reading = yield* client.Stream({ topics: [`channel:${roomId}`] }).pipe(
            Stream.runForEach((message) => Queue.offer(messages, message)),
            Effect.forkChild
          )
          const next = (accept: (message: StreamMessage) => boolean) =>
            Effect.gen(function* () {
              for (let seen = 0; seen < 40; seen++) {
                const message = yield* Queue.take(messages)
                if (accept(message)) return message
              }
              return assert.fail("no matching message within 40")
            })
          yield* next((message) => message.type === "stream.ready")
          const typed = yield* withRpcClient("websocket", Effect.succeed(Option.some(owner.token)), (ownerClient) =>
            Effect.gen(function* () {
              yield* ownerClient.SendTyping({ id: roomId })
              const refused = yield* withRpcClient("websocket", Effect.succeed(Option.some(outsider.token)), (other) =>
                Effect.flip(other.SendTyping({ id: roomId }))
              )
              assert.strictEqual(refused._tag, "ChannelNotFound")
              const message = yield* next(
                (message) => message.type === "chat.typing" && message.data.userId === owner.userId
              )
              // The owner's stream over RPC makes them online; away is said over RPC too.
              const ownerStream = yield* ownerClient.Stream({}).pipe(Stream.runDrain, Effect.forkChild)
              yield* next(
                (message) =>
                  message.type === "chat.presence" &&
                  message.data.userId === owner.userId &&
                  message.data.status === "online"
              )
              yield* ownerClient.SetPresence({ status: "away" })
              yield* next(
                (message) =>
                  message.type === "chat.presence" &&
                  message.data.userId === owner.userId &&
                  message.data.status === "away"
              )
              const here = yield* client.GetChannelPresence({ id: roomId })
              assert.deepInclude(
                here.users.map((user) => ({ userId: user.userId, status: user.status })),
                { userId: owner.userId, status: "away" }
              )
              yield* Fiber.interrupt(ownerStream)
              return message
            })
          )
          yield* next(
            (message) =>
              message.type === "chat.presence" &&
              message.data.userId === owner.userId &&
              message.data.status === "offline"
          )
          yield* Fiber.interrupt(reading)
          return typed
        })
      ).pipe(Effect.timeout("20 seconds"))
      assert.strictEqual(received.cursor, "")
      assert.strictEqual(received.topic, `channel:${roomId}`)
    }).pipe(Effect.orDie)
  )
})
