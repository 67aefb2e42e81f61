import { randomUUID } from "node:crypto"
import { mkdir, rename, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Clock, Config, Context, Duration, Effect, Layer, Option, type Redacted, Schema } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { AppConfig } from "./AppConfig.ts"

/** A text message the provider (or the outbox) did not take. `retryable` says whether a later attempt may succeed. */
export class SmsDeliveryError extends Schema.TaggedError<SmsDeliveryError>()("SmsDeliveryError", {
  message: Schema.String,
  retryable: Schema.Boolean,
  /** The provider's HTTP status, when it answered. */
  status: Schema.optionalKey(Schema.Number)
}) {}

export interface SmsMessage {
  /** The recipient in E.164 (`+14155552671`). */
  readonly to: string
  readonly body: string
}

/** The provider's messages API, Twilio-style: form-encoded `To`, `From`, `Body`, HTTP basic auth. */
export interface SmsHttpOptions {
  /** Where messages are posted, e.g. `https://api.twilio.com/2010-04-01/Accounts/<sid>/Messages.json`. */
  readonly url: string
  readonly user: string
  readonly password: Redacted.Redacted<string>
  /** The sender: a number in E.164 or an alphanumeric sender id, as the provider allows. */
  readonly from: string
  /** How long the provider may take to answer (default 10 seconds). */
  readonly timeout?: Duration.Input | undefined
}

const MessageId = Schema.Struct({ sid: Schema.String })
const decodeMessageId = Schema.decodeUnknownOption(Schema.fromJsonString(MessageId))

/**
 * Sends text messages: through a provider's HTTP messages API in production, or into text files in
 * a local outbox on the embedded defaults, so that development never texts real people. Message
 * bodies (sign-in codes) are never logged.
 */
export class Sms extends Context.Service<
  Sms,
  {
    readonly kind: "http" | "outbox"
    readonly send: (message: SmsMessage) => Effect.Effect<void, SmsDeliveryError>
  }
>()("@moim/server/platform/Sms") {
  /**
   * Posts each message to the provider. A 4xx answer is a refusal for good (a bad number, wrong
   * credentials), except 408 and 429, which ask to come back later; a 5xx, a timeout or no answer
   * at all is retryable. Follows no redirect.
   */
  static readonly layerHttp = (options: SmsHttpOptions): Layer.Layer<Sms> =>
    Layer.effect(
      Sms,
      Effect.gen(function* () {
        const client = yield* HttpClient.HttpClient
        const timeout = options.timeout ?? Duration.seconds(10)
        return make(
          "http",
          Effect.fn("Sms.send")(function* (message: SmsMessage) {
            const response = yield* HttpClientRequest.post(options.url).pipe(
              HttpClientRequest.basicAuth(options.user, options.password),
              HttpClientRequest.acceptJson,
              HttpClientRequest.bodyUrlParams({ To: message.to, From: options.from, Body: message.body }),
              client.execute,
              Effect.timeout(timeout),
              Effect.mapError(
                (cause) =>
                  new SmsDeliveryError({
                    message: `The SMS provider did not answer: ${cause.message}`,
                    retryable: true
                  })
              )
            )
            const text = yield* response.text.pipe(
              Effect.timeout(timeout),
              Effect.orElseSucceed(() => "")
            )
            yield* Effect.annotateCurrentSpan({ status: response.status })
            if (response.status >= 200 && response.status < 300) {
              const id = Option.match(decodeMessageId(text), { onNone: () => null, onSome: (body) => body.sid })
              yield* Effect.logDebug("SMS handed to the provider").pipe(Effect.annotateLogs({ id }))
              return
            }
            return yield* new SmsDeliveryError({
              // The provider's answer names the problem; it never holds the message body.
              message: `The SMS provider answered ${response.status}: ${text.slice(0, 300)}`,
              retryable: response.status >= 500 || response.status === 408 || response.status === 429,
              status: response.status
            })
          })
        )
      })
    ).pipe(
      Layer.provide(FetchHttpClient.layer),
      Layer.provide(Layer.succeed(FetchHttpClient.RequestInit)({ redirect: "manual" }))
    )

  /** Writes each message as a `.txt` file (`To:` line, blank line, body) into `directory` and logs the file's path. */
  static readonly layerOutbox = (directory: string): Layer.Layer<Sms> =>
    Layer.effect(
      Sms,
      Effect.gen(function* () {
        yield* Effect.promise(() => mkdir(directory, { recursive: true }))
        return make(
          "outbox",
          Effect.fn("Sms.send")(function* (message: SmsMessage) {
            const now = yield* Clock.currentTimeMillis
            // Sortable by time, and free of characters some file systems refuse.
            const path = join(directory, `${new Date(now).toISOString().replace(/[:.]/g, "-")}-${randomUUID()}.txt`)
            yield* Effect.tryPromise({
              try: async () => {
                // A reader of the outbox never sees a half-written message.
                const partial = join(directory, `.${randomUUID()}.partial`)
                try {
                  await writeFile(partial, `To: ${message.to}\n\n${message.body}\n`, { mode: 0o600 })
                  await rename(partial, path)
                } finally {
                  await rm(partial, { force: true })
                }
              },
              catch: (cause) =>
                new SmsDeliveryError({
                  message: `The SMS outbox could not be written: ${String(cause)}`,
                  retryable: true
                })
            })
            yield* Effect.logInfo("SMS written to the outbox").pipe(Effect.annotateLogs({ path }))
          })
        )
      })
    )

  /**
   * The provider's API when `SMS_API_URL` is set (with `SMS_API_USER`, `SMS_API_PASSWORD` and
   * `SMS_FROM`, all required then), otherwise the outbox under `<MOIM_DATA_DIR>/sms-outbox`.
   */
  static readonly layerConfig: Layer.Layer<Sms, Config.ConfigError, AppConfig> = Layer.unwrap(
    Effect.gen(function* () {
      const url = yield* Config.option(Config.schema(SmsApiUrl, "SMS_API_URL"))
      if (Option.isSome(url)) {
        return Sms.layerHttp({
          url: url.value,
          user: yield* Config.NonEmptyString("SMS_API_USER"),
          password: yield* Config.schema(Schema.RedactedFromValue(Schema.NonEmptyString), "SMS_API_PASSWORD"),
          from: yield* Config.NonEmptyString("SMS_FROM")
        })
      }
      const config = yield* AppConfig
      return Sms.layerOutbox(join(config.dataDir, "sms-outbox"))
    })
  )
}

const SmsApiUrl = Schema.String.check(
  Schema.isPattern(/^https?:\/\/[^\s/?#]+/i, { message: "must be an http:// or https:// URL" })
)

const make = (
  kind: Sms["Service"]["kind"],
  deliver: (message: SmsMessage) => Effect.Effect<void, SmsDeliveryError>
): Sms["Service"] =>
  Sms.of({
    kind,
    send: (message) =>
      /^\+[1-9]\d{6,14}$/.test(message.to)
        ? deliver(message)
        : Effect.fail(new SmsDeliveryError({ message: "The recipient is not an E.164 number", retryable: false }))
  })
