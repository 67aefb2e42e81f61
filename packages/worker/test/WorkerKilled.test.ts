/** @module-tag process */
/** @module-tag postgres-only */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, layer } from "@effect/vitest"
import { Deferred, Effect, Fiber, Redacted, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { DatabaseUrl } from "../../server/src/platform/DatabaseUrl.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { freePort } from "../../server/test/support/FreePort.ts"
import * as TestDatabase from "../../server/test/support/TestDatabase.ts"
import { type EntryProcess, startEntry } from "./support/EntryProcess.ts"
import { ready, request, signUpAt } from "./support/ProcessHttp.ts"

const serverEntry = fileURLToPath(new URL("../../server/src/main.ts", import.meta.url))
const workerEntry = fileURLToPath(new URL("../src/main.ts", import.meta.url))

/** Polls `probe` (a query) until it gives a row; fails the test after `seconds`. */
const until = <A, E, R>(probe: Effect.Effect<ReadonlyArray<A>, E, R>, what: string, seconds: number) =>
  eventually(
    Effect.flatMap(probe, (rows) => {
      const [first] = rows
      return first === undefined ? Effect.fail(what) : Effect.succeed(first)
    }),
    { interval: "200 millis", timeout: `${seconds} seconds` }
  ).pipe(Effect.orElseSucceed(() => assert.fail(`timed out waiting for ${what}`)))

const JobRow = Schema.Struct({ id: Schema.String, lockedBy: Schema.NullOr(Schema.String) })

layer(TestDatabase.layer(), { excludeTestServices: true })("A worker killed in the middle of a job", (it) => {
  it.effect(
    "leaves the job to another worker once its lock times out, and the job's effects land once",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const database = yield* DatabaseUrl
        const [port, portA, portB] = yield* Effect.promise(() => Promise.all([freePort(), freePort(), freePort()]))
        const shared = {
          NODE_ENV: "production",
          MOIM_SECRET: "worker-killed-secret-long-enough-0123456789",
          DATABASE_URL: Redacted.value(database.url),
          HOST: "127.0.0.1",
          LOG_LEVEL: "Warn",
          RATE_LIMIT_AUTH: "1000",
          WORKER_LOCK_TIMEOUT: "3 seconds"
        }
        const start = (entry: string, extra: Record<string, string>) =>
          startEntry(entry, { ...shared, MOIM_DATA_DIR: mkdtempSync(join(tmpdir(), "moim-killed-")), ...extra })
        const server = start(serverEntry, { PORT: String(port) })
        const workerA = start(workerEntry, { PORT: String(port), WORKER_PORT: String(portA) })
        const started: Array<EntryProcess> = [server, workerA]
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            for (const process of started) process.child.kill("SIGKILL")
          })
        )
        const base = `http://127.0.0.1:${port}`
        yield* ready(base, server)
        yield* ready(`http://127.0.0.1:${portA}`, workerA)

        const signUp = (nickname: string) => signUpAt(base, nickname)
        const anna = yield* signUp("Anna")
        const ben = yield* signUp("Ben")
        const group = yield* request(base, "POST", "/api/v1/groups", {
          token: anna.token,
          body: { name: "Night owls", category: "games" }
        })
        assert.strictEqual(group.status, 201)
        const joined = yield* request(base, "POST", `/api/v1/groups/${String(group.body.id)}/join`, {
          token: ben.token,
          body: {}
        })
        assert.strictEqual(joined.status, 200)
        const direct = yield* request(base, "POST", "/api/v1/me/direct-channels", {
          token: anna.token,
          body: { userIds: [ben.userId] }
        })
        assert.include([200, 201], direct.status)

        // Deliveries wait on this lock, so the worker's job stops half-way, inside its transaction.
        const locked = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(
          sql
            .withTransaction(
              Effect.gen(function* () {
                yield* sql`LOCK TABLE notification_deliveries IN SHARE MODE`
                yield* Deferred.succeed(locked, undefined)
                yield* Deferred.await(release)
              })
            )
            .pipe(Effect.orDie)
        )
        yield* Deferred.await(locked)

        const sent = yield* request(base, "POST", `/api/v1/channels/${String(direct.body.id)}/messages`, {
          token: anna.token,
          body: { body: "Are you still up?" }
        })
        assert.strictEqual(sent.status, 201)
        const messageId = String(sent.body.id)

        const decodeJobs = Schema.decodeUnknownEffect(Schema.Array(JobRow))
        const job = yield* until(
          sql`
            SELECT id::text, locked_by FROM graphile_worker._private_jobs
            WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'NotifyChatMessage')
              AND locked_by IS NOT NULL`.pipe(Effect.flatMap(decodeJobs)),
          "worker A to take the job",
          60
        )
        // Worker A is inside the job: its delivery waits on the lock this test holds.
        yield* until(
          sql`SELECT 1 FROM pg_locks WHERE relation = 'notification_deliveries'::regclass AND NOT granted`,
          "the job to wait on the deliveries' lock",
          30
        )
        const holders = yield* sql<{ readonly lockId: string }>`SELECT lock_id FROM worker_heartbeats WHERE pid = ${
          workerA.child.pid ?? 0
        }`
        assert.deepStrictEqual(
          holders.map((row) => row.lockId),
          [job.lockedBy ?? ""],
          "worker A's heartbeat names the lock id its running job shows"
        )

        workerA.child.kill("SIGKILL")
        yield* Effect.promise(() => workerA.exited)
        const workerB = start(workerEntry, { PORT: String(port), WORKER_PORT: String(portB) })
        started.push(workerB)
        yield* ready(`http://127.0.0.1:${portB}`, workerB)
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(holder)

        // Worker B releases the dead worker's job and runs it: the job leaves the queue, done.
        yield* until(
          sql`SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs WHERE id = ${job.id}::bigint)`,
          "the job to be run again and finish",
          90
        )
        assert.include(workerB.output(), "released the jobs of a worker that stopped beating")
        const notifications = yield* sql<{ readonly recipientId: string }>`
          SELECT recipient_id FROM notifications WHERE type = 'chat.direct_message' AND data->>'messageId' = ${messageId}`
        assert.deepStrictEqual(
          notifications.map((row) => row.recipientId),
          [ben.userId],
          "Ben is told once of the message, though the job ran twice"
        )
        const deliveries = yield* sql`SELECT 1 FROM notification_deliveries WHERE event_id = ${messageId}`
        assert.strictEqual(deliveries.length, 1)
      }),
    { timeout: 240_000 }
  )
})
