/** @module-tag process */
import { randomBytes } from "node:crypto"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, layer } from "@effect/vitest"
import type { StreamMessage } from "@moim/domain/Realtime/StreamMessage"
import { Clock, Effect, Redacted } from "effect"
import { DatabaseUrl } from "../../server/src/platform/DatabaseUrl.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { freePort } from "../../server/test/support/FreePort.ts"
import { openSseAt, type SseConnection } from "../../server/test/support/SseClient.ts"
import * as TestDatabase from "../../server/test/support/TestDatabase.ts"
import { testRedisUrl } from "../../server/test/support/TestRedis.ts"
import { startEntry } from "./support/EntryProcess.ts"
import { ready, request, signUpAt } from "./support/ProcessHttp.ts"

const serverEntry = fileURLToPath(new URL("../../server/src/main.ts", import.meta.url))
const workerEntry = fileURLToPath(new URL("../src/main.ts", import.meta.url))

/** Short presence timings, so that "offline within the TTL" is checked in seconds. */
const ttlMillis = 3_000
const sweepMillis = 500

/** The next message on the connection that `accept`s, past the others (membership events, other people's presence). */
const nextWhere = (connection: SseConnection, what: string, accept: (message: StreamMessage) => boolean) =>
  Effect.gen(function* () {
    for (let seen = 0; seen < 40; seen++) {
      const event = yield* connection.next(what, "20 seconds")
      if (accept(event.data)) return event.data
    }
    return assert.fail(`no ${what} within 40 events`)
  })

