import { retryAfterSeconds } from "./TransportErrors.ts"

/** When a call that was answered 429 or 503 is sent again. */
export interface RetryOptions {
  /** Extra attempts after the first (default 2). */
  readonly retries?: number | undefined
  /** Waits without a `Retry-After` header grow from this (default 500 ms), doubling, with jitter. */
  readonly baseDelayMs?: number | undefined
  /** Longest wait; a `Retry-After` beyond it is not waited for, the error is returned (default 30 s). */
  readonly maxDelayMs?: number | undefined
}

export const retryableStatuses: ReadonlySet<number> = new Set([429, 503])

/** Methods that HTTP defines as idempotent: sending them twice has the effect of sending them once. */
const idempotentMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"])

/** Methods that change something: the SDK gives each such call an `Idempotency-Key`. */
export const unsafeMethods: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"])

/**
 * Whether a request may be sent again: idempotent methods may; POST and PATCH only when they carry
 * an `Idempotency-Key` (the SDK gives every unsafe call one) or the caller says the call is
 * idempotent. `idempotent: false` forbids it.
 */
export const mayRetry = (method: string, headers: Headers, idempotent: boolean | undefined): boolean =>
  idempotent ?? (idempotentMethods.has(method) || headers.has("idempotency-key"))

/**
 * A 409 the server answers while the first request with the same `Idempotency-Key` still runs:
 * sent again after `Retry-After`, it gets that request's response.
 */
export const isKeyInProgress = async (response: Response): Promise<boolean> => {
  if (response.status !== 409) return false
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined)
  return typeof body === "object" && body !== null && "_tag" in body && body._tag === "IdempotencyKeyInProgress"
}

/**
 * How long to wait before attempt `attempt + 1` (0-based), or undefined when the server asks for
 * longer than `maxDelayMs`.
 */
export const retryDelayMs = (
  response: Response | undefined,
  attempt: number,
  options: RetryOptions
): number | undefined => {
  const maxDelayMs = options.maxDelayMs ?? 30_000
  const requested = response === undefined ? undefined : retryAfterSeconds(response.headers)
  if (requested !== undefined) {
    const delay = requested * 1000
    return delay <= maxDelayMs ? delay : undefined
  }
  const base = (options.baseDelayMs ?? 500) * 2 ** attempt
  return Math.min(maxDelayMs, base / 2 + Math.random() * (base / 2))
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort)
      resolve()
    }, ms)
    signal.addEventListener("abort", onAbort, { once: true })
  })
