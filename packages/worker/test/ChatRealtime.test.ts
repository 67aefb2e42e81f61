import { assert, layer } from "@effect/vitest"
import type { StreamMessage } from "@moim/domain/Realtime/StreamMessage"
import { Effect, Layer } from "effect"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import { openSse, type SseConnection } from "../../server/test/support/SseClient.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

/** The server and a worker (which sequences the stream) in one process, on one database. */
const ServerAndWorker = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(env)))

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const streamPath = (topics: ReadonlyArray<string>) =>
  `/api/v1/stream?${topics.map((topic) => `topics=${encodeURIComponent(topic)}`).join("&")}`

/**
 * The next event of `type` on the connection, past the membership events of the setup, which the
 * worker numbers on its own time and may reach a stream opened after them.
 */
const nextOf = <T extends StreamMessage["type"]>(connection: SseConnection, type: T) =>
  Effect.gen(function* () {
    const earlier: ReadonlyArray<string> = ["chat.member.joined", "notification.created", "notification.counts"]
    for (let seen = 0; seen < 20; seen++) {
      const event = yield* connection.next(type)
      if (event.data.type === type) return event.data as Extract<StreamMessage, { type: T }>
      assert.include(earlier, event.data.type, JSON.stringify(event.data))
    }
    return assert.fail(`no ${type} within 20 events`)
  })

const send = (user: TestUser, channelId: string, body: string, extra: Record<string, unknown> = {}) =>
  Effect.map(
    call("POST", `/api/v1/channels/${channelId}/messages`, { token: user.token, body: { body, ...extra } }),
    (response) => String(expectStatus(response, 201).body.id)
  )

