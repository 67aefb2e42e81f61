import { randomUUID } from "node:crypto"
import { ByteSize, Cause, Effect, Layer, Option } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"
import { AppConfig } from "../platform/AppConfig.ts"

const requestIdPattern = /^[A-Za-z0-9._-]{1,128}$/

/**
 * The client's address, set by this middleware on every request (any value a client sends is
 * replaced), so REST handlers and RPC handlers (which see only headers) read the same thing.
 */
export const clientAddressHeader = "x-moim-client-address"

const clientAddress = (request: HttpServerRequest.HttpServerRequest, trustProxy: boolean): string => {
  const forwarded = trustProxy ? request.headers["x-forwarded-for"]?.split(",")[0]?.trim() : undefined
  if (forwarded !== undefined && forwarded.length > 0) return forwarded
  return Option.getOrElse(request.remoteAddress, () => "unknown")
}

const emptyErrorBodies: Record<number, { readonly _tag: string; readonly message: string }> = {
  400: { _tag: "BadRequest", message: "The request could not be read" },
  404: { _tag: "NotFound", message: "No such route" },
  405: { _tag: "MethodNotAllowed", message: "Method not allowed on this route" },
  413: { _tag: "PayloadTooLarge", message: "The request body is larger than this server accepts" },
  415: { _tag: "UnsupportedMediaType", message: "Unsupported content type or encoding" },
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
 * Turns a failed request into its response here rather than in the server, so the empty bodies
 * above can be filled in; real server errors are logged with their cause. Typed to keep the error
 * channel, as router middleware must.
 */
const respondToFailure = <E>(cause: Cause.Cause<E>): Effect.Effect<HttpServerResponse.HttpServerResponse, E> =>
  Effect.flatMap(HttpServerError.causeResponse(cause), ([response, cause]) =>
    response.status >= 500 && response.status !== 503 && !Cause.hasInterruptsOnly(cause)
      ? Effect.as(Effect.logError("request failed", cause), response)
      : Effect.succeed(response)
  )

const withJsonErrorBody = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse
): HttpServerResponse.HttpServerResponse => {
  const emptyBody = response.body._tag === "Empty" ? emptyErrorBodies[response.status] : undefined
  if (emptyBody === undefined || request.method === "HEAD") return response
  const message =
    response.status === 404 ? `No route for ${request.method} ${request.url.split("?")[0]}` : emptyBody.message
  return HttpServerResponse.setBody(response, HttpServerResponse.jsonUnsafe({ _tag: emptyBody._tag, message }).body)
}

/**
 * Runs around every request: a request id (kept from `x-request-id` when well-formed), the body size
 * limit, security headers, one access-log line, and JSON bodies for errors that would otherwise be
 * empty (unknown routes, oversized or unreadable bodies, server errors), so every error a client sees
 * has the `{ _tag, message }` shape.
 */
export const ServerMiddleware = HttpRouter.middleware(
  Effect.gen(function* () {
    const config = yield* AppConfig
    const maxBodySize = ByteSize.bytes(config.maxBodyBytes)
    const hsts = config.production ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}

    return (httpEffect) =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const incoming = request.headers["x-request-id"]
        const requestId = incoming !== undefined && requestIdPattern.test(incoming) ? incoming : randomUUID()
        const startedAt = performance.now()
        const stamped = request.modify({
          headers: { ...request.headers, [clientAddressHeader]: clientAddress(request, config.trustProxy) }
        })
        const response = yield* httpEffect.pipe(
          Effect.provideService(HttpServerRequest.HttpServerRequest, stamped),
          Effect.provideService(HttpIncomingMessage.MaxBodySize, maxBodySize),
          Effect.catchCause(respondToFailure),
          Effect.map((response) => withJsonErrorBody(request, response)),
          Effect.annotateLogs({ requestId })
        )
        const isDocs = request.url === "/docs" || request.url.startsWith("/docs?")
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
        return HttpServerResponse.setHeaders(response, {
          ...(isDocs ? docsSecurityHeaders : apiSecurityHeaders),
          ...hsts,
          "x-request-id": requestId
        })
      })
  }),
  { global: true }
)

/** CORS for browser frontends; `CORS_ORIGINS` lists the allowed origins (`*` by default). */
export const CorsLive = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    return HttpRouter.cors({
      allowedOrigins: config.corsOrigins,
      allowedHeaders: ["authorization", "content-type", "x-request-id", "idempotency-key"],
      exposedHeaders: ["x-request-id", "retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"],
      maxAge: 600
    })
  })
)
