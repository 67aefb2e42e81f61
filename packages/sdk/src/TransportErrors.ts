/** The request never got an HTTP answer: no connection, DNS failure, reset, TLS error. */
export interface NetworkError {
  readonly _tag: "NetworkError"
  readonly message: string
  readonly cause: unknown
}

/** Too many requests (429), after the SDK's retries, if any, ran out. */
export interface RateLimited {
  readonly _tag: "RateLimited"
  readonly message: string
  /** When to try again; from the body, or the `Retry-After` header. */
  readonly retryAfterSeconds: number
}

/**
 * An answer the operation does not declare: a 5xx, a 503 after retries, an unknown route, a body that
 * is not the documented JSON (e.g. a proxy's HTML page).
 */
export interface UnexpectedResponse {
  readonly _tag: "UnexpectedResponse"
  readonly message: string
  readonly status: number
  /** The parsed JSON body, or the text when it was not JSON. */
  readonly body: unknown
}

/** Failures any call can end with, besides the errors its operation declares. */
export type TransportError = NetworkError | RateLimited | UnexpectedResponse

/** Seconds to wait from a `Retry-After` header (delay-seconds or HTTP-date); undefined when absent or unreadable. */
export const retryAfterSeconds = (headers: Headers, now: number = Date.now()): number | undefined => {
  const value = headers.get("retry-after")?.trim()
  if (value === undefined || value === "") return undefined
  if (/^\d+$/.test(value)) return Number(value)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000))
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A tagged error body `{ _tag, message, ... }`. */
export interface TaggedBody {
  readonly _tag: string
  readonly message: string
}

export const isTaggedBody = (value: unknown): value is TaggedBody =>
  isRecord(value) && typeof value._tag === "string" && typeof value.message === "string"

/**
 * The typed error of a failed response: the body when the operation declares its `_tag` for this
 * status, `RateLimited` for any 429, `UnexpectedResponse` otherwise.
 */
export const classifyFailure = (
  declared: Readonly<Record<string, ReadonlyArray<string>>>,
  response: Response,
  body: unknown
): TaggedBody | TransportError => {
  if (response.status === 429) {
    const fromBody = isRecord(body) && typeof body.retryAfterSeconds === "number" ? body.retryAfterSeconds : undefined
    return {
      _tag: "RateLimited",
      message: isTaggedBody(body) ? body.message : "Too many requests",
      retryAfterSeconds: fromBody ?? retryAfterSeconds(response.headers) ?? 1
    }
  }
  if (isTaggedBody(body) && declared[String(response.status)]?.includes(body._tag)) return body
  return {
    _tag: "UnexpectedResponse",
    message: isTaggedBody(body) ? body.message : `Unexpected HTTP ${response.status} response`,
    status: response.status,
    body
  }
}

export const networkError = (cause: unknown): NetworkError => ({
  _tag: "NetworkError",
  message: cause instanceof Error ? cause.message : String(cause),
  cause
})
