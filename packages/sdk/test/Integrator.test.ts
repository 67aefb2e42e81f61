/** @module-tag process */
/** @module-tag database-agnostic */
import { execFile } from "node:child_process"
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { freshIp, serverEnv } from "./support/TestClient.ts"

const sdkRoot = join(import.meta.dirname, "..")
const workspaceRoot = join(sdkRoot, "..", "..")
const run = promisify(execFile)

/** npm itself: the one running this test when started by an npm script, else the one on PATH. */
const npm = (args: ReadonlyArray<string>, cwd: string) => {
  const npmCli = process.env.npm_execpath
  return npmCli?.endsWith(".js") ? run(process.execPath, [npmCli, ...args], { cwd }) : run("npm", [...args], { cwd })
}

const workspaceVersion = (name: string): string => {
  const manifest: { version?: unknown } = JSON.parse(
    readFileSync(join(workspaceRoot, "node_modules", name, "package.json"), "utf8")
  )
  if (typeof manifest.version !== "string") throw new Error(`no version for ${name}`)
  return manifest.version
}

/**
 * The server's verification of access tokens tolerates 5 s of clock skew, so a token is refused only
 * that long after its `accessTokenExpiresAt`.
 */
const expiryWaitMs = 5_700

/** Access tokens live 1 s; auth rate limits are out of the way (the program signs in several times). */
const env = serverEnv({ AUTH_ACCESS_TOKEN_TTL: "1", RATE_LIMIT_AUTH: "1000" })

/**
 * A scratch project outside the workspace (under the OS temp dir) with the packed SDK installed from
 * its tarball, as an integrator installs it; removed afterwards.
 */
const scratchProject = Effect.acquireRelease(
  Effect.promise(async () => {
    const directory = mkdtempSync(join(tmpdir(), "moim-sdk-integrator-"))
    const { stdout } = await npm(["pack", "--json", "--pack-destination", directory], sdkRoot)
    const packed: ReadonlyArray<{ filename: string }> = JSON.parse(stdout)
    const tarball = packed[0]
    if (tarball === undefined) throw new Error("npm pack produced nothing")
    writeFileSync(
      join(directory, "package.json"),
      JSON.stringify({
        name: "moim-sdk-integrator",
        private: true,
        type: "module",
        dependencies: { "@moim/sdk": `file:./${tarball.filename}` },
        devDependencies: { typescript: workspaceVersion("typescript") }
      })
    )
    // The cache already holds openapi-fetch and typescript from the workspace's install.
    await npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], directory)
    for (const file of ["main.ts", "tsconfig.json"]) {
      copyFileSync(join(sdkRoot, "integrator", file), join(directory, file))
    }
    return { directory }
  }),
  ({ directory }) => Effect.sync(() => rmSync(directory, { recursive: true, force: true }))
)

interface Step {
  readonly step: string
  readonly value: unknown
}

layer(TestServer.layer(env), { excludeTestServices: true })("the packed SDK, used as an integrator uses it", (it) => {
  it.effect(
    "installs from its tarball, type-checks a program, and runs it against a live server",
    () =>
      Effect.gen(function* () {
        const baseUrl = yield* TestServer.baseUrl
        const { directory } = yield* scratchProject
        writeFileSync(
          join(directory, "config.ts"),
          [
            `export const baseUrl = ${JSON.stringify(baseUrl)}`,
            `export const clientAddress = ${JSON.stringify(freshIp())}`,
            `export const expiryWaitMs = ${expiryWaitMs}`,
            ""
          ].join("\n")
        )

        yield* Effect.promise(() =>
          run(process.execPath, [join(directory, "node_modules", "typescript", "bin", "tsc"), "-p", directory]).catch(
            (error: { stdout?: string }) => {
              throw new Error(`the integrator program does not type-check:\n${error.stdout ?? String(error)}`)
            }
          )
        )

        const { stdout } = yield* Effect.promise(() => run(process.execPath, ["main.ts"], { cwd: directory }))
        const steps = new Map(
          stdout
            .trim()
            .split("\n")
            .map((line): Step => JSON.parse(line))
            .map((entry) => [entry.step, entry.value])
        )
        assert.strictEqual((steps.get("signup") as { status: number }).status, 201)
        assert.deepStrictEqual(steps.get("typedError"), { tag: "InvalidCredentials", status: 401 })
        assert.deepStrictEqual(steps.get("login"), { sameUser: true })
        assert.include((steps.get("me") as { email: string }).email, "integrator-")
        assert.deepStrictEqual(steps.get("concurrent"), { allOk: true, refreshes: 1 })
        assert.deepStrictEqual(steps.get("logout"), { ok: true, session: null })
        assert.deepStrictEqual(steps.get("afterLogout"), { tag: "Unauthorized" })
        assert.deepStrictEqual(steps.get("sessionEnded"), [])
      }).pipe(Effect.scoped),
    180_000
  )
})
