import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { freePort } from "../../server/test/support/FreePort.ts"

const allInOne = fileURLToPath(new URL("../src/all.ts", import.meta.url))
const workerAlone = fileURLToPath(new URL("../src/main.ts", import.meta.url))

interface Started {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<number | null>
}

/** Runs an entry point as its own process, in a fresh directory, with only `env` (and PATH). */
const start = (entry: string, env: Record<string, string>, cwd: string): Started => {
  const child = spawn(process.execPath, [entry], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return { child, output: () => output, exited }
}

const waitForReady = async (url: string, started: Started, deadline: number) => {
  while (Date.now() < deadline) {
    const status = await fetch(url).then(
      (response) => response.status,
      () => 0
    )
    if (status === 200) return
    if (started.child.exitCode !== null) throw new Error(`exited early:\n${started.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`not ready in time:\n${started.output()}`)
}

const withTempDir = <A>(f: (dir: string) => Promise<A>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "moim-start-"))),
    (dir) => Effect.promise(() => f(dir)),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

describe("Starting Moim", () => {
  it.live(
    "npm start's entry serves /health/ready and /docs with an empty environment, owns its data dir, and stops on SIGTERM",
    () =>
      withTempDir(async (dir) => {
        const port = await freePort()
        const started = start(allInOne, { PORT: String(port) }, dir)
        try {
          await waitForReady(`http://127.0.0.1:${port}/health/ready`, started, Date.now() + 60_000)
          const ready = await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()
          assert.deepStrictEqual(Object.keys(ready.checks).sort(), ["database", "worker"])
          assert.strictEqual((await fetch(`http://127.0.0.1:${port}/docs`)).status, 200)
          const meta = await (await fetch(`http://127.0.0.1:${port}/api/v1/meta`)).json()
          assert.deepStrictEqual(meta.adapters, {
            database: "embedded",
            redis: "memory",
            storage: "disk",
            mailer: "outbox",
            jobs: "graphile-worker"
          })

          const second = start(allInOne, { PORT: String(await freePort()) }, dir)
          assert.notStrictEqual(await second.exited, 0)
          assert.include(second.output(), `is in use by process ${started.child.pid}`)
        } finally {
          started.child.kill("SIGTERM")
        }
        const code = await started.exited
        assert.strictEqual(code, 0, started.output())
      }),
    { timeout: 120_000 }
  )

  it.live(
    "refuses a malformed setting, naming the variable",
    () =>
      withTempDir(async (dir) => {
        const started = start(allInOne, { PORT: "not-a-port" }, dir)
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
        const started = start(workerAlone, {}, dir)
        const code = await started.exited
        assert.notStrictEqual(code, 0)
        assert.include(started.output(), "DATABASE_URL is required")
      }),
    { timeout: 60_000 }
  )
})
