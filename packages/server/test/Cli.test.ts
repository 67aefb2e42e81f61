/** @module-tag process */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { DatabaseUrl } from "../src/platform/DatabaseUrl.ts"
import * as TestDatabase from "./support/TestDatabase.ts"

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url))

const run = (args: ReadonlyArray<string>, env: Record<string, string>, stdin?: string) =>
  Effect.promise(
    () =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, ...args], {
          env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "Warn", ...env },
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
    })
  )
})
