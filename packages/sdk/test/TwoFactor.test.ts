import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Totp } from "../../server/src/Accounts/Totp.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { memoryTokenStore } from "../src/index.ts"
import { freshEmail, makeClient, password, serverEnv } from "./support/TestClient.ts"

/** What an authenticator app shows for `secret`, `steps` windows from now. */
const appCode = (secret: string, steps = 0) => Totp.code(Totp.fromBase32(secret), Totp.stepAt(Date.now()) + steps)

layer(TestServer.layer(serverEnv({ RATE_LIMIT_AUTH: "1000" })), { excludeTestServices: true })(
  "two-factor sign-in with the SDK",
  (it) => {
    it.effect("turns it on; sign-in answers a challenge and keeps no tokens until a code finishes it", () =>
      Effect.gen(function* () {
        const email = freshEmail()
        const setup = yield* makeClient()
        const signedUp = yield* Effect.promise(() => setup.auth.signup({ body: { email, password, nickname: "Ada" } }))
        assert.isTrue(signedUp.ok, JSON.stringify(signedUp.error))
        const started = yield* Effect.promise(() => setup.twoFactor.start())
        if (!started.ok) return assert.fail(JSON.stringify(started.error))
        assert.match(started.data.otpauthUri, /^otpauth:\/\/totp\//)
        const confirmed = yield* Effect.promise(() =>
          setup.twoFactor.confirm({ body: { code: appCode(started.data.secret) } })
        )
        if (!confirmed.ok) return assert.fail(JSON.stringify(confirmed.error))
        assert.strictEqual(confirmed.data.codes.length, 10)

        const tokens = memoryTokenStore()
        const client = yield* makeClient({ tokens })
        const login = yield* Effect.promise(() => client.auth.login({ body: { email, password, deviceName: "SDK" } }))
        if (!login.ok) return assert.fail(JSON.stringify(login.error))
        if (!("_tag" in login.data)) return assert.fail("expected a second-factor challenge")
        assert.strictEqual(login.data._tag, "SecondFactorRequired")
        const { challenge } = login.data
        assert.isUndefined(yield* Effect.promise(async () => tokens.get()))
        const anonymous = yield* Effect.promise(() => client.me.get())
        assert.strictEqual(anonymous.error?._tag, "Unauthorized")

        const wrong = yield* Effect.promise(() =>
          client.auth.loginSecondFactor({ body: { challenge, code: "000000" } })
        )
        if (wrong.error?._tag !== "IncorrectSecondFactorCode") return assert.fail(JSON.stringify(wrong.error))
        assert.strictEqual(wrong.error.attemptsLeft, 4)

        const finished = yield* Effect.promise(() =>
          client.auth.loginSecondFactor({
            body: { challenge, code: appCode(started.data.secret, 1) }
          })
        )
        if (!finished.ok) return assert.fail(JSON.stringify(finished.error))
        assert.strictEqual((yield* Effect.promise(async () => tokens.get()))?.accessToken, finished.data.accessToken)
        const me = yield* Effect.promise(() => client.me.get())
        assert.strictEqual(me.data?.email, email)
        const status = yield* Effect.promise(() => client.twoFactor.get())
        assert.strictEqual(status.data?.enabled, true)
      })
    )
  }
)
