import { randomUUID } from "node:crypto"
import { ByteSize, Cause, Effect, Layer, LogLevel, Option } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"
import type { ClientInfo } from "../Access/ClientInfo.ts"
import { AppConfig } from "../platform/AppConfig.ts"
import { compress } from "./Compression.ts"
import { conditional } from "./ConditionalRequests.ts"
import { ResponseExtras } from "./ResponseExtras.ts"

const requestIdPattern = /^[A-Za-z0-9._-]{1,128}$/

const clientInfo = (request: HttpServerRequest.HttpServerRequest, trustProxy: boolean): ClientInfo => {
  const forwarded = trustProxy ? request.headers["x-forwarded-for"]?.split(",")[0]?.trim() : undefined
  return {
    ip: forwarded !== undefined && forwarded.length > 0 ? forwarded : Option.getOrNull(request.remoteAddress),
    userAgent: request.headers["user-agent"]?.slice(0, 300) ?? null
  }
}

const errorBodies: Record<number, { readonly _tag: string; readonly message: string }> = {
  400: { _tag: "BadRequest", message: "The request could not be read" },
  404: { _tag: "NotFound", message: "No such route" },
  405: { _tag: "MethodNotAllowed", message: "Method not allowed on this route" },
  413: { _tag: "PayloadTooLarge", message: "The request body is larger than this server accepts" },
  415: { _tag: "UnsupportedMediaType", message: "Unsupported content type or encoding" },
  431: { _tag: "RequestHeaderFieldsTooLarge", message: "The request headers are larger than this server accepts" },
  500: { _tag: "InternalServerError", message: "Something went wrong on our side" },
  503: { _tag: "ServiceUnavailable", message: "The server is shutting down or not ready" }
}

const apiSecurityHeaders = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'"
}

// The docs page runs its bundled script and styles inline and fetches the OpenAPI document.
const docsSecurityHeaders = {
  ...apiSecurityHeaders,
  "content-security-policy":
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'"
}

/**
 * Turns a failed request into its response here rather than in the server, so the bodies above can
 * be filled in; real server errors are logged with their cause. Typed to keep the error
 * channel, as router middleware must.
 */
const respondToFailure = <E>(cause: Cause.Cause<E>): Effect.Effect<HttpServerResponse.HttpServerResponse, E> =>
  Effect.flatMap(HttpServerError.causeResponse(cause), ([response, cause]) =>
    response.status >= 500 && response.status !== 503 && !Cause.hasInterruptsOnly(cause)
      ? Effect.as(Effect.logError("request failed", cause), response)
      : Effect.succeed(response)
  )

const textDecoder = new TextDecoder()

/** The error body a client gets: `{ _tag, message }`, with a JSON body wherever the response had none or only text. */
const withJsonErrorBody = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse
): HttpServerResponse.HttpServerResponse => {
  const known = errorBodies[response.status]
  if (known === undefined || request.method === "HEAD") return response
  const body = response.body
  const text =
    body._tag === "Uint8Array" && body.contentType.startsWith("text/plain") ? textDecoder.decode(body.body) : undefined
  if (body._tag !== "Empty" && text === undefined) return response
  const message =
    response.status === 404 ? `No route for ${request.method} ${request.url.split("?")[0]}` : (text ?? known.message)
  return HttpServerResponse.setBody(response, HttpServerResponse.jsonUnsafe({ _tag: known._tag, message }).body)
}

/**
 * What can be refused from the request line and headers alone, before any body is read: an API
 * path with an empty segment (`/me/sessions/` from an unset id in a client must never reach the
 * `/me/sessions` route, which the router would otherwise match), a body announced larger than
 * `MAX_BODY_BYTES` (413 at once, rather than after reading it) and a compressed body (415: bodies
 * are read as they are, so a gzip body would be read as garbage).
 */
const refuseFromHeaders = (
  request: HttpServerRequest.HttpServerRequest,
  maxBodyBytes: number
): HttpServerResponse.HttpServerResponse | undefined => {
  const path = request.url.split("?")[0] ?? ""
  if (path.startsWith("/api/") && (path.endsWith("/") || path.includes("//"))) {
    return HttpServerResponse.jsonUnsafe(
      { _tag: "NotFound", message: `No route for ${request.method} ${path}: a path segment is empty` },
      { status: 404 }
    )
  }
  const length = request.headers["content-length"]
  if (length !== undefined && Number(length) > maxBodyBytes) {
    return HttpServerResponse.jsonUnsafe(
      {
        _tag: "PayloadTooLarge",
        message: `The request body is larger than this server accepts (${maxBodyBytes} bytes)`
      },
      { status: 413, headers: { connection: "close" } }
    )
  }
  const encoding = request.headers["content-encoding"]?.trim().toLowerCase()
  if (encoding !== undefined && encoding !== "" && encoding !== "identity") {
    return HttpServerResponse.jsonUnsafe(
      {
        _tag: "UnsupportedMediaType",
        message: `Content-Encoding ${encoding} is not supported: send the request body uncompressed`
      },
      { status: 415 }
    )
  }
  return undefined
}

