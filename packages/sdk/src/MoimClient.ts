import type { Client } from "openapi-fetch"
import createClient from "openapi-fetch"
import { type CacheOptions, withEtagCache } from "./EtagCache.ts"
import { type EventStreamOptions, openEventStream } from "./EventStream.ts"
import { operations, type securitySchemes, sessionScheme } from "./generated/operations.ts"
import type { paths } from "./generated/schema.ts"
import type { MoimResult } from "./MoimResult.ts"
import { type HttpMethod, type OperationSpec, refreshOperation } from "./OperationSpec.ts"
import type { CallOptions, Resources } from "./OperationTypes.ts"
import { items, type PageCall, pages } from "./Pagination.ts"
import type { RetryOptions } from "./Retry.ts"
import { Session, type SessionEnded } from "./Session.ts"
import { type SessionCookieOptions, withSessionCookies } from "./SessionCookies.ts"
import { memoryTokenStore, type SessionTokens, type TokenStore } from "./TokenStore.ts"
import { makeTransport, type Transport } from "./Transport.ts"
import { classifyFailure, networkError, type TaggedBody, type TransportError } from "./TransportErrors.ts"

/** Bearer tokens for the API's security schemes other than the session (e.g. `opsToken`). */
export type Credentials = {
  readonly [Scheme in Exclude<(typeof securitySchemes)[number], typeof sessionScheme>]?: string | undefined
}

export interface MoimClientOptions {
  /** Where the API is, without `/api/v1`, e.g. `https://moim.example.com`. */
  readonly baseUrl: string
  /** The `fetch` to send requests with (default: the global one). */
  readonly fetch?: ((request: Request) => Promise<Response>) | undefined
  /** Where the session's tokens are kept (default: memory). */
  readonly tokens?: TokenStore | undefined
  /** Called when the session can no longer be refreshed (revoked, expired, suspended); the tokens are gone. */
  readonly onSessionEnded?: ((event: SessionEnded) => void) | undefined
  readonly credentials?: Credentials | undefined
  /** Retries after 429 and 503 (default: 2 retries, honouring `Retry-After`); `false` turns them off. */
  readonly retry?: RetryOptions | false | undefined
  /** Headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /**
   * Keeps `GET` answers that carry an `ETag` and revalidates them with `If-None-Match`: an answer
   * still current comes back as `304` without its body, and the call resolves with the copy kept.
   * Off by default; `true` keeps up to 100 answers.
   */
  readonly cache?: boolean | CacheOptions | undefined
  /**
   * Browser sessions in cookies, for a web app on the same site as the API: sign-ins ask for cookie
   * mode, the refresh token stays in an `HttpOnly` cookie the browser sends to `/api/v1/auth` only,
   * and refreshes send the CSRF token. The access token is kept in memory: after a reload call
   * `client.session.resume()`. Off by default (bearer tokens, as native apps and servers use).
   */
  readonly sessionCookies?: boolean | SessionCookieOptions | undefined
}

/** The session's tokens: read them, set them (e.g. restored from elsewhere), or forget them. */
export interface SessionControl {
  readonly get: () => Promise<SessionTokens | undefined>
  readonly set: (tokens: SessionTokens) => Promise<void>
  readonly clear: () => Promise<void>
  /** With `sessionCookies`: gets a new access token from the session cookie (after a reload); false when signed out. */
  readonly resume: () => Promise<boolean>
}

export type MoimClient = Resources & {
  /** The typed `openapi-fetch` client (`raw.GET("/api/v1/meta")`), with the same authentication, refresh and retries. */
  readonly raw: Client<paths>
  readonly session: SessionControl
}

type CallInput = CallOptions & {
  readonly path?: Readonly<Record<string, unknown>> | undefined
  readonly query?: Readonly<Record<string, unknown>> | undefined
  readonly body?: unknown
}

type CallResult = MoimResult<unknown, TaggedBody | TransportError>

/** `openapi-fetch`'s `request`, as the runtime calls it: with an operation known only at run time. */
type UntypedRequest = (
  method: HttpMethod,
  path: string,
  init: {
    readonly params: { readonly path?: unknown; readonly query?: unknown }
    readonly body?: unknown
    readonly headers?: Readonly<Record<string, string>>
    readonly signal?: AbortSignal
    readonly parseAs: "text"
    readonly fetch: (request: Request) => Promise<Response>
  }
) => Promise<{ readonly data?: unknown; readonly error?: unknown; readonly response: Response }>

const table: Readonly<Record<string, OperationSpec>> = operations

