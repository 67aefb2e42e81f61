import { randomBytes, randomInt } from "node:crypto"
import { Effect } from "effect"
import * as TestServer from "../../../server/test/support/TestServer.ts"
import { createMoimClient, type MoimClientOptions } from "../../src/index.ts"

/**
 * The test server's environment for SDK tests: it trusts `X-Forwarded-For`, so each client can
 * present its own address and per-address rate limits do not cross tests.
 */
export const serverEnv = (overrides: Record<string, string> = {}) =>
  TestServer.testEnv({ TRUST_PROXY: "true", ...overrides })

/** A client address no other test uses. */
export const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`

/** An email address no other test uses. */
export const freshEmail = (name = "user") => `${name}-${randomBytes(5).toString("hex")}@example.com`

export const password = "correct horse battery"

/** The requests a client sent, as `METHOD /path`, recorded by wrapping the real `fetch`. */
export interface SentRequests {
  readonly list: Array<string>
  readonly fetch: (request: Request) => Promise<Response>
  readonly count: (method: string, path: string) => number
}

export const recordRequests = (): SentRequests => {
  const list: Array<string> = []
  return {
    list,
    fetch: (request) => {
      list.push(`${request.method} ${new URL(request.url).pathname}`)
      return fetch(request)
    },
    count: (method, path) => list.filter((entry) => entry === `${method} ${path}`).length
  }
}

/** An SDK client of the running test server, from its own client address. */
export const makeClient = (options: Partial<MoimClientOptions> = {}) =>
  Effect.map(TestServer.baseUrl, (baseUrl) =>
    createMoimClient({ baseUrl, ...options, headers: { "x-forwarded-for": freshIp(), ...options.headers } })
  )
