/** @module-tag no-database */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, layer } from "@effect/vitest"
import { Context, Effect, Layer, Logger, Redacted, References } from "effect"
import { Sms } from "../../src/platform/Sms.ts"
import {
  FakeSmsProvider,
  fakeSmsPassword,
  fakeSmsUser,
  type ReceivedSms,
  refusedNumber,
  unavailableNumber
} from "../support/FakeSmsProvider.ts"
import { freePort } from "../support/FreePort.ts"
import { listenOnLoopback } from "../support/LoopbackServer.ts"

/** The messages the SMS peer (the provider's API or the outbox directory) has received. */
class Delivered extends Context.Service<Delivered, { readonly messages: Effect.Effect<ReadonlyArray<ReceivedSms>> }>()(
  "test/platform/Sms/Delivered"
) {}

const from = "+15005550006"

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "moim-sms-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

/** Reads an outbox file back: the `To:` line, a blank line, the body. */
const parseOutboxFile = (raw: string): ReceivedSms => {
  const [head = "", ...rest] = raw.split("\n\n")
  return { to: head.replace(/^To: /, ""), from: "", body: rest.join("\n\n").replace(/\n$/, "") }
}

const OutboxLive = Layer.unwrap(
  Effect.gen(function* () {
    const directory = join(yield* tempDir, "sms-outbox")
    const messages = Effect.promise(async () => {
      const names = (await readdir(directory)).filter((name) => name.endsWith(".txt")).sort()
      return Promise.all(names.map(async (name) => parseOutboxFile(await readFile(join(directory, name), "utf8"))))
    })
    return Layer.merge(Sms.layerOutbox(directory), Layer.succeed(Delivered, { messages }))
  })
)

const HttpLive = Layer.unwrap(
  Effect.gen(function* () {
    const provider = yield* FakeSmsProvider
    return Layer.merge(
      Sms.layerHttp({ url: provider.url, user: fakeSmsUser, password: Redacted.make(fakeSmsPassword), from }),
      Layer.succeed(Delivered, { messages: provider.received })
    )
  })
).pipe(Layer.provideMerge(FakeSmsProvider.layer))

/** The delivered message to `to` with `body`; fails the test when there is none. */
const findDelivered = (to: string, body: string) =>
  Effect.gen(function* () {
    const messages = yield* Delivered.use((delivered) => delivered.messages)
    const found = messages.find((message) => message.to === to && message.body === body)
    assert.isDefined(found, `no message to ${to} was delivered`)
    return found
  })

const smsContract = (name: string, smsLayer: Layer.Layer<Sms | Delivered>) =>
  layer(smsLayer, { excludeTestServices: true, timeout: "30 seconds" })(name, (it) => {
    it.effect("delivers a message to its recipient, whole", () =>
      Effect.gen(function* () {
        const sms = yield* Sms
        const body = "Your Moim code: 271828\nValid for 10 minutes.\n\n@moim.test #271828"
        yield* sms.send({ to: "+14155552671", body })
        yield* findDelivered("+14155552671", body)
      })
    )

    it.effect("carries non-ASCII text unchanged", () =>
      Effect.gen(function* () {
        const sms = yield* Sms
        yield* sms.send({ to: "+821012345678", body: "모임 인증 코드: 314159 — café & co" })
        yield* findDelivered("+821012345678", "모임 인증 코드: 314159 — café & co")
      })
    )

    it.effect("refuses a recipient that is not E.164, for good, and sends nothing", () =>
      Effect.gen(function* () {
        const sms = yield* Sms
        const before = (yield* Delivered.use((delivered) => delivered.messages)).length
        for (const to of ["4155552671", "+0123456789", "+1 415 555 2671", ""]) {
          const error = yield* Effect.flip(sms.send({ to, body: "Hello" }))
          assert.strictEqual(error._tag, "SmsDeliveryError")
          assert.isFalse(error.retryable, to)
        }
        assert.strictEqual((yield* Delivered.use((delivered) => delivered.messages)).length, before)
      })
    )
  })

