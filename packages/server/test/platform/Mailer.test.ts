/** @module-tag no-database */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { buffer } from "node:stream/consumers"
import { assert, describe, layer } from "@effect/vitest"
import { Context, Effect, Layer, Logger, Redacted, References } from "effect"
import { SMTPServer } from "smtp-server"
import { Mailer } from "../../src/platform/Mailer.ts"

/** The raw messages the mail peer (SMTP server or outbox directory) has received. */
class Delivered extends Context.Service<
  Delivered,
  {
    readonly messages: Effect.Effect<
      ReadonlyArray<{ readonly raw: string; readonly recipients: ReadonlyArray<string> }>
    >
  }
>()("test/platform/Mailer/Delivered") {}

interface MimePart {
  readonly headers: ReadonlyMap<string, string>
  readonly body: string
}

// A small MIME reader, enough to check what nodemailer wrote: unfolded headers, encoded words,
// and multipart bodies split on their boundary.
const parseMime = (raw: string): MimePart => {
  const text = raw.replace(/\r\n/g, "\n")
  const end = text.indexOf("\n\n")
  const headers = new Map<string, string>()
  for (const line of text
    .slice(0, end)
    .replace(/\n[ \t]+/g, " ")
    .split("\n")) {
    const colon = line.indexOf(":")
    headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()))
  }
  return { headers, body: text.slice(end + 2) }
}

const decodeWords = (value: string) =>
  value.replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, encoding: string, word: string) =>
    encoding.toLowerCase() === "b"
      ? Buffer.from(word, "base64").toString("utf8")
      : Buffer.from(
          word
            .replace(/_/g, " ")
            .replace(/=([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          "latin1"
        ).toString("utf8")
  )

const leafParts = (part: MimePart): ReadonlyArray<MimePart> => {
  const contentType = part.headers.get("content-type") ?? ""
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1]
  if (!contentType.startsWith("multipart/") || boundary === undefined) return [part]
  return part.body
    .split(`--${boundary}`)
    .slice(1, -1)
    .flatMap((chunk) => leafParts(parseMime(chunk.replace(/^\n/, ""))))
}

const bodyOf = (parts: ReadonlyArray<MimePart>, mediaType: string) =>
  parts.find((part) => part.headers.get("content-type")?.startsWith(mediaType))?.body.trim()

const findDelivered = (messageId: string) =>
  Effect.gen(function* () {
    const messages = yield* Delivered.use((delivered) => delivered.messages)
    const found = messages
      .map((message) => ({ ...message, mime: parseMime(message.raw) }))
      .find((message) => message.mime.headers.get("message-id") === messageId)
    assert.isDefined(found, `message ${messageId} was not delivered`)
    return found
  })

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "moim-mailer-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

const permanentlyRejected = "nobody@rejected.test"
const temporarilyRejected = "busy@rejected.test"

/** A real SMTP server on 127.0.0.1 without TLS or required auth, refusing two addresses. */
const SmtpLive = Layer.unwrap(
  Effect.gen(function* () {
    const received: Array<{ readonly raw: string; readonly recipients: ReadonlyArray<string> }> = []
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (address.address === permanentlyRejected) {
          return callback(Object.assign(new Error("5.1.1 No such mailbox"), { responseCode: 550 }))
        }
        if (address.address === temporarilyRejected) {
          return callback(Object.assign(new Error("4.2.1 Mailbox busy, try again later"), { responseCode: 451 }))
        }
        callback()
      },
      onData(stream, session, callback) {
        buffer(stream).then((raw) => {
          received.push({ raw: raw.toString("utf8"), recipients: session.envelope.rcptTo.map((to) => to.address) })
          callback()
        }, callback)
      }
    })
    const port = yield* Effect.acquireRelease(
      Effect.callback<number>((resume) => {
        const listening = server.listen(0, "127.0.0.1", () => {
          const address = listening.address()
          resume(
            typeof address === "object" && address !== null
              ? Effect.succeed(address.port)
              : Effect.die(new Error("the SMTP server has no TCP address"))
          )
        })
      }),
      () => Effect.callback<void>((resume) => server.close(() => resume(Effect.void)))
    )
    return Layer.merge(
      Mailer.layerSmtp(Redacted.make(`smtp://127.0.0.1:${port}`)),
      Layer.succeed(Delivered, { messages: Effect.sync(() => [...received]) })
    )
  })
)

