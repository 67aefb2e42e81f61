import { Clock, Context, Duration, Effect, Layer, Option, Redacted, Schema, SynchronizedRef } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import type { MobilePush, MobilePushAnswer } from "./MobilePush.ts"
import type { FcmSettings } from "./MobilePushConfig.ts"
import { PushFailed } from "./PushSender.ts"
import { signJwt } from "./SignedJwt.ts"

export const fcmScope = "https://www.googleapis.com/auth/firebase.messaging"

/** How long Google or FCM may take to answer before the attempt counts as failed (and is retried). */
const requestTimeout = Duration.seconds(15)

/** An access token is replaced this long before it expires, so none expires on its way to FCM. */
const refreshMargin = Duration.minutes(5)

const TokenAnswer = Schema.Struct({ access_token: Schema.NonEmptyString, expires_in: Schema.Number })
const decodeTokenAnswer = Schema.decodeUnknownOption(Schema.fromJsonString(TokenAnswer))

/** FCM's error answer (google.rpc.Status with FCM's details), as far as it tells whether the token is at fault. */
const ErrorAnswer = Schema.Struct({
  error: Schema.Struct({
    status: Schema.optional(Schema.String),
    message: Schema.optional(Schema.String),
    details: Schema.optional(
      Schema.Array(
        Schema.Struct({
          errorCode: Schema.optional(Schema.String),
          fieldViolations: Schema.optional(Schema.Array(Schema.Struct({ field: Schema.optional(Schema.String) })))
        })
      )
    )
  })
})
const decodeErrorAnswer = Schema.decodeUnknownOption(Schema.fromJsonString(ErrorAnswer))

interface AccessToken {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: number
}

/**
 * Whether FCM's refusal says the registration token is at fault: `UNREGISTERED` (404: the app was
 * removed or the token renewed), `SENDER_ID_MISMATCH` (the token is another project's), or
 * `INVALID_ARGUMENT` naming the token (not a registration token at all). Another invalid argument is
 * a fault of the message, not of the device.
 */
const tokenRefused = (status: number, body: string): boolean => {
  const answer = decodeErrorAnswer(body)
  const details = Option.match(answer, { onNone: () => [], onSome: (parsed) => parsed.error.details ?? [] })
  const codes = details.flatMap((detail) => (detail.errorCode === undefined ? [] : [detail.errorCode]))
  if (codes.includes("UNREGISTERED") || codes.includes("SENDER_ID_MISMATCH")) return true
  // A 404 without UNREGISTERED (a wrong project id) is the server's setting, not every device's fault.
  if (status !== 400) return false
  const fields = details.flatMap((detail) => (detail.fieldViolations ?? []).map((violation) => violation.field))
  const message = Option.match(answer, { onNone: () => "", onSome: (parsed) => parsed.error.message ?? "" })
  return fields.includes("message.token") || /registration token/iu.test(message)
}

const dataOf = (push: MobilePush): Record<string, string> => ({
  id: push.message.id,
  type: push.message.type,
  subjectKind: push.message.subject.kind,
  subjectId: push.message.subject.id,
  updatedAt: push.message.updatedAt
})

/**
 * Sends pushes through FCM's HTTP v1 API (`POST /v1/projects/{project}/messages:send`). It signs in
 * as the service account (a JWT assertion, RS256, exchanged at the key's `token_uri` for an OAuth
 * access token with the `firebase.messaging` scope) and keeps the access token until five minutes
 * before it expires; FCM answering 401 drops it, so the retry gets a new one. Each message carries
 * the sentence as its notification and the notification's id, kind, subject and version as data.
 */
export class FcmSender extends Context.Service<
  FcmSender,
  { readonly send: (settings: FcmSettings, push: MobilePush) => Effect.Effect<MobilePushAnswer, PushFailed> }
>()("@moim/server/Notifications/FcmSender") {
  static readonly layer = Layer.effect(
    FcmSender,
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const cached = yield* SynchronizedRef.make(Option.none<AccessToken>())

      const post = (request: HttpClientRequest.HttpClientRequest, what: string) =>
        client.execute(request).pipe(
          Effect.flatMap((response) => response.text.pipe(Effect.map((body) => ({ status: response.status, body })))),
          Effect.timeout(requestTimeout),
          Effect.mapError(
            (cause) => new PushFailed({ message: `${what} did not answer: ${cause.message}`, retryable: true })
          )
        )

      const fetchToken = Effect.fn("FcmSender.fetchToken")(function* (settings: FcmSettings, now: number) {
        const issuedAt = Math.floor(now / 1000)
        const assertion = signJwt(
          "RS256",
          settings.privateKeyId === undefined ? {} : { kid: settings.privateKeyId },
          { iss: settings.clientEmail, scope: fcmScope, aud: settings.tokenUri, iat: issuedAt, exp: issuedAt + 3600 },
          Redacted.value(settings.privateKey)
        )
        const answer = yield* post(
          HttpClientRequest.post(settings.tokenUri).pipe(
            HttpClientRequest.bodyUrlParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion })
          ),
          "Google's token endpoint"
        )
        const token = answer.status === 200 ? decodeTokenAnswer(answer.body) : Option.none()
        if (Option.isNone(token)) {
          // 5xx is Google being down; a refusal (400, 401) is the service account's, which retrying will not mend.
          return yield* new PushFailed({
            message: `Google's token endpoint answered ${answer.status}`,
            retryable: answer.status === 429 || answer.status >= 500
          })
        }
        return {
          token: Redacted.make(token.value.access_token),
          expiresAt: now + token.value.expires_in * 1000
        } satisfies AccessToken
      })

      const accessToken = (settings: FcmSettings) =>
        SynchronizedRef.modifyEffect(cached, (current) =>
          Effect.gen(function* () {
            const now = yield* Clock.currentTimeMillis
            if (Option.isSome(current) && current.value.expiresAt - now > Duration.toMillis(refreshMargin)) {
              return [current.value.token, current] as const
            }
            const fresh = yield* fetchToken(settings, now)
            return [fresh.token, Option.some(fresh)] as const
          })
        )

      return FcmSender.of({
        send: Effect.fn("FcmSender.send")(function* (settings, push) {
          const token = yield* accessToken(settings)
          const ttl = `${Math.floor(Duration.toSeconds(push.ttl))}s`
          const message = {
            message: {
              token: push.token,
              notification: { body: push.message.text },
              data: dataOf(push),
              // A later version of the same notification replaces this one while it waits.
              android: {
                priority: "normal",
                ttl,
                collapse_key: push.message.id,
                notification: { tag: push.message.id }
              }
            }
          }
          const answer = yield* post(
            HttpClientRequest.post(
              `${settings.apiUrl}/v1/projects/${encodeURIComponent(settings.projectId)}/messages:send`
            ).pipe(HttpClientRequest.bearerToken(token), HttpClientRequest.bodyJsonUnsafe(message)),
            "FCM"
          )
          yield* Effect.annotateCurrentSpan({ status: answer.status })
          if (answer.status === 200) return "sent" as const
          if (tokenRefused(answer.status, answer.body)) return "invalidToken" as const
          if (answer.status === 401) {
            yield* SynchronizedRef.set(cached, Option.none())
            return yield* new PushFailed({ message: "FCM refused the access token", retryable: true })
          }
          return yield* new PushFailed({
            message: `FCM answered ${answer.status}: ${answer.body.slice(0, 200)}`,
            retryable: answer.status === 429 || answer.status >= 500
          })
        })
      })
    })
  ).pipe(
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(Layer.succeed(FetchHttpClient.RequestInit)({ redirect: "manual" }))
  )
}
