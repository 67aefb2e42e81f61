import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Totp } from "../src/Accounts/Totp.ts"
import { password, signUp } from "./support/Actors.ts"
import { eventually } from "./support/Eventually.ts"
import { call, freshEmail, freshIp, type JsonResponse } from "./support/Http.ts"
import * as TestServer from "./support/TestServer.ts"

// A window long enough that the requests a test counts cannot straddle two windows.
const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_WINDOW: "1 minute", RATE_LIMIT_USER: "8" })
// One login a second per address, so the window passes quickly.
const resetEnv = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_WINDOW: "1 second", RATE_LIMIT_AUTH: "1" })

const attempt = (email: string, ip: string) =>
  call("POST", "/api/v1/auth/login", { ip, body: { email, password: "wrong password!" } })

layer(TestServer.layer(env), { excludeTestServices: true })("Account rate limits", (it) => {
  it.effect("five logins a window per address; the sixth gets 429 with Retry-After", () =>
    Effect.gen(function* () {
      const ip = freshIp()
      for (let i = 0; i < 5; i++) {
        const response = yield* attempt(freshEmail(), ip)
        assert.strictEqual(response.status, 401)
        assert.strictEqual(response.headers.get("ratelimit-limit"), "5")
      }
      const limited = yield* attempt(freshEmail(), ip)
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.body._tag, "RateLimited")
      const retryAfter = Number(limited.headers.get("retry-after"))
      assert.isTrue(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)
      assert.strictEqual(limited.body.retryAfterSeconds, retryAfter)
      assert.strictEqual(limited.headers.get("ratelimit-remaining"), "0")

      assert.strictEqual((yield* attempt(freshEmail(), freshIp())).status, 401, "another address is not limited")
    })
  )

  it.effect("five logins a window per email address, whatever the address they come from", () =>
    Effect.gen(function* () {
      const email = freshEmail()
      for (let i = 0; i < 5; i++) assert.strictEqual((yield* attempt(email, freshIp())).status, 401)
      assert.strictEqual((yield* attempt(email, freshIp())).status, 429)
      assert.strictEqual((yield* attempt(email.toUpperCase(), freshIp())).status, 429, "emails are normalised first")
    })
  )

  it.effect("second-factor codes: five a window per account, across challenges and addresses", () =>
    Effect.gen(function* () {
      const user = yield* signUp("Guarded")
      const started = yield* call("POST", "/api/v1/me/two-factor", { token: user.token })
      const secret = Totp.fromBase32(String(started.body.secret))
      // Confirming is the account's first code of the window.
      const confirmed = yield* call("POST", "/api/v1/me/two-factor/confirm", {
        token: user.token,
        body: { code: Totp.code(secret, Totp.stepAt(Date.now())) }
      })
      assert.strictEqual(confirmed.status, 200, confirmed.text)
      const challenge = () =>
        Effect.map(
          call("POST", "/api/v1/auth/login", { ip: freshIp(), body: { email: user.email, password } }),
          (response) => String(response.body.challenge)
        )
      const tryCode = (value: string) =>
        call("POST", "/api/v1/auth/login/second-factor", {
          ip: freshIp(),
          body: { challenge: value, code: "000000" }
        }).pipe(Effect.map((response) => response.status))
      const first = yield* challenge()
      const statuses: Array<number> = []
      for (let i = 0; i < 5; i++) statuses.push(yield* tryCode(first))
      assert.deepStrictEqual(statuses, [400, 400, 400, 400, 429])
      assert.strictEqual(yield* tryCode(yield* challenge()), 429, "a new challenge does not reset the account's limit")
    })
  )

  it.effect("signup and password reset are limited the same way", () =>
    Effect.gen(function* () {
      const ip = freshIp()
      const statuses: Array<number> = []
      for (let i = 0; i < 6; i++) {
        const response = yield* call("POST", "/api/v1/auth/password-reset", { ip, body: { email: freshEmail() } })
        statuses.push(response.status)
      }
      assert.deepStrictEqual(statuses, [202, 202, 202, 202, 202, 429])
      const signupIp = freshIp()
      const signups: Array<number> = []
      for (let i = 0; i < 6; i++) {
        const response = yield* call("POST", "/api/v1/auth/signup", {
          ip: signupIp,
          body: { email: freshEmail(), password: "correct horse battery", nickname: "Rate" }
        })
        signups.push(response.status)
      }
      assert.deepStrictEqual(signups, [201, 201, 201, 201, 201, 429])
    })
  )

  it.effect("signed-in requests are limited per user", () =>
    Effect.gen(function* () {
      const signedUp = yield* call("POST", "/api/v1/auth/signup", {
        ip: freshIp(),
        body: { email: freshEmail(), password: "correct horse battery", nickname: "Busy" }
      })
      const token = String(signedUp.body.accessToken)
      const statuses: Array<number> = []
      for (let i = 0; i < 9; i++) statuses.push((yield* call("GET", "/api/v1/me", { token, ip: freshIp() })).status)
      assert.deepStrictEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 429])
    })
  )
})

layer(TestServer.layer(resetEnv), { excludeTestServices: true })("Account rate limit windows", (it) => {
  it.effect("a refused address may log in again once the window has passed", () =>
    Effect.gen(function* () {
      const ip = freshIp()
      // Under load two attempts can fall in different windows: try until one is refused.
      let limited: JsonResponse | undefined
      for (let i = 0; i < 10 && limited === undefined; i++) {
        const response = yield* attempt(freshEmail(), ip)
        if (response.status === 429) limited = response
        else assert.strictEqual(response.status, 401)
      }
      assert.isDefined(limited, "an attempt is refused")
      assert.strictEqual(limited?.headers.get("retry-after"), "1", "Retry-After is at most the 1 second window")
      assert.strictEqual(limited?.body.retryAfterSeconds, 1)

      const after = yield* eventually(
        // A fresh email address each time, so only the address's limit can refuse it.
        Effect.suspend(() => attempt(freshEmail(), ip)).pipe(
          Effect.filterOrFail(
            (response) => response.status !== 429,
            () => new Error("the address is still limited")
          )
        ),
        { timeout: "10 seconds", interval: "50 millis" }
      )
      assert.strictEqual(after.status, 401, "the window has reset")
    })
  )
})