layer(TestDatabase.layer(), { excludeTestServices: true })("Chat across processes", (it) => {
  it.effect(
    "messages, typing and presence cross servers through Redis, and a dead server's users go offline within the TTL",
    () =>
      Effect.gen(function* () {
        const database = yield* DatabaseUrl
        const [portA, portB, workerPort] = yield* Effect.promise(() =>
          Promise.all([freePort(), freePort(), freePort()])
        )
        // Typing and presence cross processes only through Redis, so this test always has one (the
        // test run's, or the local default), in embedded mode too.
        const shared = {
          NODE_ENV: "production",
          MOIM_SECRET: "chat-processes-secret-long-enough-0123456789",
          DATABASE_URL: Redacted.value(database.url),
          HOST: "127.0.0.1",
          LOG_LEVEL: "Warn",
          RATE_LIMIT_AUTH: "1000",
          REDIS_URL: Redacted.value(testRedisUrl),
          REDIS_KEY_PREFIX: `moim-test:${randomBytes(6).toString("hex")}:`,
          PRESENCE_TTL: `${ttlMillis} millis`,
          PRESENCE_REFRESH_INTERVAL: "1 second",
          PRESENCE_SWEEP_INTERVAL: `${sweepMillis} millis`
        }
        const start = (entry: string, port: number, extra: Record<string, string> = {}) =>
          startEntry(entry, {
            ...shared,
            MOIM_DATA_DIR: mkdtempSync(join(tmpdir(), "moim-chat-")),
            PORT: String(port),
            ...extra
          })
        const serverA = start(serverEntry, portA)
        const serverB = start(serverEntry, portB)
        const worker = start(workerEntry, portA, { WORKER_PORT: String(workerPort) })
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            for (const started of [serverA, serverB, worker]) started.child.kill("SIGKILL")
          })
        )
        const a = `http://127.0.0.1:${portA}`
        const b = `http://127.0.0.1:${portB}`
        yield* ready(a, serverA)
        yield* ready(b, serverB)
        yield* ready(`http://127.0.0.1:${workerPort}`, worker)

        const signUp = (nickname: string) => signUpAt(a, nickname)
        const owner = yield* signUp("Owner")
        const member = yield* signUp("Member")
        const created = yield* request(a, "POST", "/api/v1/groups", {
          token: owner.token,
          body: { name: "Chat across processes", category: "other" }
        })
        const groupId = String(created.body.id)
        assert.strictEqual(
          (yield* request(b, "POST", `/api/v1/groups/${groupId}/join`, { token: member.token, body: {} })).status,
          200
        )
        const channels = yield* request(a, "GET", `/api/v1/groups/${groupId}/channels`, { token: owner.token })
        const general = (channels.body.items as ReadonlyArray<{ id: string; name: string }>).find(
          (channel) => channel.name === "general"
        )
        assert.isDefined(general)
        const channelId = general?.id ?? ""
        const topic = `channel:${channelId}`

        // The member streams from B.
        const onB = yield* openSseAt(b, `/api/v1/stream?topics=${encodeURIComponent(topic)}`, { token: member.token })
        assert.strictEqual(onB.status, 200)

        // A message sent through A reaches them.
        const sent = yield* request(a, "POST", `/api/v1/channels/${channelId}/messages`, {
          token: owner.token,
          body: { body: "hello from A" }
        })
        assert.strictEqual(sent.status, 201)
        const message = yield* nextWhere(onB, "the message sent through A", (m) => m.type === "chat.message.created")
        assert.strictEqual(message.type === "chat.message.created" && message.data.message.body, "hello from A")

        // So does typing on A.
        assert.strictEqual(
          (yield* request(a, "POST", `/api/v1/channels/${channelId}/typing`, { token: owner.token, body: {} })).status,
          204
        )
        yield* nextWhere(onB, "typing on A", (m) => m.type === "chat.typing" && m.data.userId === owner.userId)

        // The owner opens a stream on A: online, told on B, and both servers agree.
        const onA = yield* openSseAt(a, "/api/v1/stream", { token: owner.token })
        assert.strictEqual(onA.status, 200)
        yield* nextWhere(
          onB,
          "the owner online",
          (m) => m.type === "chat.presence" && m.data.userId === owner.userId && m.data.status === "online"
        )
        const statuses = (base: string, token: string) =>
          Effect.map(request(base, "GET", `/api/v1/channels/${channelId}/presence`, { token }), (response) => {
            assert.strictEqual(response.status, 200)
            const users = response.body.users as ReadonlyArray<{ userId: string; status: string }>
            return Object.fromEntries(users.map((user) => [user.userId, user.status]))
          })
        assert.deepStrictEqual(yield* statuses(a, member.token), { [owner.userId]: "online" })
        assert.deepStrictEqual(yield* statuses(b, member.token), { [owner.userId]: "online" })
        assert.deepStrictEqual(yield* statuses(a, owner.token), { [member.userId]: "online" })
        assert.deepStrictEqual(yield* statuses(b, owner.token), { [member.userId]: "online" })

        assert.strictEqual(
          (yield* request(b, "PUT", "/api/v1/me/presence", { token: owner.token, body: { status: "away" } })).status,
          204
        )
        yield* nextWhere(
          onB,
          "the owner away",
          (m) => m.type === "chat.presence" && m.data.userId === owner.userId && m.data.status === "away"
        )
        assert.deepStrictEqual(yield* statuses(a, member.token), { [owner.userId]: "away" })
        assert.deepStrictEqual(yield* statuses(b, member.token), { [owner.userId]: "away" })

        // A dies without closing anything: B takes its users offline once the TTL has run out.
        serverA.child.kill("SIGKILL")
        yield* Effect.promise(() => serverA.exited)
        const killedAt = yield* Clock.currentTimeMillis
        const offline = yield* nextWhere(
          onB,
          "the owner offline",
          (m) => m.type === "chat.presence" && m.data.userId === owner.userId && m.data.status === "offline"
        )
        const elapsed = (yield* Clock.currentTimeMillis) - killedAt
        // Within the TTL of A's last refresh (which was before the kill), plus one sweep and a margin for the test.
        assert.isAtMost(elapsed, ttlMillis + sweepMillis + 1_500)
        assert.isTrue(offline.type === "chat.presence" && offline.data.lastSeenAt !== null)
        yield* eventually(
          Effect.flatMap(statuses(b, member.token), (now) =>
            now[owner.userId] === undefined ? Effect.void : Effect.fail(new Error(`still ${now[owner.userId]}`))
          )
        )
        assert.deepStrictEqual(yield* statuses(b, owner.token), { [member.userId]: "online" })
      }).pipe(Effect.scoped),
    { timeout: 120_000 }
  )
})