layer(ServerAndWorker, { excludeTestServices: true, timeout: "120 seconds" })("Chat on the realtime stream", (it) => {
  it.effect("messages, edits, deletes, threads and read state reach those in the channel", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Mira")
      const groupId = yield* createGroup(owner, { name: "Live chat" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: member.token, body: {} }), 200)
      const room = expectStatus(
        yield* call("POST", `/api/v1/groups/${groupId}/channels`, {
          token: owner.token,
          body: { name: "room", kind: "private" }
        }),
        201
      ).body
      const channelId = String(room.id)
      const topic = `channel:${channelId}`

      // Not yet in the private channel: its topic is not found.
      const refused = yield* openSse(streamPath([topic]), { token: member.token })
      assert.strictEqual(refused.status, 404)
      assert.strictEqual(refused.body._tag, "StreamTopicNotFound")

      expectStatus(
        yield* call("PUT", `/api/v1/channels/${channelId}/members/${member.userId}`, { token: owner.token }),
        200
      )
      const stream = yield* openSse(streamPath([topic]), { token: member.token })
      assert.strictEqual(stream.status, 200)

      const id = yield* send(owner, channelId, `hello <@${member.userId}>`)
      const created = yield* nextOf(stream, "chat.message.created")
      assert.strictEqual(created.topic, topic)
      assert.strictEqual(created.data.message.id, id)
      assert.strictEqual(created.data.message.body, `hello <@${member.userId}>`)
      assert.strictEqual(created.data.message.author?.id, owner.userId)

      expectStatus(
        yield* call("PATCH", `/api/v1/messages/${id}`, { token: owner.token, body: { body: "hello again" } }),
        200
      )
      const updated = yield* nextOf(stream, "chat.message.updated")
      assert.deepInclude(updated.data.message, { body: "hello again", edited: true })

      yield* send(member, channelId, "a reply", { threadRootId: id })
      const reply = yield* nextOf(stream, "chat.message.created")
      assert.strictEqual(reply.data.message.threadRootId, id)
      const thread = yield* nextOf(stream, "chat.thread.updated")
      assert.strictEqual(thread.data.messageId, id)
      assert.strictEqual(thread.data.thread.replyCount, 1)

      expectStatus(yield* call("DELETE", `/api/v1/messages/${id}`, { token: owner.token }), 204)
      const deleted = yield* nextOf(stream, "chat.message.deleted")
      assert.deepStrictEqual({ ...deleted.data }, { channelId, messageId: id, threadRootId: null })

      // Reading on one device tells the others, on the reader's own topic.
      yield* send(owner, channelId, "one more")
      yield* nextOf(stream, "chat.message.created")
      expectStatus(yield* call("POST", `/api/v1/channels/${channelId}/read`, { token: member.token }), 200)
      const read = yield* nextOf(stream, "chat.read")
      assert.strictEqual(read.topic, `user:${member.userId}`)
      assert.deepStrictEqual([read.data.channelId, read.data.unreadCount, read.data.mentionCount], [channelId, 0, 0])
    })
  )

  it.effect("reactions reach those in the channel as the message's summary (chat.reaction.changed)", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Rhea")
      const groupId = yield* createGroup(owner, { name: "Live reactions" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: member.token, body: {} }), 200)
      const channelId = String(
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/channels`, { token: owner.token, body: { name: "cheers" } }),
          201
        ).body.id
      )
      expectStatus(yield* call("POST", `/api/v1/channels/${channelId}/join`, { token: member.token }), 200)
      const stream = yield* openSse(streamPath([`channel:${channelId}`]), { token: member.token })
      assert.strictEqual(stream.status, 200)
      const id = yield* send(owner, channelId, "We shipped")
      yield* nextOf(stream, "chat.message.created")

      const path = `/api/v1/messages/${id}/reactions/${encodeURIComponent("🎉")}`
      expectStatus(yield* call("PUT", path, { token: owner.token }), 200)
      const added = yield* nextOf(stream, "chat.reaction.changed")
      assert.strictEqual(added.topic, `channel:${channelId}`)
      assert.deepStrictEqual(
        [added.data.channelId, added.data.messageId, added.data.threadRootId],
        [channelId, id, null]
      )
      assert.deepStrictEqual(
        added.data.reactions.map((reaction) => [reaction.emoji, reaction.count, [...reaction.userIds]]),
        [["🎉", 1, [owner.userId]]]
      )
      // Reacting again changes nothing and says nothing; taking it back does.
      expectStatus(yield* call("PUT", path, { token: owner.token }), 200)
      expectStatus(yield* call("DELETE", path, { token: owner.token }), 200)
      const removed = yield* nextOf(stream, "chat.reaction.changed")
      assert.deepStrictEqual(removed.data.reactions, [])
    })
  )

  it.effect("someone removed from a private channel, or leaving the group, stops receiving it at once", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Nour")
      const groupId = yield* createGroup(owner, { name: "Closing doors" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: member.token, body: {} }), 200)
      const privateId = String(
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/channels`, {
            token: owner.token,
            body: { name: "inner", kind: "private" }
          }),
          201
        ).body.id
      )
      const publicId = String(
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/channels`, { token: owner.token, body: { name: "outer" } }),
          201
        ).body.id
      )
      expectStatus(
        yield* call("PUT", `/api/v1/channels/${privateId}/members/${member.userId}`, { token: owner.token }),
        200
      )
      // A public channel's topic is open to the group's members without joining it.
      const stream = yield* openSse(streamPath([`channel:${privateId}`, `channel:${publicId}`]), {
        token: member.token
      })
      assert.strictEqual(stream.status, 200)

      expectStatus(
        yield* call("DELETE", `/api/v1/channels/${privateId}/members/${member.userId}`, { token: owner.token }),
        204
      )
      const left = yield* nextOf(stream, "topic.left")
      assert.deepStrictEqual([left.topic, left.data.reason], [`channel:${privateId}`, "access"])
      // What is said after the removal is not received; the public channel still is.
      yield* send(owner, privateId, "after you left")
      yield* send(owner, publicId, "still here")
      const next = yield* nextOf(stream, "chat.message.created")
      assert.strictEqual(next.data.message.body, "still here")

      // Leaving the group leaves its channels' topics, public ones included.
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/leave`, { token: member.token }), 204)
      const gone = yield* nextOf(stream, "topic.left")
      assert.strictEqual(gone.topic, `channel:${publicId}`)
      yield* send(owner, publicId, "after the group")
      // Something on the member's own topic, committed after that message: it arrives, and nothing of
      // the channel before it (the stream is in commit order, so the message would come first).
      expectStatus(yield* call("POST", "/api/v1/me/notifications/seen", { token: member.token }), 204)
      yield* nextOf(stream, "notification.counts")
    })
  )
})