/** Creates a client of the Moim REST API. */
export const createMoimClient = (options: MoimClientOptions): MoimClient => {
  const baseUrl = options.baseUrl.replace(/\/+$/, "")
  const plainSend = options.fetch ?? ((request: Request) => globalThis.fetch(request))
  const cookies =
    options.sessionCookies === undefined || options.sessionCookies === false
      ? undefined
      : withSessionCookies(plainSend, baseUrl, options.sessionCookies === true ? {} : options.sessionCookies)
  const send = cookies?.fetch ?? plainSend
  const refreshSpec = table[refreshOperation]
  const session = new Session({
    tokens: options.tokens ?? memoryTokenStore(),
    onEnded: options.onSessionEnded,
    refresh:
      refreshSpec === undefined
        ? undefined
        : (refreshToken) =>
            send(
              cookies === undefined
                ? new Request(`${baseUrl}${refreshSpec.path}`, {
                    method: refreshSpec.method.toUpperCase(),
                    headers: { "content-type": "application/json", ...options.headers },
                    body: JSON.stringify({ refreshToken })
                  })
                : // The cookie holds the refresh token; the CSRF token proves the page is the app's.
                  new Request(`${baseUrl}${refreshSpec.path}`, {
                    method: refreshSpec.method.toUpperCase(),
                    headers: { ...options.headers, ...cookies.csrfHeaders() }
                  })
            )
  })
  const credentials: Readonly<Record<string, string | undefined>> = options.credentials ?? {}
  const transport = makeTransport({
    fetch:
      options.cache === undefined || options.cache === false
        ? send
        : withEtagCache(send, options.cache === true ? {} : options.cache),
    session,
    sessionScheme,
    credentials,
    retry: options.retry ?? {}
  })
  const findOperation = operationMatcher(baseUrl)
  const raw = createClient<paths>({
    baseUrl,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    fetch: (request) => transport(request, findOperation(request), {})
  })
  // The typed `request` wants each path and method as a literal type; here they come from the
  // generated table at run time. `Resources` gives every method its precise types instead.
  const request = raw.request as UntypedRequest

  const resources: Record<string, Record<string, unknown>> = {}
  for (const [id, spec] of Object.entries(table)) {
    const [groupName = id, methodName = id] = id.split(".")
    if (spec.events) {
      const open = (input: CallInput & EventStreamOptions = {}) =>
        openEventStream({
          transport,
          operation: [id, spec],
          url: `${baseUrl}${fillPath(spec.path, input.path)}${queryString(input.query)}`,
          headers: { ...options.headers, ...input.headers },
          stream: input
        })
      resources[groupName] = { ...resources[groupName], [methodName]: open }
      continue
    }
    const call = (input: CallInput = {}) => callOperation(request, transport, id, spec, input)
    const method = spec.paginated
      ? Object.assign(call, {
          pages: (input: CallInput = {}) => pages(asPageCall(call, input), input),
          all: (input: CallInput = {}) => items(asPageCall(call, input), input)
        })
      : call
    resources[groupName] = { ...resources[groupName], [methodName]: method }
  }
  const sessionControl: SessionControl = {
    get: session.get,
    set: session.set,
    clear: session.clear,
    resume: session.resume
  }
  // Built from the same table `Resources` is derived from, so each group and method is there.
  return Object.freeze({ ...resources, raw, session: sessionControl }) as MoimClient
}

const asPageCall =
  (call: (input: CallInput) => Promise<CallResult>, input: CallInput): PageCall =>
  (page) =>
    call({ ...input, query: page.query })

const callOperation = async (
  request: UntypedRequest,
  transport: Transport,
  id: string,
  spec: OperationSpec,
  input: CallInput
): Promise<CallResult> => {
  const { path, query, body, headers, signal, idempotent, retry, ifMatch } = input
  const sentHeaders =
    ifMatch === undefined ? headers : { ...headers, "if-match": typeof ifMatch === "number" ? `"${ifMatch}"` : ifMatch }
  try {
    const { data, error, response } = await request(spec.method, spec.path, {
      params: { path, query },
      ...(body === undefined ? {} : { body }),
      ...(sentHeaders === undefined ? {} : { headers: sentHeaders }),
      ...(signal === undefined ? {} : { signal }),
      parseAs: "text",
      fetch: (prepared) => transport(prepared, [id, spec], { idempotent, retry })
    })
    if (!response.ok) return { ok: false, error: classifyFailure(spec.errors, response, error), response }
    const text = typeof data === "string" ? data : ""
    const etag = response.headers.get("etag") ?? undefined
    if (text === "") return { ok: true, data: undefined, etag, response }
    try {
      return { ok: true, data: JSON.parse(text), etag, response }
    } catch {
      const message = "The response body is not JSON"
      return {
        ok: false,
        error: { _tag: "UnexpectedResponse", message, status: response.status, body: text },
        response
      }
    }
  } catch (cause) {
    if (signal?.aborted === true) throw signal.reason
    return { ok: false, error: networkError(cause), response: undefined }
  }
}

/** Finds the operation of a request made through `raw`, by method and path. */
const operationMatcher = (baseUrl: string) => {
  const prefix = new URL(baseUrl).pathname.replace(/\/+$/, "")
  const patterns = Object.entries(table).map(([id, spec]) => {
    const source = spec.path
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]+")
    return { id, spec, method: spec.method.toUpperCase(), pattern: new RegExp(`^${source}$`) }
  })
  return (request: Request): readonly [string, OperationSpec] | undefined => {
    const pathname = new URL(request.url).pathname
    if (!pathname.startsWith(prefix)) return undefined
    const path = pathname.slice(prefix.length)
    const match = patterns.find((entry) => entry.method === request.method && entry.pattern.test(path))
    return match === undefined ? undefined : [match.id, match.spec]
  }
}

/** The operation's path with its parameters filled in. */
const fillPath = (path: string, parameters: Readonly<Record<string, unknown>> | undefined): string =>
  path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(parameters?.[name] ?? "")))

/** `?a=1&b=2&b=3`: arrays as repeated parameters, as the API reads them. */
const queryString = (query: Readonly<Record<string, unknown>> | undefined): string => {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) search.append(name, String(item))
    }
  }
  const text = search.toString()
  return text === "" ? "" : `?${text}`
}
