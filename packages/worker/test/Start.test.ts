/** @module-tag process */
/** @module-tag embedded-only */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { freePort } from "../../server/test/support/FreePort.ts"
import { type EntryProcess, startEntry, waitFor } from "./support/EntryProcess.ts"

// What `npm start` and `npm run start:worker` run: the production bundles, built first if stale.
const repository = fileURLToPath(new URL("../../../", import.meta.url))
const allInOne = join(repository, "dist", "all.mjs")
const workerAlone = join(repository, "dist", "worker.mjs")
beforeAll(() => {
  execFileSync(process.execPath, [join(repository, "scripts", "bundle.ts"), "--if-stale"], { stdio: "inherit" })
}, 120_000)

// A fresh embedded data dir runs initdb and every migration in PGlite first: allow for a loaded machine.
const waitForReady = (url: string, started: EntryProcess) =>
  waitFor(async () => ((await fetch(url)).status === 200 ? true : undefined), `200 from ${url}`, started, 150_000)

const withTempDir = <A>(f: (dir: string) => Promise<A>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "moim-start-"))),
    (dir) => Effect.promise(() => f(dir)),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

describe("Starting Moim", () => {
  it.live(
    "a new data dir starts from the snapshot of the migrated schema that the first fresh start saved",
    () =>
      withTempDir(async (dir) => {
        const cache = join(dir, "cache")
        const startIn = async (name: string) => {
          const port = await freePort()
          const started = startEntry(
            allInOne,
            { PORT: String(port), MOIM_DATA_DIR: join(dir, name), MOIM_SCHEMA_CACHE_DIR: cache },
            dir
          )
          await waitForReady(`http://127.0.0.1:${port}/health/ready`, started)
          return { started, port }
        }
        const stop = async ({ started }: { readonly started: EntryProcess }) => {
          started.child.kill("SIGTERM")
          assert.strictEqual(await started.exited, 0, started.output())
        }

        const first = await startIn("first")
        await stop(first)
        const saved = readdirSync(cache).filter((file) => file.endsWith(".tar.gz"))
        assert.strictEqual(saved.length, 1, first.started.output())
        assert.match(saved[0] ?? "", /^schema-[0-9a-f]{24}\.tar\.gz$/)
        assert.notInclude(first.started.output(), "starting it from the snapshot")
        const savedAt = statSync(join(cache, saved[0] ?? "")).mtimeMs

        const second = await startIn("second")
        try {
          assert.include(second.started.output(), "starting it from the snapshot of the migrated schema")
          // A working database, migrations and all: someone signs up.
          const signup = await fetch(`http://127.0.0.1:${second.port}/api/v1/auth/signup`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ email: "snapshot@example.com", password: "correct horse battery", nickname: "Snap" })
          })
          assert.strictEqual(signup.status, 201, await signup.text())
        } finally {
          await stop(second)
        }
        assert.strictEqual(statSync(join(cache, saved[0] ?? "")).mtimeMs, savedAt)
        assert.deepStrictEqual(readdirSync(cache), saved)
      }),
    { timeout: 180_000 }
  )

  it.live(
    "npm start's entry serves /health/ready and /docs with an empty environment, owns its data dir, and stops on SIGTERM",
    () =>
      withTempDir(async (dir) => {
        const port = await freePort()
        const started = startEntry(allInOne, { PORT: String(port) }, dir)
        try {
          await waitForReady(`http://127.0.0.1:${port}/health/ready`, started)
          const ready = await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()
          assert.deepStrictEqual(Object.keys(ready.checks).sort(), ["database", "worker"])
          assert.strictEqual((await fetch(`http://127.0.0.1:${port}/docs`)).status, 200)
          const meta = await (await fetch(`http://127.0.0.1:${port}/api/v1/meta`)).json()
          assert.deepStrictEqual(meta.adapters, {
            database: "embedded",
            redis: "memory",
            storage: "disk",
            mailer: "outbox",
            sms: "outbox",
            jobs: "graphile-worker"
          })

          const second = startEntry(allInOne, { PORT: String(await freePort()) }, dir)
          assert.notStrictEqual(await second.exited, 0)
          assert.include(second.output(), `is in use by process ${started.child.pid}`)
        } finally {
          started.child.kill("SIGTERM")
        }
        const code = await started.exited
        assert.strictEqual(code, 0, started.output())
      }),
    { timeout: 180_000 }
  )

  it.live(
    "refuses a malformed setting, naming the variable",
    () =>
      withTempDir(async (dir) => {
        const started = startEntry(allInOne, { PORT: "not-a-port" }, dir)
        const code = await started.exited
        assert.notStrictEqual(code, 0)
        assert.include(started.output(), "PORT")
      }),
    { timeout: 60_000 }
  )

  it.live(
    "refuses to run a worker alone on the embedded database",
    () =>
      withTempDir(async (dir) => {
        const started = startEntry(workerAlone, {}, dir)
        const code = await started.exited
        assert.notStrictEqual(code, 0)
        assert.include(started.output(), "DATABASE_URL is required")
      }),
    { timeout: 60_000 }
  )
})
