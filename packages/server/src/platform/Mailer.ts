import { randomUUID } from "node:crypto"
import { mkdir, rename, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { buffer } from "node:stream/consumers"
import { Clock, Config, Context, Effect, Layer, Option, Predicate, Redacted, Schema } from "effect"
import nodemailer, { type SendMailOptions } from "nodemailer"
import { AppConfig } from "./AppConfig.ts"

/** A message the mail server (or the outbox) did not take. `retryable` says whether a later attempt may succeed. */
export class MailDeliveryError extends Schema.TaggedError<MailDeliveryError>()("MailDeliveryError", {
  message: Schema.String,
  retryable: Schema.Boolean,
  /** The SMTP reply code, when the server gave one. */
  responseCode: Schema.optionalKey(Schema.Number)
}) {}

export interface MailMessage {
  readonly to: string | ReadonlyArray<string>
  readonly subject: string
  readonly text: string
  readonly html?: string | undefined
  /** Defaults to `MAIL_FROM`. */
  readonly from?: string | undefined
  /** Extra headers (`List-Unsubscribe`, ...), written as given. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

const defaultFrom = "Moim <no-reply@localhost>"

/**
 * Sends email: over SMTP in production, or into `.eml` files in a local outbox on the embedded
 * defaults, so that development never mails real people.
 */
export class Mailer extends Context.Service<
  Mailer,
  {
    readonly kind: "smtp" | "outbox"
    /** Resolves to the message's Message-ID. */
    readonly send: (message: MailMessage) => Effect.Effect<string, MailDeliveryError>
  }
>()("@moim/server/platform/Mailer") {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465` (TLS). */
  static readonly layerSmtp = (
    url: Redacted.Redacted<string>,
    options?: { readonly from?: string | undefined }
  ): Layer.Layer<Mailer> =>
    Layer.effect(
      Mailer,
      Effect.gen(function* () {
        const transport = yield* Effect.acquireRelease(
          Effect.sync(() => nodemailer.createTransport(Redacted.value(url), { from: options?.from ?? defaultFrom })),
          (transport) => Effect.sync(() => transport.close())
        )
        return make(
          "smtp",
          Effect.fn("Mailer.send")(function* (message: MailMessage) {
            const info = yield* Effect.tryPromise({
              try: () => transport.sendMail(toMailOptions(message)),
              catch: toDeliveryError
            })
            return info.messageId
          })
        )
      })
    )

  /** Writes each message as an RFC 822 `.eml` file into `directory` and logs the file's path. */
  static readonly layerOutbox = (
    directory: string,
    options?: { readonly from?: string | undefined }
  ): Layer.Layer<Mailer> =>
    Layer.effect(
      Mailer,
      Effect.gen(function* () {
        yield* Effect.promise(() => mkdir(directory, { recursive: true }))
        const transport = nodemailer.createTransport(
          { streamTransport: true, buffer: true, newline: "windows" },
          { from: options?.from ?? defaultFrom }
        )
        return make(
          "outbox",
          Effect.fn("Mailer.send")(function* (message: MailMessage) {
            const info = yield* Effect.tryPromise({
              try: () => transport.sendMail(toMailOptions(message)),
              catch: toDeliveryError
            })
            const now = yield* Clock.currentTimeMillis
            // Sortable by time, and free of characters some file systems refuse.
            const path = join(directory, `${new Date(now).toISOString().replace(/[:.]/g, "-")}-${randomUUID()}.eml`)
            yield* Effect.promise(async () => {
              const raw = Buffer.isBuffer(info.message) ? info.message : await buffer(info.message)
              // A reader of the outbox never sees a half-written message.
              const partial = join(directory, `.${randomUUID()}.partial`)
              try {
                await writeFile(partial, raw)
                await rename(partial, path)
              } finally {
                await rm(partial, { force: true })
              }
            })
            yield* Effect.logInfo("Mail written to the outbox").pipe(Effect.annotateLogs({ path }))
            return info.messageId
          })
        )
      })
    )

  /** SMTP when `SMTP_URL` is set, otherwise the outbox under `<MOIM_DATA_DIR>/outbox`; sender from `MAIL_FROM`. */
  static readonly layerConfig: Layer.Layer<Mailer, Config.ConfigError, AppConfig> = Layer.unwrap(
    Effect.gen(function* () {
      const from = yield* Config.NonEmptyString("MAIL_FROM").pipe(Config.withDefault(defaultFrom))
      const smtpUrl = yield* Config.option(Config.schema(Schema.RedactedFromValue(SmtpUrl), "SMTP_URL"))
      if (Option.isSome(smtpUrl)) return Mailer.layerSmtp(smtpUrl.value, { from })
      const config = yield* AppConfig
      return Mailer.layerOutbox(join(config.dataDir, "outbox"), { from })
    })
  )
}

// The message names no value, so a malformed URL's password stays out of the logs.
const SmtpUrl = Schema.String.check(
  Schema.isPattern(/^smtps?:\/\/[^\s/?#]+/i, { message: "must be an smtp:// or smtps:// URL" })
)

const make = (
  kind: Mailer["Service"]["kind"],
  deliver: (message: MailMessage) => Effect.Effect<string, MailDeliveryError>
): Mailer["Service"] =>
  Mailer.of({
    kind,
    send: (message) =>
      recipients(message).length === 0
        ? Effect.fail(new MailDeliveryError({ message: "The message has no recipients", retryable: false }))
        : deliver(message)
  })

const recipients = (message: MailMessage): ReadonlyArray<string> =>
  (typeof message.to === "string" ? [message.to] : message.to).filter((address) => address.trim().length > 0)

const toMailOptions = (message: MailMessage): SendMailOptions => ({
  to: [...recipients(message)],
  subject: message.subject,
  text: message.text,
  ...(message.html === undefined ? {} : { html: message.html }),
  ...(message.from === undefined ? {} : { from: message.from }),
  ...(message.headers === undefined ? {} : { headers: { ...message.headers } })
})

// Failures that end the connection rather than refuse the message: another attempt may get through.
const transientCodes = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "EPROXY"])

const toDeliveryError = (cause: unknown): MailDeliveryError => {
  const message = cause instanceof Error ? cause.message : String(cause)
  const responseCode =
    Predicate.hasProperty(cause, "responseCode") && Predicate.isNumber(cause.responseCode)
      ? cause.responseCode
      : undefined
  if (responseCode !== undefined) {
    // RFC 5321: 4yz replies are transient, 5yz permanent.
    return new MailDeliveryError({ message, retryable: responseCode < 500, responseCode })
  }
  const code = Predicate.hasProperty(cause, "code") ? String(cause.code) : ""
  return new MailDeliveryError({ message, retryable: transientCodes.has(code) })
}
