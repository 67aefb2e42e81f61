/** @module-tag process */
/** @module-tag postgres-only */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { compileCache } from "../../worker/test/support/EntryProcess.ts"
import { DatabaseUrl } from "../src/platform/DatabaseUrl.ts"
import * as TestDatabase from "./support/TestDatabase.ts"

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url))

const run = (args: ReadonlyArray<string>, env: Record<string, string>, stdin?: string) =>
  Effect.promise(
    () =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, ...args], {
          env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "Warn", ...compileCache(), ...env },
          stdio: ["pipe", "pipe", "pipe"]
        })
        let output = ""
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString()
        })
        child.stderr.on("data", (chunk: Buffer) => {
          output += chunk.toString()
        })
        child.stdin.end(stdin ?? "")
        child.once("exit", (code) => resolve({ code, output }))
      })
  )

layer(TestDatabase.layer(), { excludeTestServices: true })("npm run moim -- create-admin", (it) => {
  it.effect("creates a site admin from the command line, then promotes an existing account", () =>
    Effect.gen(function* () {
      const database = yield* DatabaseUrl
      const env = {
        DATABASE_URL: Redacted.value(database.url),
        MOIM_DATA_DIR: mkdtempSync(join(tmpdir(), "moim-cli-"))
      }
      const created = yield* run(["create-admin", "--email", "First@Example.com", "--nickname", "First"], {
        ...env,
        MOIM_ADMIN_PASSWORD: "a long admin password"
      })
      assert.strictEqual(created.code, 0, created.output)
      assert.include(created.output, "Created site admin first@example.com")

      const again = yield* run(
        ["create-admin", "--email", "first@example.com", "--password-stdin"],
        env,
        "whatever it is\n"
      )
      assert.strictEqual(again.code, 0, again.output)
      assert.include(again.output, "its password is unchanged")

      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ role: string; nickname: string; verified: boolean }>`
        SELECT role, nickname, email_verified_at IS NOT NULL AS verified FROM users WHERE email = 'first@example.com'`
      assert.deepStrictEqual(rows, [{ role: "admin", nickname: "First", verified: true }])

      const refused = yield* run(["create-admin", "--email", "not-an-email"], { ...env, MOIM_ADMIN_PASSWORD: "short" })
      assert.strictEqual(refused.code, 2)
      assert.include(refused.output, "Invalid input")

      const breached = yield* run(["create-admin", "--email", "second@example.com", "--nickname", "Second"], {
        ...env,
        MOIM_ADMIN_PASSWORD: "Password123"
      })
      assert.strictEqual(breached.code, 2, breached.output)
      assert.include(breached.output, "data breaches")
    })
  )
})

layer(TestDatabase.layer(), { excludeTestServices: true })("npm run moim -- jobs", (it) => {
  it.effect(
    "lists, retries, cancels and runs jobs on the database, and shows the crons",
    () =>
      Effect.gen(function* () {
        const database = yield* DatabaseUrl
        const sql = yield* SqlClient.SqlClient
        const env = {
          DATABASE_URL: Redacted.value(database.url),
          MOIM_DATA_DIR: mkdtempSync(join(tmpdir(), "moim-cli-"))
        }
        // A worker registered one cron; one job failed for good, one waits for tomorrow.
        yield* sql`INSERT INTO job_crons (task, schedule, registered_at) VALUES ('PurgeDeletedGroups', '17 3 * * *', now())`
        const failed = yield* sql<{ id: string }>`
        SELECT id::text FROM graphile_worker.add_job('SendEmail', '{"to": 42}'::json, max_attempts => 1)`
        const failedId = failed[0]?.id ?? ""
        yield* sql`
        UPDATE graphile_worker._private_jobs SET attempts = 1, last_error = 'Invalid SendEmail payload'
        WHERE id = ${failedId}::bigint`
        const waiting = yield* sql<{ id: string }>`
        SELECT id::text FROM graphile_worker.add_job('SendEmail', '{}'::json, run_at => now() + interval '1 day')`
        const waitingId = waiting[0]?.id ?? ""

        const listed = yield* run(["jobs", "list"], env)
        assert.strictEqual(listed.code, 0, listed.output)
        assert.include(listed.output, "SendEmail  0  1  0  1")
        assert.include(listed.output, `${waitingId}  SendEmail  pending`)

        const dead = yield* run(["jobs", "failed"], env)
        assert.include(dead.output, `${failedId}  SendEmail  failed  attempts 1/1`)
        assert.include(dead.output, "last error: Invalid SendEmail payload")

        const crons = yield* run(["jobs", "crons"], env)
        assert.match(crons.output, /PurgeDeletedGroups {2}"17 3 \* \* \*" {2}last - {2}next \d{4}-\d\d-\d\dT03:17:00/)

        const retried = yield* run(["jobs", "retry", failedId], env)
        assert.strictEqual(retried.code, 0, retried.output)
        assert.include(retried.output, `Queued job ${failedId} (SendEmail) again`)
        const none = yield* run(["jobs", "retry-all", "SendEmail"], env)
        assert.include(none.output, "Queued 0 failed SendEmail job(s) again")

        const cancelled = yield* run(["jobs", "cancel", waitingId], env)
        assert.strictEqual(cancelled.code, 0, cancelled.output)
        const left = yield* sql<{ id: string }>`SELECT id::text FROM graphile_worker.jobs ORDER BY id`
        assert.deepStrictEqual(
          left.map((row) => row.id),
          [failedId]
        )

        const ran = yield* run(["jobs", "run", "PurgeDeletedGroups"], env)
        assert.strictEqual(ran.code, 0, ran.output)
        const unknown = yield* run(["jobs", "run", "SendEmail"], env)
        assert.strictEqual(unknown.code, 1)
        assert.include(unknown.output, "No cron runs SendEmail")
        const queued = yield* sql<{ task: string }>`
        SELECT task_identifier AS task FROM graphile_worker.jobs WHERE task_identifier = 'PurgeDeletedGroups'`
        assert.lengthOf(queued, 1)
      }),
    // Eight processes, each starting on the database: slow on a loaded machine.
    { timeout: 240_000 }
  )
})
