import { createServer } from "node:http"
import { text } from "node:stream/consumers"
import { Context, Effect, Layer } from "effect"
import { listenOnLoopback } from "./LoopbackServer.ts"

/** One message the fake provider accepted: the form fields it was posted with. */
export interface ReceivedSms {
  readonly to: string
  readonly from: string
  readonly body: string
}

export const fakeSmsUser = "AC-test-account"
export const fakeSmsPassword = "test-auth-token-0123456789"

/** Recipients the fake provider refuses: for good (400, as for an invalid number) or for now (503). */
export const refusedNumber = "+15005550001"
export const unavailableNumber = "+15005550002"

/**
 * A Twilio-style messages API on a random loopback port: `POST /Messages.json` with form-encoded
 * `To`, `From` and `Body` and HTTP basic auth; answers 201 with the message's `sid`, 401 for wrong
 * credentials, 400 for a missing field or the refused number, 503 for the unavailable one.
 */
export class FakeSmsProvider extends Context.Service<
  FakeSmsProvider,
  {
    /** `http://127.0.0.1:<port>/Messages.json` */
    readonly url: string
    readonly received: Effect.Effect<ReadonlyArray<ReceivedSms>>
  }
>()("test/support/FakeSmsProvider") {
  static readonly layer = Layer.effect(
    FakeSmsProvider,
    Effect.gen(function* () {
      const received: Array<ReceivedSms> = []
      const expected = `Basic ${Buffer.from(`${fakeSmsUser}:${fakeSmsPassword}`).toString("base64")}`
      const server = createServer((request, response) => {
        const answer = (status: number, body: unknown) => {
          response.writeHead(status, { "content-type": "application/json" })
          response.end(JSON.stringify(body))
        }
        text(request).then(
          (raw) => {
            if (request.method !== "POST" || request.url !== "/Messages.json") {
              return answer(404, { code: 20404, message: "Not found" })
            }
            if (request.headers.authorization !== expected) {
              return answer(401, { code: 20003, message: "Authenticate" })
            }
            if (request.headers["content-type"] !== "application/x-www-form-urlencoded") {
              return answer(400, { code: 21600, message: "Form-encoded body expected" })
            }
            const form = new URLSearchParams(raw)
            const [to, from, body] = [form.get("To"), form.get("From"), form.get("Body")]
            if (to === null || from === null || body === null) {
              return answer(400, { code: 21604, message: "To, From and Body are required" })
            }
            if (to === refusedNumber) return answer(400, { code: 21211, message: `Invalid 'To' Phone Number` })
            if (to === unavailableNumber) return answer(503, { code: 20503, message: "Service unavailable" })
            received.push({ to, from, body })
            answer(201, { sid: `SM${received.length.toString().padStart(32, "0")}`, status: "queued" })
          },
          () => answer(400, { message: "unreadable body" })
        )
      })
      const port = yield* listenOnLoopback(server)
      return FakeSmsProvider.of({
        url: `http://127.0.0.1:${port}/Messages.json`,
        received: Effect.sync(() => [...received])
      })
    })
  )
}
