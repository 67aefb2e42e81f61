/** @module-tag process */
import { randomBytes } from "node:crypto"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { DatabaseUrl } from "../../server/src/platform/DatabaseUrl.ts"
import { freePort } from "../../server/test/support/FreePort.ts"
import { openSseAt, type SseEvent } from "../../server/test/support/SseClient.ts"
import * as TestDatabase from "../../server/test/support/TestDatabase.ts"
import { startEntry } from "./support/EntryProcess.ts"
import { ready, request, signUpAt } from "./support/ProcessHttp.ts"

const serverEntry = fileURLToPath(new URL("../../server/src/main.ts", import.meta.url))
const workerEntry = fileURLToPath(new URL("../src/main.ts", import.meta.url))

layer(TestDatabase.layer(), { excludeTestServices: true })("The realtime stream across processes", (it) => {
  it.effect(
    "a client on one server receives what another server produced, and after its server dies resumes on the other with nothing missed or repeated",
    () =>
      Effect.gen(function* () {
        const database = yield* DatabaseUrl
        const [portA, portB, workerPort] = yield* Effect.promise(() =>
          Promise.all([freePort(), freePort(), freePort()])
        )
        const shared = {
          NODE_ENV: "production",
          MOIM_SECRET: "realtime-processes-secret-long-enough-0123456789",
          DATABASE_URL: Redacted.value(database.url),
          HOST: "127.0.0.1",
          LOG_LEVEL: "Warn",
          RATE_LIMIT_AUTH: "1000",
          ...(process.env.REDIS_URL
            ? { REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: `moim-test:${randomBytes(6).toString("hex")}:` }
            : {})
        }
        const start = (entry: string, port: number, extra: Record<string, string> = {}) =>
          startEntry(entry, {
            ...shared,
            MOIM_DATA_DIR: mkdtempSync(join(tmpdir(), "moim-realtime-")),
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

        const signUp = (nickname: string) => Effect.map(signUpAt(a, nickname), (user) => user.token)
        const owner = yield* signUp("Owner")
        const member = yield* signUp("Member")
        const created = yield* request(a, "POST", "/api/v1/groups", {
          token: owner,
          body: { name: "Across processes", category: "other" }
        })
        const groupId = String(created.body.id)
        const update = (base: string, description: string) =>
          Effect.map(
            request(base, "PATCH", `/api/v1/groups/${groupId}`, { token: owner, body: { description } }),
            (response) => assert.strictEqual(response.status, 200)
          )
        const path = `/api/v1/stream?topics=${encodeURIComponent(`group:${groupId}`)}`

        const onA = yield* openSseAt(a, path, { token: member })
        yield* update(b, "written through B")
        const first = yield* onA.next("the update made through B", "20 seconds")
        assert.strictEqual(first.data.type, "group.updated")

        // A dies mid-stream; meanwhile B takes two more updates.
        serverA.child.kill("SIGKILL")
        yield* Effect.promise(() => serverA.exited)
        yield* update(b, "missed once")
        yield* update(b, "missed twice")

        const onB = yield* openSseAt(b, path, { token: member, headers: { "last-event-id": first.id ?? "" } })
        const missed: Array<SseEvent> = [yield* onB.next("first missed"), yield* onB.next("second missed")]
        yield* update(b, "live on B")
        const live = yield* onB.next("the live update", "20 seconds")
        const received = [first, ...missed, live]
        assert.deepStrictEqual(
          received.map((event) => event.data.type),
          ["group.updated", "group.updated", "group.updated", "group.updated"]
        )
        const cursors = received.map((event) => Number(event.id))
        assert.deepStrictEqual(
          cursors,
          [...cursors].sort((x, y) => x - y)
        )
        assert.strictEqual(new Set(cursors).size, 4)
      }).pipe(Effect.scoped),
    { timeout: 120_000 }
  )
})
