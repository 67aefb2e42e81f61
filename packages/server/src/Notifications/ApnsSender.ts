import { type ClientHttp2Session, connect, constants } from "node:http2"
import { Clock, Context, Duration, Effect, Layer, Option, Redacted, Schema, SynchronizedRef } from "effect"
import type { MobilePush, MobilePushAnswer } from "./MobilePush.ts"
import type { ApnsSettings } from "./MobilePushConfig.ts"
import { PushFailed } from "./PushSender.ts"
import { signJwt } from "./SignedJwt.ts"

/** How long APNs may take to answer before the attempt counts as failed (and is retried). */
const requestTimeout = Duration.seconds(15)

/**
 * A provider token is reused for 50 minutes: APNs refuses one older than an hour
 * (`ExpiredProviderToken`) and one renewed more often than every 20 minutes (`TooManyProviderTokenUpdates`).
 */
const tokenLifetime = Duration.minutes(50)

/** APNs' refusals that say the device token is at fault: the device is to be forgotten. */
const invalidTokenReasons: ReadonlyArray<string> = ["BadDeviceToken", "DeviceTokenNotForTopic", "Unregistered"]

const decodeReason = Schema.decodeUnknownOption(Schema.fromJsonString(Schema.Struct({ reason: Schema.String })))

interface ProviderToken {
  readonly jwt: Redacted.Redacted<string>
  readonly issuedAt: number
}

interface Answer {
  readonly status: number
  readonly body: string
}

/**
 * Sends pushes to APNs over HTTP/2 (`POST /3/device/{token}` on one connection, kept open and reused
 * as Apple asks), authenticated by a provider token: an ES256 JWT of the team's key (`kid`, `iss`,
 * `iat`), kept for 50 minutes. The app id is the `apns-topic`; each push is an `alert` at priority 5
 * (as web push's `Urgency: normal`), expiring with its TTL, collapsed by the notification's id.
 */
export class ApnsSender extends Context.Service<
  ApnsSender,
  { readonly send: (settings: ApnsSettings, push: MobilePush) => Effect.Effect<MobilePushAnswer, PushFailed> }
>()("@moim/server/Notifications/ApnsSender") {
  static readonly layer = Layer.effect(
    ApnsSender,
    Effect.gen(function* () {
      const providerToken = yield* SynchronizedRef.make(Option.none<ProviderToken>())
      let session: ClientHttp2Session | undefined

      /** The open connection, or a new one; a connection that closes or errs is replaced on the next push. */
      const sessionFor = (settings: ApnsSettings) =>
        Effect.sync(() => {
          if (session !== undefined && !session.closed && !session.destroyed) return session
          const opened = connect(settings.origin, settings.ca === undefined ? {} : { ca: settings.ca })
          const forget = () => {
            if (session === opened) session = undefined
          }
          opened.on("error", forget)
          opened.on("close", forget)
          opened.on("goaway", forget)
          // An idle connection does not keep the process alive.
          opened.unref()
          session = opened
          return opened
        })

      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          session?.close()
          session = undefined
        })
      )

      const jwtFor = (settings: ApnsSettings) =>
        SynchronizedRef.modifyEffect(providerToken, (current) =>
          Effect.map(Clock.currentTimeMillis, (now) => {
            if (Option.isSome(current) && now - current.value.issuedAt < Duration.toMillis(tokenLifetime)) {
              return [current.value.jwt, current] as const
            }
            const jwt = Redacted.make(
              signJwt(
                "ES256",
                { kid: settings.keyId },
                { iss: settings.teamId, iat: Math.floor(now / 1000) },
                Redacted.value(settings.key)
              )
            )
            return [jwt, Option.some({ jwt, issuedAt: now })] as const
          })
        )

      const request = (
        connection: ClientHttp2Session,
        headers: Record<string, string>,
        body: string
      ): Effect.Effect<Answer, PushFailed> =>
        Effect.callback<Answer, PushFailed>((resume) => {
          const stream = connection.request(headers)
          const chunks: Array<Buffer> = []
          let status = 0
          stream.on("response", (answer) => {
            status = Number(answer[constants.HTTP2_HEADER_STATUS])
          })
          stream.on("data", (chunk: Buffer) => chunks.push(chunk))
          stream.on("end", () => resume(Effect.succeed({ status, body: Buffer.concat(chunks).toString("utf8") })))
          stream.on("error", (cause) =>
            resume(Effect.fail(new PushFailed({ message: `APNs did not answer: ${cause.message}`, retryable: true })))
          )
          stream.end(body)
          return Effect.sync(() => {
            if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL)
          })
        }).pipe(
          Effect.timeoutOrElse({
            duration: requestTimeout,
            orElse: () => Effect.fail(new PushFailed({ message: "APNs did not answer in time", retryable: true }))
          })
        )

      return ApnsSender.of({
        send: Effect.fn("ApnsSender.send")(function* (settings, push) {
          const jwt = yield* jwtFor(settings)
          const now = yield* Clock.currentTimeMillis
          const connection = yield* sessionFor(settings)
          const { id, type, text, subject, updatedAt } = push.message
          const payload = JSON.stringify({
            aps: { alert: { body: text }, sound: "default", "thread-id": `${subject.kind}:${subject.id}` },
            id,
            type,
            subject,
            updatedAt
          })
          const answer = yield* request(
            connection,
            {
              [constants.HTTP2_HEADER_METHOD]: "POST",
              [constants.HTTP2_HEADER_PATH]: `/3/device/${encodeURIComponent(push.token)}`,
              authorization: `bearer ${Redacted.value(jwt)}`,
              "apns-topic": push.appId,
              "apns-push-type": "alert",
              "apns-priority": "5",
              "apns-expiration": String(Math.floor((now + Duration.toMillis(push.ttl)) / 1000)),
              // A later version of the same notification replaces this one on the device.
              "apns-collapse-id": id,
              "content-type": "application/json"
            },
            payload
          )
          yield* Effect.annotateCurrentSpan({ status: answer.status })
          if (answer.status === 200) return "sent" as const
          const reason = Option.match(decodeReason(answer.body), {
            onNone: () => "",
            onSome: (parsed) => parsed.reason
          })
          if (answer.status === 410 || (answer.status === 400 && invalidTokenReasons.includes(reason))) {
            return "invalidToken" as const
          }
          if (answer.status === 403 && reason === "ExpiredProviderToken") {
            yield* SynchronizedRef.set(providerToken, Option.none())
            return yield* new PushFailed({ message: "APNs found the provider token expired", retryable: true })
          }
          return yield* new PushFailed({
            message: `APNs answered ${answer.status} ${reason}`.trim(),
            // 0: the stream ended without an answer (the connection went away).
            retryable: answer.status === 0 || answer.status === 429 || answer.status >= 500
          })
        })
      })
    })
  )
}