/**
 * Runs around every request: a request id (kept from `x-request-id` when well-formed), the client's
 * address as `ClientInfo`, `ETag` and `304` for conditional requests (`ConditionalRequests.ts`),
 * compression (`Compression.ts`), security headers, one access-log line (at `LOG_LEVEL=Info` and
 * below), and JSON bodies for errors that would otherwise be empty or plain text (unknown routes,
 * oversized, compressed or unreadable bodies, server errors), so every error a client sees has the
 * `{ _tag, message }` shape. The body size limit is `MaxBodySizeLive`, provided to the server.
 */
export const ServerMiddleware = HttpRouter.middleware(
  Effect.gen(function* () {
    const config = yield* AppConfig
    // The access-log line is built only where it can be written (not at `LOG_LEVEL=Warn` and above).
    const accessLog = !LogLevel.isGreaterThan(config.logLevel, "Info")
    const hsts = config.production ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}

    return (httpEffect) =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const incoming = request.headers["x-request-id"]
        const requestId = incoming !== undefined && requestIdPattern.test(incoming) ? incoming : randomUUID()
        const startedAt = performance.now()
        const refused = refuseFromHeaders(request, config.maxBodyBytes)
        const extras = ResponseExtras.make(clientInfo(request, config.trustProxy))
        const answered =
          refused ??
          (yield* httpEffect.pipe(
            Effect.provideService(ResponseExtras, extras),
            Effect.catchCause(respondToFailure),
            Effect.map((response) => withJsonErrorBody(request, response)),
            Effect.annotateLogs({ requestId })
          ))
        const uncompressed = conditional(request, ResponseExtras.applyCookies(answered, extras), extras.version)
        const response = yield* compress(request.headers["accept-encoding"], request.method, uncompressed)
        const isDocs = request.url === "/docs" || request.url.startsWith("/docs?")
        if (accessLog) {
          yield* Effect.logInfo("request").pipe(
            Effect.annotateLogs({
              requestId,
              method: request.method,
              // The path only: query strings can carry capabilities (signed storage URLs).
              path: request.url.split("?")[0],
              status: response.status,
              durationMs: Math.round((performance.now() - startedAt) * 10) / 10
            })
          )
        }
        return HttpServerResponse.setHeaders(response, {
          ...(isDocs ? docsSecurityHeaders : apiSecurityHeaders),
          ...hsts,
          "x-request-id": requestId
        })
      })
  }),
  { global: true }
)

/**
 * The body size limit (`MAX_BODY_BYTES`) for every request, provided once to the server rather than
 * to each request: each service provided per request deepens the request's context, and past a depth
 * of eight Effect copies the whole context (about 110 services) on the next addition.
 */
export const MaxBodySizeLive = Layer.effect(
  HttpIncomingMessage.MaxBodySize,
  Effect.gen(function* () {
    const config = yield* AppConfig
    return ByteSize.bytes(config.maxBodyBytes)
  })
)

/**
 * CORS for browser frontends; `CORS_ORIGINS` lists the allowed origins (`*` by default). Only a list
 * of origins admits credentials (the session cookies of cookie mode): with `*` a browser sends none.
 */
export const CorsLive = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    return HttpRouter.cors({
      allowedOrigins: config.corsOrigins,
      // Effect's HTTP client (and so its RPC client) sends trace context headers with every request.
      allowedHeaders: [
        "authorization",
        "content-type",
        "x-request-id",
        "idempotency-key",
        "if-match",
        "if-none-match",
        "moim-session-mode",
        "x-csrf-token",
        "traceparent",
        "tracestate",
        "b3"
      ],
      exposedHeaders: [
        "x-request-id",
        "etag",
        "moim-csrf-token",
        "retry-after",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset"
      ],
      maxAge: 600,
      credentials: !config.corsOrigins.includes("*")
    })
  })
)
