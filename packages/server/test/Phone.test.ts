import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { PhoneDirectory } from "../src/Accounts/PhoneDirectory.ts"
import { signUp } from "./support/Actors.ts"
import { FakeSmsProvider, fakeSmsPassword, fakeSmsUser, unavailableNumber } from "./support/FakeSmsProvider.ts"
import { call, freshIp, type JsonResponse } from "./support/Http.ts"
import { codeIn, freshPhone, latestCode, textsTo } from "./support/SmsOutbox.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_AUTH: "1000" })
const dataDir = env.MOIM_DATA_DIR ?? ""

const expectError = (response: JsonResponse, status: number, tag: string) => {
  assert.strictEqual(response.status, status, JSON.stringify(response.body))
  assert.strictEqual(response.body._tag, tag, JSON.stringify(response.body))
  assert.isString(response.body.message)
}

const requestCode = (phoneNumber: string, options: { readonly country?: string; readonly ip?: string } = {}) =>
  call("POST", "/api/v1/auth/phone/code", {
    ip: options.ip ?? freshIp(),
    body: { phoneNumber, ...(options.country === undefined ? {} : { country: options.country }) }
  })

const phoneSignIn = (body: Record<string, unknown>) =>
  call("POST", "/api/v1/auth/phone/sign-in", { ip: freshIp(), body })

/** A new account made with a fresh number over REST: its number, id and access token. */
const phoneSignUp = (nickname = "Phoebe") =>
  Effect.gen(function* () {
    const phoneNumber = freshPhone()
    assert.strictEqual((yield* requestCode(phoneNumber)).status, 202)
    const code = yield* latestCode(dataDir, phoneNumber)
    const response = yield* phoneSignIn({ phoneNumber, code, nickname })
    assert.strictEqual(response.status, 200, JSON.stringify(response.body))
    const user = response.body.user as { readonly id: string }
    return { phoneNumber, userId: user.id, token: String(response.body.accessToken) }
  })

/** Adds and verifies `phoneNumber` for the signed-in `token`; answers the verification's response. */
const addNumber = (token: string, phoneNumber: string) =>
  Effect.gen(function* () {
    const added = yield* call("POST", "/api/v1/me/phone-number", { token, body: { phoneNumber } })
    assert.strictEqual(added.status, 202, JSON.stringify(added.body))
    const code = yield* latestCode(dataDir, phoneNumber)
    return yield* call("POST", "/api/v1/me/phone-number/verify", { token, body: { code } })
  })

