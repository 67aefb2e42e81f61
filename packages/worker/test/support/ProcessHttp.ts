import { randomBytes } from "node:crypto"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { freePort } from "../../../server/test/support/FreePort.ts"
import { type EntryProcess, startEntry, waitFor } from "./EntryProcess.ts"

const serverEntry = fileURLToPath(new URL("../../../server/src/main.ts", import.meta.url))

/** A JSON answer of a Moim process: its status and body (`{}` when the body is not an object). */
export interface Json {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** One HTTP request to a Moim process started by a test, with an optional bearer token, headers and JSON body. */
export const request = (
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}
) =>
  Effect.promise(async (): Promise<Json> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        ...options.headers
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) })
    })
    const text = await response.text()
    return { status: response.status, body: text.startsWith("{") ? JSON.parse(text) : {} }
  })

/** Waits (bounded) until the process answers 200 on `path`; fails with its output if it exits. */
export const ready = (base: string, process: EntryProcess, path = "/health/ready") =>
  Effect.promise(() =>
    waitFor(async () => ((await fetch(`${base}${path}`)).status === 200 ? true : undefined), `${base} ready`, process)
  )

/** Signs a new person up on the process at `base`: their access token and id. */
export const signUpAt = (base: string, nickname: string) =>
  Effect.map(
    request(base, "POST", "/api/v1/auth/signup", {
      body: {
        email: `${nickname}-${randomBytes(4).toString("hex")}@example.com`,
        password: "correct horse battery",
        nickname
      }
    }),
    (response) => ({
      token: String(response.body.accessToken),
      userId: String((response.body.user as { id: string }).id)
    })
  )

/**
 * Starts `count` servers (`npm run start:server`'s entry) with `env`, each on a free port with a
 * data directory of its own, waits until each is ready, and kills them when the scope closes: their
 * base URLs, in order.
 */
export const startServers = (env: Record<string, string>, count: number) =>
  Effect.gen(function* () {
    const ports = yield* Effect.promise(() => Promise.all(Array.from({ length: count }, () => freePort())))
    const servers = ports.map((port) => ({
      base: `http://127.0.0.1:${port}`,
      process: startEntry(serverEntry, {
        ...env,
        MOIM_DATA_DIR: mkdtempSync(join(tmpdir(), "moim-servers-")),
        PORT: String(port)
      })
    }))
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const server of servers) server.process.child.kill("SIGKILL")
      })
    )
    for (const server of servers) yield* ready(server.base, server.process)
    return servers.map((server) => server.base)
  })
