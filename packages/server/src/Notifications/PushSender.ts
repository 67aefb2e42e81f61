import { Context, Duration, Effect, Layer, Redacted, Schema } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import webpush from "web-push"
import type { Vapid } from "./PushConfig.ts"

/** A push that did not reach the push service, or that it refused; `retryable` when trying later may help. */
export class PushFailed extends Schema.TaggedError<PushFailed>()("PushFailed", {
  message: Schema.String,
  retryable: Schema.Boolean
}) {}

/** One push: the device's subscription, the plain-text payload and how the push service should treat it. */
export interface PushRequest {
  readonly endpoint: string
  readonly p256dh: string
  readonly auth: string
  readonly payload: string
  /** How long the push service keeps it while the device is offline. */
  readonly ttl: Duration.Duration
  readonly urgency: "very-low" | "low" | "normal" | "high"
  /** A later push with the same topic replaces this one while it waits at the push service (≤ 32 base64url characters). */
  readonly topic: string
}

/** How long a push service may take to answer before the attempt counts as failed (and is retried). */
const requestTimeout = Duration.seconds(15)

/**
 * Posts pushes to push services. `web-push` encrypts the payload for the subscription (RFC 8291,
 * `aes128gcm`) and signs the request with the server's VAPID key (RFC 8292); the request itself goes
 * through Effect's HTTP client, which follows no redirect (a push service never redirects, and a
 * redirect could lead anywhere) and is bounded by a timeout. Answers with the push service's status.
 */
export class PushSender extends Context.Service<
  PushSender,
  { readonly send: (vapid: Vapid, request: PushRequest) => Effect.Effect<number, PushFailed> }
>()("@moim/server/Notifications/PushSender") {
  static readonly layer = Layer.effect(
    PushSender,
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      return PushSender.of({
        send: Effect.fn("PushSender.send")(function* (vapid, request) {
          const details = yield* Effect.try({
            try: () =>
              webpush.generateRequestDetails(
                { endpoint: request.endpoint, keys: { p256dh: request.p256dh, auth: request.auth } },
                request.payload,
                {
                  vapidDetails: {
                    subject: vapid.subject,
                    publicKey: vapid.publicKey,
                    privateKey: Redacted.value(vapid.privateKey)
                  },
                  contentEncoding: "aes128gcm",
                  TTL: Math.floor(Duration.toSeconds(request.ttl)),
                  urgency: request.urgency,
                  topic: request.topic
                }
              ),
            catch: (cause) =>
              new PushFailed({ message: `The push could not be prepared: ${String(cause)}`, retryable: false })
          })
          const headers: Record<string, string> = {}
          for (const [name, value] of Object.entries(details.headers)) {
            const lower = name.toLowerCase()
            if (lower !== "content-length" && lower !== "content-type") headers[name] = String(value)
          }
          const body = details.body ?? new Uint8Array()
          const response = yield* HttpClientRequest.post(details.endpoint).pipe(
            HttpClientRequest.setHeaders(headers),
            HttpClientRequest.bodyUint8Array(body, "application/octet-stream"),
            client.execute,
            Effect.timeout(requestTimeout),
            Effect.mapError(
              (cause) =>
                new PushFailed({ message: `The push service did not answer: ${cause.message}`, retryable: true })
            )
          )
          // Read the (small) answer so the connection is released; what it says does not matter.
          yield* response.text.pipe(Effect.timeout(requestTimeout), Effect.ignore)
          yield* Effect.annotateCurrentSpan({ status: response.status })
          return response.status
        })
      })
    })
  ).pipe(
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(Layer.succeed(FetchHttpClient.RequestInit)({ redirect: "manual" }))
  )
}