const near = (iso: unknown, expectedMillis: number) => {
  const at = Date.parse(String(iso))
  assert.isTrue(
    Math.abs(at - expectedMillis) < 15_000,
    `${String(iso)} is not near ${new Date(expectedMillis).toISOString()}`
  )
}

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "60 seconds" })("Phone sign-in over REST", (it) => {
  it.effect("signs up with a texted code: a nickname is asked for, then the account holds the number", () =>
    Effect.gen(function* () {
      const phoneNumber = freshPhone()
      const sent = yield* requestCode(phoneNumber.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, "+1 ($1) $2-$3"))
      assert.strictEqual(sent.status, 202, JSON.stringify(sent.body))
      assert.strictEqual(sent.body.phoneNumber, phoneNumber)
      near(sent.body.expiresAt, Date.now() + 10 * 60_000)
      near(sent.body.resendAfter, Date.now() + 60_000)
      const code = yield* latestCode(dataDir, phoneNumber)

      expectError(yield* phoneSignIn({ phoneNumber, code }), 400, "NicknameRequired")
      const signedUp = yield* phoneSignIn({ phoneNumber, code: ` ${code} `, nickname: "Phoebe", deviceName: "Phone" })
      assert.strictEqual(signedUp.status, 200, JSON.stringify(signedUp.body))
      const user = signedUp.body.user as Record<string, unknown>
      assert.isNull(user.email)
      assert.isNull(user.emailVerifiedAt)
      assert.strictEqual(user.phoneNumber, phoneNumber)
      near(user.phoneVerifiedAt, Date.now())
      assert.strictEqual(user.nickname, "Phoebe")
      const token = String(signedUp.body.accessToken)
      assert.isString(signedUp.body.refreshToken)

      const me = yield* call("GET", "/api/v1/me", { token })
      assert.strictEqual(me.body.phoneNumber, phoneNumber)
      const sessions = yield* call("GET", "/api/v1/me/sessions", { token })
      assert.deepInclude((sessions.json as ReadonlyArray<Record<string, unknown>>)[0], { deviceName: "Phone" })

      // Nobody else sees the number.
      const profile = yield* call("GET", `/api/v1/users/${String(user.id)}`)
      assert.strictEqual(profile.status, 200)
      assert.notInclude(profile.text, phoneNumber.slice(2))
      assert.notProperty(profile.body, "phoneNumber")

      // The code was used up.
      expectError(yield* phoneSignIn({ phoneNumber, code, nickname: "Again" }), 400, "PhoneCodeExpired")
    })
  )

  it.effect("signs in to the same account later, and refreshes like any session", () =>
    Effect.gen(function* () {
      const account = yield* phoneSignUp()
      assert.strictEqual((yield* requestCode(account.phoneNumber)).status, 202)
      const code = yield* latestCode(dataDir, account.phoneNumber)
      // A nickname sent for an existing account is ignored.
      const signedIn = yield* phoneSignIn({ phoneNumber: account.phoneNumber, code, nickname: "Someone else" })
      assert.strictEqual(signedIn.status, 200, JSON.stringify(signedIn.body))
      const user = signedIn.body.user as Record<string, unknown>
      assert.strictEqual(user.id, account.userId)
      assert.strictEqual(user.nickname, "Phoebe")
      const refreshed = yield* call("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: String(signedIn.body.refreshToken) }
      })
      assert.strictEqual(refreshed.status, 200)
      assert.strictEqual((refreshed.body.user as Record<string, unknown>).phoneNumber, account.phoneNumber)
    })
  )

  it.effect("takes national numbers with their country, and answers InvalidPhoneNumber for the rest", () =>
    Effect.gen(function* () {
      const phoneNumber = freshPhone()
      const national = phoneNumber.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, "($1) $2-$3")
      const sent = yield* requestCode(national, { country: "US" })
      assert.strictEqual(sent.status, 202, JSON.stringify(sent.body))
      assert.strictEqual(sent.body.phoneNumber, phoneNumber)

      for (const [number, country] of [
        [national, undefined],
        ["+1 415 555", undefined],
        ["+999 1234567", undefined],
        ["12345", "US"],
        [national, "XX"]
      ] as const) {
        expectError(yield* requestCode(number, country === undefined ? {} : { country }), 400, "InvalidPhoneNumber")
      }
      expectError(yield* requestCode("call me maybe"), 400, "InvalidRequest")
      expectError(yield* requestCode(phoneNumber, { country: "us" }), 400, "InvalidRequest")
      expectError(yield* phoneSignIn({ phoneNumber, code: "12345" }), 400, "InvalidRequest")
      expectError(yield* phoneSignIn({ phoneNumber: "+1 415 555", code: "123456" }), 400, "InvalidPhoneNumber")
    })
  )

  it.effect("answers the same whether or not the number has an account", () =>
    Effect.gen(function* () {
      const account = yield* phoneSignUp()
      const known = yield* requestCode(account.phoneNumber)
      const unknown = yield* requestCode(freshPhone())
      assert.strictEqual(known.status, unknown.status)
      assert.deepStrictEqual(Object.keys(known.body).sort(), Object.keys(unknown.body).sort())
    })
  )

  it.effect("a wrong code uses up a try; after five the code is dead, even for the right code", () =>
    Effect.gen(function* () {
      const phoneNumber = freshPhone()
      yield* requestCode(phoneNumber)
      const code = yield* latestCode(dataDir, phoneNumber)
      const wrong = code === "000000" ? "000001" : "000000"
      for (const left of [4, 3, 2, 1, 0]) {
        const response = yield* phoneSignIn({ phoneNumber, code: wrong, nickname: "Guesser" })
        expectError(response, 400, "IncorrectPhoneCode")
        assert.strictEqual(response.body.attemptsLeft, left)
      }
      expectError(yield* phoneSignIn({ phoneNumber, code, nickname: "Guesser" }), 400, "PhoneCodeExpired")
      // A number that was never texted has no code either.
      expectError(yield* phoneSignIn({ phoneNumber: freshPhone(), code }), 400, "PhoneCodeExpired")
    })
  )

  it.effect("asking again within a minute is RateLimited with Retry-After, and texts nothing", () =>
    Effect.gen(function* () {
      const phoneNumber = freshPhone()
      assert.strictEqual((yield* requestCode(phoneNumber)).status, 202)
      const again = yield* requestCode(phoneNumber)
      expectError(again, 429, "RateLimited")
      const retryAfter = Number(again.headers.get("retry-after"))
      assert.isTrue(retryAfter > 50 && retryAfter <= 60, String(retryAfter))
      assert.strictEqual(again.body.retryAfterSeconds, retryAfter)
      assert.isNotNull(again.headers.get("ratelimit-limit"))
      assert.strictEqual(yield* textsTo(dataDir, phoneNumber), 1)
      // The first code still works.
      const code = yield* latestCode(dataDir, phoneNumber)
      assert.strictEqual((yield* phoneSignIn({ phoneNumber, code, nickname: "Patient" })).status, 200)
    })
  )

  it.effect("a suspended account cannot sign in by phone", () =>
    Effect.gen(function* () {
      const account = yield* phoneSignUp()
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE users SET status = 'suspended', suspended_at = now() WHERE id = ${account.userId}`.pipe(
        Effect.orDie
      )
      yield* requestCode(account.phoneNumber)
      const code = yield* latestCode(dataDir, account.phoneNumber)
      expectError(yield* phoneSignIn({ phoneNumber: account.phoneNumber, code }), 403, "AccountSuspended")
    })
  )

  it.effect("stores codes only as hashes, and numbers with their keyed contact hash", () =>
    Effect.gen(function* () {
      const account = yield* phoneSignUp()
      yield* requestCode(account.phoneNumber)
      const code = yield* latestCode(dataDir, account.phoneNumber)
      const sql = yield* SqlClient.SqlClient
      const pending = yield* sql<{ codeHash: string }>`
        SELECT code_hash FROM phone_codes WHERE e164 = ${account.phoneNumber}`.pipe(Effect.orDie)
      assert.strictEqual(pending.length, 1)
      assert.match(pending[0]?.codeHash ?? "", /^[0-9a-f]{64}$/)
      assert.notInclude(JSON.stringify(pending), code)

      const directory = yield* PhoneDirectory
      const hash = directory.hash(account.phoneNumber)
      assert.match(hash, /^[0-9a-f]{64}$/)
      const found = yield* directory.findByHashes([hash, directory.hash(freshPhone()), hash])
      assert.deepStrictEqual(
        found.map((match) => ({ userId: String(match.userId), hash: match.hash })),
        [{ userId: account.userId, hash }]
      )
    })
  )
})

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "60 seconds" })(
  "Your phone number over REST",
  (it) => {
    it.effect("add, verify and remove a number on an email account; the number then signs in", () =>
      Effect.gen(function* () {
        const user = yield* signUp("Adder")
        const phoneNumber = freshPhone()
        const added = yield* call("POST", "/api/v1/me/phone-number", { token: user.token, body: { phoneNumber } })
        assert.strictEqual(added.status, 202, JSON.stringify(added.body))
        assert.strictEqual(added.body.phoneNumber, phoneNumber)
        const code = yield* latestCode(dataDir, phoneNumber)
        const wrong = code === "999999" ? "999998" : "999999"
        const refused = yield* call("POST", "/api/v1/me/phone-number/verify", {
          token: user.token,
          body: { code: wrong }
        })
        expectError(refused, 400, "IncorrectPhoneCode")
        assert.strictEqual(refused.body.attemptsLeft, 4)
        assert.isNull((yield* call("GET", "/api/v1/me", { token: user.token })).body.phoneNumber)

        const verified = yield* call("POST", "/api/v1/me/phone-number/verify", { token: user.token, body: { code } })
        assert.strictEqual(verified.status, 200, JSON.stringify(verified.body))
        assert.strictEqual(verified.body.phoneNumber, phoneNumber)
        assert.strictEqual(verified.body.email, user.email)
        assert.strictEqual((yield* call("GET", "/api/v1/me", { token: user.token })).body.phoneNumber, phoneNumber)

        yield* requestCode(phoneNumber)
        const signInCode = yield* latestCode(dataDir, phoneNumber)
        const signedIn = yield* phoneSignIn({ phoneNumber, code: signInCode })
        assert.strictEqual((signedIn.body.user as Record<string, unknown>).id, user.userId)

        assert.strictEqual((yield* call("DELETE", "/api/v1/me/phone-number", { token: user.token })).status, 204)
        assert.isNull((yield* call("GET", "/api/v1/me", { token: user.token })).body.phoneNumber)
        expectError(yield* call("DELETE", "/api/v1/me/phone-number", { token: user.token }), 404, "PhoneNumberNotFound")
        // Without the number, signing in with it makes a new account.
        yield* requestCode(phoneNumber)
        const again = yield* latestCode(dataDir, phoneNumber)
        expectError(yield* phoneSignIn({ phoneNumber, code: again }), 400, "NicknameRequired")
      })
    )

    it.effect("a verified number replaces the one you had", () =>
      Effect.gen(function* () {
        const user = yield* signUp("Switcher")
        const first = freshPhone()
        const second = freshPhone()
        assert.strictEqual((yield* addNumber(user.token, first)).status, 200)
        const switched = yield* addNumber(user.token, second)
        assert.strictEqual(switched.body.phoneNumber, second)
        yield* requestCode(first)
        const code = yield* latestCode(dataDir, first)
        expectError(yield* phoneSignIn({ phoneNumber: first, code }), 400, "NicknameRequired")
      })
    )

    it.effect("a number another account verified cannot be yours too", () =>
      Effect.gen(function* () {
        const holder = yield* phoneSignUp()
        const other = yield* signUp("Other")
        expectError(yield* addNumber(other.token, holder.phoneNumber), 409, "PhoneNumberTaken")
        assert.isNull((yield* call("GET", "/api/v1/me", { token: other.token })).body.phoneNumber)
      })
    )

    it.effect("an account made with a phone keeps its number: it is its only way to sign in", () =>
      Effect.gen(function* () {
        const account = yield* phoneSignUp()
        expectError(yield* call("DELETE", "/api/v1/me/phone-number", { token: account.token }), 409, "LastSignInMethod")
        assert.strictEqual(
          (yield* call("GET", "/api/v1/me", { token: account.token })).body.phoneNumber,
          account.phoneNumber
        )
      })
    )

    it.effect("verifying without a code sent, or with a dead one, is PhoneCodeExpired", () =>
      Effect.gen(function* () {
        const user = yield* signUp("Early")
        expectError(
          yield* call("POST", "/api/v1/me/phone-number/verify", { token: user.token, body: { code: "123456" } }),
          400,
          "PhoneCodeExpired"
        )
      })
    )

    it.effect("deleting the account erases its number, which can then sign up again", () =>
      Effect.gen(function* () {
        const account = yield* phoneSignUp()
        assert.strictEqual((yield* call("DELETE", "/api/v1/me", { token: account.token })).status, 204)
        yield* requestCode(account.phoneNumber)
        const code = yield* latestCode(dataDir, account.phoneNumber)
        const fresh = yield* phoneSignIn({ phoneNumber: account.phoneNumber, code, nickname: "Newcomer" })
        assert.strictEqual(fresh.status, 200, JSON.stringify(fresh.body))
        assert.notStrictEqual((fresh.body.user as Record<string, unknown>).id, account.userId)
      })
    )
  }
)

layer(TestServer.layer(TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_AUTH: "3" })), {
  excludeTestServices: true,
  timeout: "60 seconds"
})("Phone rate limits", (it) => {
  it.effect("texting codes is limited per client address", () =>
    Effect.gen(function* () {
      const ip = freshIp()
      for (let i = 0; i < 3; i++) assert.strictEqual((yield* requestCode(freshPhone(), { ip })).status, 202)
      const limited = yield* requestCode(freshPhone(), { ip })
      expectError(limited, 429, "RateLimited")
      assert.isNotNull(limited.headers.get("retry-after"))
      // Invalid numbers count against the address too.
      const other = freshIp()
      for (let i = 0; i < 3; i++)
        expectError(yield* requestCode("+1 415 555", { ip: other }), 400, "InvalidPhoneNumber")
      expectError(yield* requestCode(freshPhone(), { ip: other }), 429, "RateLimited")
    })
  )

  it.effect("signing in is limited per number, from any address", () =>
    Effect.gen(function* () {
      const phoneNumber = freshPhone()
      for (let i = 0; i < 3; i++) {
        expectError(yield* phoneSignIn({ phoneNumber, code: "123456" }), 400, "PhoneCodeExpired")
      }
      expectError(yield* phoneSignIn({ phoneNumber, code: "123456" }), 429, "RateLimited")
    })
  )
})

/** A server that texts through a provider's API: the fake one on a loopback port. */
const withProvider = Layer.unwrap(
  Effect.map(FakeSmsProvider, (provider) =>
    TestServer.layer(
      TestServer.testEnv({
        TRUST_PROXY: "true",
        RATE_LIMIT_AUTH: "1000",
        SMS_API_URL: provider.url,
        SMS_API_USER: fakeSmsUser,
        SMS_API_PASSWORD: fakeSmsPassword,
        SMS_FROM: "Moim"
      })
    )
  )
).pipe(Layer.provideMerge(FakeSmsProvider.layer))

layer(withProvider, { excludeTestServices: true, timeout: "60 seconds" })(
  "Phone sign-in through an SMS provider",
  (it) => {
    it.effect("the code goes to the provider's API, and signs in", () =>
      Effect.gen(function* () {
        const provider = yield* FakeSmsProvider
        const phoneNumber = freshPhone()
        assert.strictEqual((yield* requestCode(phoneNumber)).status, 202)
        const message = (yield* provider.received).find((received) => received.to === phoneNumber)
        assert.isDefined(message)
        assert.strictEqual(message.from, "Moim")
        const code = codeIn(message.body)
        assert.isDefined(code)
        // WebOTP's origin-bound last line.
        assert.isTrue(message.body.endsWith(`#${code}`), message.body)
        const signedIn = yield* phoneSignIn({ phoneNumber, code, nickname: "Texted" })
        assert.strictEqual(signedIn.status, 200, JSON.stringify(signedIn.body))
      })
    )

    it.effect("a provider failure is SmsNotSent, holds nothing back, and asking again texts at once", () =>
      Effect.gen(function* () {
        const failed = yield* requestCode(unavailableNumber)
        expectError(failed, 503, "SmsNotSent")
        expectError(yield* requestCode(unavailableNumber), 503, "SmsNotSent")
        const sql = yield* SqlClient.SqlClient
        const pending = yield* sql`SELECT 1 FROM phone_codes WHERE e164 = ${unavailableNumber}`.pipe(Effect.orDie)
        assert.strictEqual(pending.length, 0)
      })
    )
  }
)
