import { randomBytes, randomInt } from "node:crypto"
import { Effect } from "effect"
import * as TestServer from "./TestServer.ts"

export interface JsonResponse {
  readonly status: number
  readonly headers: Headers
  /** The JSON body when it is an object (errors, most results), else `{}`. */
  readonly body: Record<string, unknown>
  /** The parsed JSON body, whatever its shape (e.g. an array). */
  readonly json: unknown
  readonly text: string
}

export interface CallOptions {
  readonly body?: unknown
  readonly token?: string | undefined
  /** The client address the test server sees (it runs with TRUST_PROXY=true). */
  readonly ip?: string
  readonly headers?: Record<string, string>
}

/** One JSON request to the running test server, as a third-party client would send it. */
export const call = (method: string, path: string, options: CallOptions = {}) =>
  Effect.gen(function* () {
    const base = yield* TestServer.baseUrl
    const response = yield* Effect.promise(() =>
      fetch(`${base}${path}`, {
        method,
        redirect: "manual",
        headers: {
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          "x-forwarded-for": options.ip ?? "198.51.100.1",
          ...options.headers
        },
        ...(options.body === undefined
          ? {}
          : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) })
      })
    )
    const text = yield* Effect.promise(() => response.text())
    const json: unknown = text.length > 0 && (text.startsWith("{") || text.startsWith("[")) ? JSON.parse(text) : null
    const body: Record<string, unknown> =
      typeof json === "object" && json !== null && !Array.isArray(json) ? Object.fromEntries(Object.entries(json)) : {}
    return { status: response.status, headers: response.headers, body, json, text } satisfies JsonResponse
  })

/**
 * A client address no other test uses, so per-address rate limits do not cross tests (with Redis,
 * the limits are shared by every test file of the run).
 */
export const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`

/** An email address no other test uses. */
export const freshEmail = (name = "user") => `${name}-${randomBytes(5).toString("hex")}@example.com`