const OutboxLive = Layer.unwrap(
  Effect.gen(function* () {
    const directory = join(yield* tempDir, "outbox")
    const messages = Effect.promise(async () => {
      const names = (await readdir(directory)).filter((name) => name.endsWith(".eml"))
      return Promise.all(
        names.map(async (name) => {
          const raw = await readFile(join(directory, name), "utf8")
          const to = parseMime(raw).headers.get("to") ?? ""
          return { raw, recipients: to.split(",").map((address) => address.trim()) }
        })
      )
    })
    return Layer.merge(Mailer.layerOutbox(directory), Layer.succeed(Delivered, { messages }))
  })
)

const mailerContract = (name: string, mailerLayer: Layer.Layer<Mailer | Delivered>) =>
  layer(mailerLayer, { excludeTestServices: true, timeout: "30 seconds" })(name, (it) => {
    it.effect("delivers a plain text message", () =>
      Effect.gen(function* () {
        const mailer = yield* Mailer
        const messageId = yield* mailer.send({
          to: "ada@example.com",
          subject: "Welcome to Moim",
          text: "Hello Ada, your group is ready."
        })
        const delivered = yield* findDelivered(messageId)
        assert.deepStrictEqual(delivered.recipients, ["ada@example.com"])
        assert.strictEqual(delivered.mime.headers.get("to"), "ada@example.com")
        assert.strictEqual(delivered.mime.headers.get("from"), "Moim <no-reply@localhost>")
        assert.strictEqual(delivered.mime.headers.get("subject"), "Welcome to Moim")
        assert.strictEqual(bodyOf(leafParts(delivered.mime), "text/plain"), "Hello Ada, your group is ready.")
      })
    )

    it.effect("delivers text and HTML alternatives, a non-ASCII subject and a given sender", () =>
      Effect.gen(function* () {
        const mailer = yield* Mailer
        const messageId = yield* mailer.send({
          to: ["lin@example.com", "nia@example.com"],
          from: "Moim Events <events@moim.test>",
          subject: "Rendez-vous à 19h: café",
          text: "See you tonight.",
          html: "<p>See you <b>tonight</b>.</p>"
        })
        const delivered = yield* findDelivered(messageId)
        assert.deepStrictEqual([...delivered.recipients].sort(), ["lin@example.com", "nia@example.com"])
        assert.strictEqual(delivered.mime.headers.get("from"), "Moim Events <events@moim.test>")
        assert.strictEqual(delivered.mime.headers.get("subject"), "Rendez-vous à 19h: café")
        assert.isTrue(delivered.mime.headers.get("content-type")?.startsWith("multipart/alternative"))
        const parts = leafParts(delivered.mime)
        assert.strictEqual(bodyOf(parts, "text/plain"), "See you tonight.")
        assert.strictEqual(bodyOf(parts, "text/html"), "<p>See you <b>tonight</b>.</p>")
      })
    )

    it.effect("writes extra headers as given (one-click unsubscribe, RFC 8058)", () =>
      Effect.gen(function* () {
        const mailer = yield* Mailer
        const link = `https://moim.test/api/v1/notifications/email/unsubscribe?token=${"t".repeat(120)}`
        const messageId = yield* mailer.send({
          to: "ben@example.com",
          subject: "Olga invited you",
          text: "Olga invited you to join Hikers.",
          headers: { "List-Unsubscribe": `<${link}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
        })
        const delivered = yield* findDelivered(messageId)
        assert.strictEqual(delivered.mime.headers.get("list-unsubscribe"), `<${link}>`)
        assert.strictEqual(delivered.mime.headers.get("list-unsubscribe-post"), "List-Unsubscribe=One-Click")
      })
    )

    it.effect("refuses a message without recipients, for good", () =>
      Effect.gen(function* () {
        const mailer = yield* Mailer
        const error = yield* Effect.flip(mailer.send({ to: [], subject: "Nobody", text: "Nobody reads this." }))
        assert.strictEqual(error._tag, "MailDeliveryError")
        assert.isFalse(error.retryable)
      })
    )
  })

describe("Mailer", () => {
  mailerContract("outbox adapter", OutboxLive)
  mailerContract("SMTP adapter (smtp-server)", SmtpLive)

  layer(OutboxLive, { excludeTestServices: true })("outbox adapter files", (it) => {
    it.effect("writes an .eml file and logs its path, never the body", () =>
      Effect.gen(function* () {
        const mailer = yield* Mailer
        const logs: Array<{ readonly message: unknown; readonly annotations: Readonly<Record<string, unknown>> }> = []
        const capture = Logger.make((options) => {
          logs.push({
            message: options.message,
            annotations: options.fiber.getRef(References.CurrentLogAnnotations)
          })
        })
        yield* mailer
          .send({ to: "ada@example.com", subject: "Your code", text: "secret-code-271828" })
          .pipe(Effect.provide(Logger.layer([capture])))

        assert.strictEqual(logs.length, 1)
        const path = logs[0]?.annotations.path
        if (typeof path !== "string") return assert.fail("the log line names no path")
        assert.isTrue(path.endsWith(".eml"))
        assert.notInclude(JSON.stringify(logs), "secret-code-271828")
        const raw = yield* Effect.promise(() => readFile(path, "utf8"))
        assert.include(raw, "\r\n\r\nsecret-code-271828")
        assert.strictEqual(parseMime(raw).headers.get("subject"), "Your code")
      })
    )
  })

  layer(SmtpLive, { excludeTestServices: true, timeout: "30 seconds" })("SMTP adapter refusals", (it) => {
    it.effect("a permanent (5xx) refusal is not retryable", () =>
      Effect.gen(function* () {
        const mailer = yield* Mailer
        const error = yield* Effect.flip(mailer.send({ to: permanentlyRejected, subject: "Hi", text: "Hello" }))
        assert.strictEqual(error._tag, "MailDeliveryError")
        assert.strictEqual(error.responseCode, 550)
        assert.isFalse(error.retryable)
      })
    )

    it.effect("a transient (4xx) refusal is retryable", () =>
      Effect.gen(function* () {
        const mailer = yield* Mailer
        const error = yield* Effect.flip(mailer.send({ to: temporarilyRejected, subject: "Hi", text: "Hello" }))
        assert.strictEqual(error._tag, "MailDeliveryError")
        assert.strictEqual(error.responseCode, 451)
        assert.isTrue(error.retryable)
      })
    )
  })

  layer(
    Layer.unwrap(
      Effect.gen(function* () {
        // A port that was just free: connecting to it is refused.
        const port = yield* Effect.callback<number>((resume) => {
          const probe = createServer().listen(0, "127.0.0.1", () => {
            const address = probe.address()
            probe.close(() =>
              resume(
                typeof address === "object" && address !== null
                  ? Effect.succeed(address.port)
                  : Effect.die(new Error("the probe has no TCP address"))
              )
            )
          })
        })
        return Mailer.layerSmtp(Redacted.make(`smtp://127.0.0.1:${port}`))
      })
    ),
    { excludeTestServices: true }
  )("SMTP adapter without a server", (it) => {
    it.effect("an unreachable server is retryable", () =>
      Effect.gen(function* () {
        const mailer = yield* Mailer
        const error = yield* Effect.flip(mailer.send({ to: "ada@example.com", subject: "Hi", text: "Hello" }))
        assert.strictEqual(error._tag, "MailDeliveryError")
        assert.isTrue(error.retryable)
        assert.isUndefined(error.responseCode)
      })
    )
  })
})
