import { randomBytes } from "node:crypto"
import { Effect } from "effect"
import { type EntryProcess, waitFor } from "./EntryProcess.ts"

/** A JSON answer of a Moim process: its status and body (`{}` when the body is not an object). */
export interface Json {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** One HTTP request to a Moim process started by a test, with an optional bearer token and JSON body. */
export const request = (base: string, method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
  Effect.promise(async (): Promise<Json> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` })
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
