import { logoutOperation, type OperationSpec } from "./OperationSpec.ts"
import {
  isKeyInProgress,
  mayRetry,
  type RetryOptions,
  retryableStatuses,
  retryDelayMs,
  sleep,
  unsafeMethods
} from "./Retry.ts"
import type { Session } from "./Session.ts"
import { tokensFromBody } from "./TokenStore.ts"

export interface TransportOptions {
  readonly fetch: (request: Request) => Promise<Response>
  readonly session: Session
  /** The security scheme of the session's access token; null when the API has none. */
  readonly sessionScheme: string | null
  /** Static bearer tokens for the other schemes (e.g. `opsToken`). */
  readonly credentials: Readonly<Record<string, string | undefined>>
  readonly retry: RetryOptions | false
}

/** Per-call overrides. */
export interface CallPolicy {
  readonly idempotent?: boolean | undefined
  readonly retry?: RetryOptions | false | undefined
}

/** Sends one request of a known (or unknown) operation, applying authentication, refresh and retries. */
export type Transport = (
  request: Request,
  operation: readonly [id: string, spec: OperationSpec] | undefined,
  policy: CallPolicy
) => Promise<Response>

/**
 * Sends a request like `fetch`, and:
 * - adds the bearer header the operation needs (the session's access token, or a static credential),
 *   unless the caller set `Authorization` itself;
 * - on a 401 to a session call, refreshes the token pair once (shared with concurrent calls) and
 *   sends the request again;
 * - gives every unsafe call (POST, PUT, PATCH, DELETE) an `Idempotency-Key`, unless the caller set
 *   one, retries are off or the call is marked `idempotent: false`: the server then runs it once
 *   however many times it is sent;
 * - on 429 or 503, on a 409 for a key whose first request still runs, and when the connection fails,
 *   waits (`Retry-After`, else backoff) and sends it again, if the request may be repeated;
 * - stores the token pair a signup, login or refresh returns, and forgets it after logout.
 */
export const makeTransport =
  (options: TransportOptions): Transport =>
  async (request, operation, policy) => {
    const [id, spec] = operation ?? [undefined, undefined]
    // Buffered once so the request can be sent again after a refresh or a retryable answer.
    const body = request.body === null ? undefined : await request.arrayBuffer()
    const callerAuthorized = request.headers.has("authorization")
    const usesSession =
      !callerAuthorized && options.sessionScheme !== null && (spec?.security.includes(options.sessionScheme) ?? false)
    const credential = callerAuthorized
      ? undefined
      : spec?.security.map((scheme) => options.credentials[scheme]).find((token) => token !== undefined)
    const retry = policy.retry ?? options.retry
    // One key for every attempt of the call: a repeat after a lost answer gets the first one's response.
    const idempotencyKey =
      retry !== false &&
      policy.idempotent !== false &&
      unsafeMethods.has(request.method) &&
      !request.headers.has("idempotency-key")
        ? globalThis.crypto.randomUUID()
        : undefined
    let attempt = 0
    let refreshed = false
    for (;;) {
      const headers = new Headers(request.headers)
      const accessToken = usesSession ? (await options.session.get())?.accessToken : undefined
      const bearer = accessToken ?? credential
      if (bearer !== undefined) headers.set("authorization", `Bearer ${bearer}`)
      if (idempotencyKey !== undefined) headers.set("idempotency-key", idempotencyKey)
      const repeatable =
        retry !== false && attempt < (retry.retries ?? 2) && mayRetry(request.method, headers, policy.idempotent)
      let response: Response
      try {
        response = await options.fetch(new Request(request, { headers, ...(body === undefined ? {} : { body }) }))
      } catch (cause) {
        // The connection failed: the server may or may not have acted, so only a repeatable request is sent again.
        if (request.signal.aborted || !repeatable) throw cause
        const delay = retryDelayMs(undefined, attempt, retry)
        if (delay === undefined) throw cause
        attempt++
        await sleep(delay, request.signal)
        continue
      }

      if (response.status === 401 && accessToken !== undefined && !refreshed) {
        const outcome = await untilAborted(options.session.refreshAfter(accessToken), request.signal)
        if (outcome._tag === "Refreshed") {
          refreshed = true
          await discard(response)
          continue
        }
        if (outcome._tag === "Unavailable") {
          await discard(response)
          return new Response(outcome.body, { status: outcome.status, headers: [...outcome.headers] })
        }
      }

      if (
        repeatable &&
        (retryableStatuses.has(response.status) || (idempotencyKey !== undefined && (await isKeyInProgress(response))))
      ) {
        const delay = retryDelayMs(response, attempt, retry)
        if (delay !== undefined) {
          attempt++
          await discard(response)
          await sleep(delay, request.signal)
          continue
        }
      }

      if (spec?.issuesSession === true && response.ok) {
        const tokens = tokensFromBody(
          await response
            .clone()
            .json()
            .catch(() => undefined)
        )
        if (tokens !== undefined) await options.session.set(tokens)
      }
      if (id === logoutOperation && (response.ok || response.status === 401)) await options.session.clear()
      return response
    }
  }

/** Lets the connection be reused without reading a body nobody will look at. */
const discard = (response: Response): Promise<void> =>
  response.body?.cancel().catch(() => undefined) ?? Promise.resolve()

/** Waits for `promise`, or rejects with the signal's reason as soon as it aborts (the promise runs on). */
const untilAborted = <A>(promise: Promise<A>, signal: AbortSignal): Promise<A> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => reject(signal.reason)
    signal.addEventListener("abort", onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort)
        reject(error)
      }
    )
  })
