import { assert, layer } from "@effect/vitest"
import { Effect, Option, Ref } from "effect"
import { freshEmail } from "./support/Http.ts"
import { rpcProtocols, withRpcClient } from "./support/RpcTestClient.ts"
import { expectSession } from "./support/SignIn.ts"
import { freshPhone, latestCode } from "./support/SmsOutbox.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ RATE_LIMIT_AUTH: "1000" })
const dataDir = env.MOIM_DATA_DIR ?? ""
const password = "correct horse battery"

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "60 seconds" })("Phone sign-in over RPC", (it) => {
  for (const protocol of rpcProtocols) {
    it.effect(`signs up and in with texted codes over ${protocol}`, () => {
      const token = Ref.makeUnsafe(Option.none<string>())
      return withRpcClient(protocol, Ref.get(token), (client) =>
        Effect.gen(function* () {
          const phoneNumber = freshPhone()
          const sent = yield* client.RequestPhoneCode({ phoneNumber })
          assert.strictEqual(sent.phoneNumber, phoneNumber)
          const code = yield* latestCode(dataDir, phoneNumber)

          const unnamed = yield* Effect.flip(client.PhoneSignIn({ phoneNumber, code }))
          assert.strictEqual(unnamed._tag, "NicknameRequired")
          const signedUp = expectSession(yield* client.PhoneSignIn({ phoneNumber, code, nickname: "Rupa" }))
          assert.isNull(signedUp.user.email)
          assert.strictEqual(signedUp.user.phoneNumber, phoneNumber)

          const other = freshPhone()
          yield* client.RequestPhoneCode({ phoneNumber: other })
          const tooSoon = yield* Effect.flip(client.RequestPhoneCode({ phoneNumber: other }))
          assert.strictEqual(tooSoon._tag, "RateLimited")

          const invalid = yield* Effect.flip(client.RequestPhoneCode({ phoneNumber: "+1 415 555" }))
          assert.strictEqual(invalid._tag, "InvalidPhoneNumber")

          yield* Ref.set(token, Option.some(signedUp.accessToken))
          const me = yield* client.GetMe()
          assert.strictEqual(me.phoneNumber, phoneNumber)
          const kept = yield* Effect.flip(client.RemovePhoneNumber())
          assert.strictEqual(kept._tag, "LastSignInMethod")
        })
      )
    })

    it.effect(`adds, verifies and removes a number over ${protocol}`, () => {
      const token = Ref.makeUnsafe(Option.none<string>())
      return withRpcClient(protocol, Ref.get(token), (client) =>
        Effect.gen(function* () {
          const signedUp = yield* client.Signup({ email: freshEmail(), password, nickname: "Imani" })
          yield* Ref.set(token, Option.some(signedUp.accessToken))
          assert.isNull(signedUp.user.phoneNumber)

          const phoneNumber = freshPhone()
          const national = phoneNumber.replace(/^\+1/, "")
          const sent = yield* client.AddPhoneNumber({ phoneNumber: national, country: "US" })
          assert.strictEqual(sent.phoneNumber, phoneNumber)
          const code = yield* latestCode(dataDir, phoneNumber)
          const wrong = yield* Effect.flip(client.VerifyPhoneNumber({ code: code === "111111" ? "111112" : "111111" }))
          assert.strictEqual(wrong._tag, "IncorrectPhoneCode")
          const verified = yield* client.VerifyPhoneNumber({ code })
          assert.strictEqual(verified.phoneNumber, phoneNumber)
          assert.isNotNull(verified.phoneVerifiedAt)

          yield* client.RemovePhoneNumber()
          assert.isNull((yield* client.GetMe()).phoneNumber)
          const gone = yield* Effect.flip(client.RemovePhoneNumber())
          assert.strictEqual(gone._tag, "PhoneNumberNotFound")

          yield* Ref.set(token, Option.none())
          const anonymous = yield* Effect.flip(client.AddPhoneNumber({ phoneNumber }))
          assert.strictEqual(anonymous._tag, "Unauthorized")
        })
      )
    })
  }
})
