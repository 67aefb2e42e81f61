/** @module-tag process */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { DatabaseUrl } from "../../server/src/platform/DatabaseUrl.ts"
import { freePort } from "../../server/test/support/FreePort.ts"
import * as TestDatabase from "../../server/test/support/TestDatabase.ts"
import { startEntry, waitFor } from "./support/EntryProcess.ts"

const serverEntry = fileURLToPath(new URL("../../server/src/main.ts", import.meta.url))
const workerEntry = fileURLToPath(new URL("../src/main.ts", import.meta.url))

layer(TestDatabase.layer(), { excludeTestServices: true })("Server and worker as separate processes", (it) => {
  it.effect(
    "a server and a worker on one database: readiness, a job handed from one to the other, a clean stop",
    () =>
      Effect.gen(function* () {
        const database = yield* DatabaseUrl
        const dataDir = mkdtempSync(join(tmpdir(), "moim-processes-"))
        const [port, workerPort] = yield* Effect.promise(() => Promise.all([freePort(), freePort()]))
        const opsToken = "processes-test-operator-token"
        const env = {
          NODE_ENV: "production",
          MOIM_SECRET: "processes-test-secret-long-enough-0123456789",
          DATABASE_URL: Redacted.value(database.url),
          MOIM_DATA_DIR: dataDir,
          MOIM_OPS_TOKEN: opsToken,
          HOST: "127.0.0.1",
          LOG_LEVEL: "Warn",
          PORT: String(port),
          WORKER_PORT: String(workerPort)
        }
        const server = startEntry(serverEntry, env)
        const worker = startEntry(workerEntry, env)
        const base = `http://127.0.0.1:${port}`
        yield* Effect.promise(async () => {
          try {
            await waitFor(
              async () => ((await fetch(`${base}/health/ready`)).status === 200 ? true : undefined),
              "server readiness",
              server
            )
            const workerReady = await waitFor(
              async () => {
                const response = await fetch(`http://127.0.0.1:${workerPort}/health/ready`)
                return response.status === 200 ? await response.json() : undefined
              },
              "worker readiness",
              worker
            )
            assert.deepStrictEqual(Object.keys(workerReady.checks).sort(), ["database", "worker"])

            const email = `processes-${Date.now()}@example.com`
            const signup = await fetch(`${base}/api/v1/auth/signup`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ email, password: "correct horse battery", nickname: "Split" })
            })
            assert.strictEqual(signup.status, 201)
            const outbox = join(dataDir, "outbox")
            const mail = await waitFor(
              async () =>
                readdirSync(outbox)
                  .map((file) => readFileSync(join(outbox, file), "utf8"))
                  .find((text) => text.includes(email)),
              "the verification email, sent by the worker process",
              worker
            )
            assert.include(mail, "verify-email")

            const report = await (
              await fetch(`${base}/api/v1/ops/workers`, { headers: { authorization: `Bearer ${opsToken}` } })
            ).json()
            assert.isTrue(
              report.workers.some((w: { alive: boolean; pid: number }) => w.alive && w.pid === worker.child.pid)
            )
          } finally {
            server.child.kill("SIGTERM")
            worker.child.kill("SIGTERM")
          }
          assert.strictEqual(await server.exited, 0, server.output())
          assert.strictEqual(await worker.exited, 0, worker.output())
        })
      }),
    { timeout: 120_000 }
  )
})
