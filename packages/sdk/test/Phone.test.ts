import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { freshPhone, latestCode } from "../../server/test/support/SmsOutbox.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { memoryTokenStore } from "../src/index.ts"
import { makeClient, serverEnv } from "./support/TestClient.ts"

const env = serverEnv()
const dataDir = env.MOIM_DATA_DIR ?? ""

layer(TestServer.layer(env), { excludeTestServices: true })("phone sign-in with the SDK", (it) => {
  it.effect("signs up with a texted code, keeps the session, and adds no email", () =>
    Effect.gen(function* () {
      const tokens = memoryTokenStore()
      const client = yield* makeClient({ tokens })
      const phoneNumber = freshPhone()
      const sent = yield* Effect.promise(() =>
        client.phone.requestCode({ body: { phoneNumber: phoneNumber.replace(/^\+1/, ""), country: "US" } })
      )
      assert.strictEqual(sent.response?.status, 202, JSON.stringify(sent.error))
      assert.strictEqual(sent.data?.phoneNumber, phoneNumber)
      const code = yield* latestCode(dataDir, phoneNumber)

      const unnamed = yield* Effect.promise(() => client.phone.signIn({ body: { phoneNumber, code } }))
      assert.strictEqual(unnamed.error?._tag, "NicknameRequired")
      const signedUp = yield* Effect.promise(() =>
        client.phone.signIn({ body: { phoneNumber, code, nickname: "Sam", deviceName: "SDK phone" } })
      )
      if (!signedUp.ok || "_tag" in signedUp.data) return assert.fail(JSON.stringify(signedUp.error ?? signedUp.data))
      assert.strictEqual((yield* Effect.promise(async () => tokens.get()))?.accessToken, signedUp.data.accessToken)

      const me = yield* Effect.promise(() => client.me.get())
      assert.isNull(me.data?.email)
      assert.strictEqual(me.data?.phoneNumber, phoneNumber)
      const removed = yield* Effect.promise(() => client.phone.remove())
      assert.strictEqual(removed.error?._tag, "LastSignInMethod")
    })
  )

  it.effect("types the refusals: a wrong code with the tries left, a code asked for too soon", () =>
    Effect.gen(function* () {
      const client = yield* makeClient({ retry: false })
      const phoneNumber = freshPhone()
      yield* Effect.promise(() => client.phone.requestCode({ body: { phoneNumber } }))
      const again = yield* Effect.promise(() => client.phone.requestCode({ body: { phoneNumber } }))
      if (again.error?._tag !== "RateLimited") return assert.fail(JSON.stringify(again.error))
      assert.isAbove(again.error.retryAfterSeconds, 50)

      const code = yield* latestCode(dataDir, phoneNumber)
      const wrong = yield* Effect.promise(() =>
        client.phone.signIn({ body: { phoneNumber, code: code === "000000" ? "000001" : "000000" } })
      )
      if (wrong.error?._tag !== "IncorrectPhoneCode") return assert.fail(JSON.stringify(wrong.error))
      assert.strictEqual(wrong.error.attemptsLeft, 4)

      const invalid = yield* Effect.promise(() => client.phone.requestCode({ body: { phoneNumber: "+1 415 555" } }))
      assert.strictEqual(invalid.error?._tag, "InvalidPhoneNumber")
    })
  )
})
