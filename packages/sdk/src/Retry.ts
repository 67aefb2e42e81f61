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

/**
 * Whether a request may be sent again: idempotent methods may; POST and PATCH only when the caller
 * says the call is idempotent or gives it an `Idempotency-Key`.
 */
export const mayRetry = (request: Request, idempotent: boolean | undefined): boolean =>
  idempotent ?? (idempotentMethods.has(request.method) || request.headers.has("idempotency-key"))

/**
 * How long to wait before attempt `attempt + 1` (0-based), or undefined when the server asks for
 * longer than `maxDelayMs`.
 */
export const retryDelayMs = (response: Response, attempt: number, options: RetryOptions): number | undefined => {
  const maxDelayMs = options.maxDelayMs ?? 30_000
  const requested = retryAfterSeconds(response.headers)
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