describe("Sms", () => {
  smsContract("outbox adapter", OutboxLive)
  smsContract("HTTP adapter (a Twilio-style API on a loopback port)", HttpLive)

  layer(OutboxLive, { excludeTestServices: true })("outbox adapter files", (it) => {
    it.effect("writes a .txt file and logs its path, never the body", () =>
      Effect.gen(function* () {
        const sms = yield* Sms
        const logs: Array<{ readonly message: unknown; readonly annotations: Readonly<Record<string, unknown>> }> = []
        const capture = Logger.make((options) => {
          logs.push({ message: options.message, annotations: options.fiber.getRef(References.CurrentLogAnnotations) })
        })
        yield* sms
          .send({ to: "+14155552671", body: "Your Moim code: 161803" })
          .pipe(Effect.provide(Logger.layer([capture])))

        assert.strictEqual(logs.length, 1)
        const path = logs[0]?.annotations.path
        if (typeof path !== "string") return assert.fail("the log line names no path")
        assert.isTrue(path.endsWith(".txt"))
        assert.notInclude(JSON.stringify(logs), "161803")
        assert.strictEqual(
          yield* Effect.promise(() => readFile(path, "utf8")),
          "To: +14155552671\n\nYour Moim code: 161803\n"
        )
      })
    )
  })

  layer(HttpLive, { excludeTestServices: true, timeout: "30 seconds" })("HTTP adapter", (it) => {
    it.effect("posts the form fields with basic auth and the configured sender", () =>
      Effect.gen(function* () {
        const sms = yield* Sms
        assert.strictEqual(sms.kind, "http")
        yield* sms.send({ to: "+447911123456", body: "Hi from the HTTP adapter" })
        const delivered = yield* findDelivered("+447911123456", "Hi from the HTTP adapter")
        assert.strictEqual(delivered.from, from)
      })
    )

    it.effect("a 4xx refusal is permanent, and names the status", () =>
      Effect.gen(function* () {
        const sms = yield* Sms
        const error = yield* Effect.flip(sms.send({ to: refusedNumber, body: "Hi" }))
        assert.strictEqual(error.status, 400)
        assert.isFalse(error.retryable)
        assert.include(error.message, "Invalid 'To' Phone Number")
      })
    )

    it.effect("a 5xx answer is retryable", () =>
      Effect.gen(function* () {
        const sms = yield* Sms
        const error = yield* Effect.flip(sms.send({ to: unavailableNumber, body: "Hi" }))
        assert.strictEqual(error.status, 503)
        assert.isTrue(error.retryable)
      })
    )

    it.effect("wrong credentials are refused for good, and the password is never in the error", () =>
      Effect.gen(function* () {
        const provider = yield* FakeSmsProvider
        const wrong = "not-the-token-9876543210"
        const error = yield* Effect.flip(
          Effect.flatMap(Sms, (sms) => sms.send({ to: "+14155552671", body: "Hi" })).pipe(
            Effect.provide(
              Sms.layerHttp({ url: provider.url, user: fakeSmsUser, password: Redacted.make(wrong), from })
            )
          )
        )
        assert.strictEqual(error.status, 401)
        assert.isFalse(error.retryable)
        assert.notInclude(JSON.stringify(error), wrong)
      })
    )
  })

  layer(
    Layer.unwrap(
      Effect.gen(function* () {
        // A port that was just free: connecting to it is refused.
        const port = yield* Effect.promise(freePort)
        return Sms.layerHttp({
          url: `http://127.0.0.1:${port}/Messages.json`,
          user: fakeSmsUser,
          password: Redacted.make(fakeSmsPassword),
          from
        })
      })
    ),
    { excludeTestServices: true }
  )("HTTP adapter without a provider", (it) => {
    it.effect("an unreachable provider is retryable", () =>
      Effect.gen(function* () {
        const sms = yield* Sms
        const error = yield* Effect.flip(sms.send({ to: "+14155552671", body: "Hi" }))
        assert.isTrue(error.retryable)
        assert.isUndefined(error.status)
      })
    )
  })

  layer(
    Layer.unwrap(
      Effect.gen(function* () {
        // A provider that takes the connection and never answers.
        const port = yield* listenOnLoopback(createServer(() => undefined))
        return Sms.layerHttp({
          url: `http://127.0.0.1:${port}/Messages.json`,
          user: fakeSmsUser,
          password: Redacted.make(fakeSmsPassword),
          from,
          timeout: "200 millis"
        })
      })
    ),
    { excludeTestServices: true }
  )("HTTP adapter with a provider that does not answer", (it) => {
    it.effect("gives up after the timeout, retryably", () =>
      Effect.gen(function* () {
        const sms = yield* Sms
        const error = yield* Effect.flip(sms.send({ to: "+14155552671", body: "Hi" }))
        assert.isTrue(error.retryable)
        assert.include(error.message, "did not answer")
      })
    )
  })
})
