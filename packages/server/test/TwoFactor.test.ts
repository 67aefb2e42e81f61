import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { SqlClient } from "effect/sql"
import { Totp } from "../src/Accounts/Totp.ts"
import { password, signUp, siteAdmin, type TestUser } from "./support/Actors.ts"
import { call, freshIp, type JsonResponse } from "./support/Http.ts"
import { rpcProtocols, withRpcClient } from "./support/RpcTestClient.ts"
import { freshPhone, latestCode } from "./support/SmsOutbox.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_AUTH: "1000" })
const dataDir = env.MOIM_DATA_DIR ?? ""

/** The code an authenticator app shows for `secret` now, or `steps` steps later (a phone clock ahead). */
const codeOf = (secret: string, steps = 0) => Totp.code(Totp.fromBase32(secret), Totp.stepAt(Date.now()) + steps)

const expectError = (response: JsonResponse, status: number, tag: string) => {
  assert.strictEqual(response.status, status, response.text)
  assert.strictEqual(response.body._tag, tag, response.text)
}

interface Enrolled {
  readonly user: TestUser
  readonly secret: string
  readonly recoveryCodes: ReadonlyArray<string>
}

/** A new user who turned two-factor authentication on, over REST. */
const enrolled = Effect.gen(function* () {
  const user = yield* signUp("Enrolled")
  const started = yield* call("POST", "/api/v1/me/two-factor", { token: user.token })
  assert.strictEqual(started.status, 201, started.text)
  const secret = String(started.body.secret)
  const confirmed = yield* call("POST", "/api/v1/me/two-factor/confirm", {
    token: user.token,
    body: { code: codeOf(secret) }
  })
  assert.strictEqual(confirmed.status, 200, confirmed.text)
  return { user, secret, recoveryCodes: confirmed.body.codes as ReadonlyArray<string> } satisfies Enrolled
})

const login = (email: string, deviceName?: string) =>
  call("POST", "/api/v1/auth/login", {
    ip: freshIp(),
    body: { email, password, ...(deviceName === undefined ? {} : { deviceName }) }
  })

/** Signs in with the password and answers the challenge. */
const challengeOf = (email: string) =>
  Effect.gen(function* () {
    const response = yield* login(email)
    assert.strictEqual(response.status, 200, response.text)
    assert.strictEqual(response.body._tag, "SecondFactorRequired")
    return String(response.body.challenge)
  })

const secondFactor = (challenge: string, code: string) =>
  call("POST", "/api/v1/auth/login/second-factor", { ip: freshIp(), body: { challenge, code } })

layer(TestServer.layer(env), { excludeTestServices: true })("Two-factor authentication over REST", (it) => {
  it.effect("enrolment: an otpauth URI, nothing in force until a first code, then ten recovery codes", () =>
    Effect.gen(function* () {
      const user = yield* signUp("Ada")
      const started = yield* call("POST", "/api/v1/me/two-factor", { token: user.token })
      assert.strictEqual(started.status, 201, started.text)
      const secret = String(started.body.secret)
      assert.match(secret, /^[A-Z2-7]{32}$/)
      const uri = new URL(String(started.body.otpauthUri))
      assert.strictEqual(uri.protocol, "otpauth:")
      assert.strictEqual(uri.host, "totp")
      assert.strictEqual(decodeURIComponent(uri.pathname), `/Moim:${user.email}`)
      assert.strictEqual(uri.searchParams.get("secret"), secret)
      assert.strictEqual(uri.searchParams.get("issuer"), "Moim")
      assert.strictEqual(uri.searchParams.get("digits"), "6")
      assert.strictEqual(uri.searchParams.get("period"), "30")

      // Started, not confirmed: signing in still answers a session.
      const before = yield* login(user.email)
      assert.isString(before.body.accessToken)
      const status = yield* call("GET", "/api/v1/me/two-factor", { token: user.token })
      assert.deepStrictEqual(status.json, { enabled: false, enabledAt: null, recoveryCodesLeft: 0, required: false })

      expectError(
        yield* call("POST", "/api/v1/me/two-factor/confirm", { token: user.token, body: { code: codeOf(secret, 5) } }),
        400,
        "IncorrectSecondFactorCode"
      )
      const confirmed = yield* call("POST", "/api/v1/me/two-factor/confirm", {
        token: user.token,
        body: { code: codeOf(secret) }
      })
      assert.strictEqual(confirmed.status, 200, confirmed.text)
      const codes = confirmed.body.codes as ReadonlyArray<string>
      assert.strictEqual(codes.length, 10)
      assert.strictEqual(new Set(codes).size, 10)
      for (const code of codes) assert.match(code, /^[a-z]{4}-[a-z]{4}-[a-z]{4}$/)

      const after = yield* call("GET", "/api/v1/me/two-factor", { token: user.token })
      assert.strictEqual(after.body.enabled, true)
      assert.strictEqual(after.body.recoveryCodesLeft, 10)
      expectError(yield* call("POST", "/api/v1/me/two-factor", { token: user.token }), 409, "TwoFactorAlreadyEnabled")
    })
  )

  it.effect("sign-in answers a challenge, not a session; a code of the app turns it into one, once", () =>
    Effect.gen(function* () {
      const { user, secret } = yield* enrolled
      const response = yield* login(user.email, "Ada's phone")
      assert.strictEqual(response.status, 200, response.text)
      assert.strictEqual(response.body._tag, "SecondFactorRequired")
      assert.deepStrictEqual(response.body.methods, ["totp", "recovery_code"])
      assert.isUndefined(response.body.accessToken)
      assert.isUndefined(response.body.refreshToken)
      const challenge = String(response.body.challenge)
      expectError(yield* call("GET", "/api/v1/me", { token: challenge }), 401, "Unauthorized")

      // The code that confirmed the enrolment was used in this 30-second step: not again.
      const reused = yield* secondFactor(challenge, codeOf(secret))
      expectError(reused, 400, "IncorrectSecondFactorCode")
      assert.strictEqual(reused.body.attemptsLeft, 4)

      // One step ahead is within the drift allowed.
      const signedIn = yield* secondFactor(challenge, codeOf(secret, 1))
      assert.strictEqual(signedIn.status, 200, signedIn.text)
      const accessToken = String(signedIn.body.accessToken)
      const sessions = yield* call("GET", "/api/v1/me/sessions", { token: accessToken })
      const current = (sessions.json as ReadonlyArray<{ current: boolean; deviceName: string | null }>).find(
        (session) => session.current
      )
      assert.strictEqual(current?.deviceName, "Ada's phone")

      expectError(yield* secondFactor(challenge, codeOf(secret, 1)), 401, "SecondFactorChallengeExpired")
      // The same code with a new challenge: already used.
      expectError(
        yield* secondFactor(yield* challengeOf(user.email), codeOf(secret, 1)),
        400,
        "IncorrectSecondFactorCode"
      )
    })
  )

  it.effect("recovery codes work once each, in any case and spacing", () =>
    Effect.gen(function* () {
      const { user, recoveryCodes } = yield* enrolled
      const [first = "", second = ""] = recoveryCodes
      const signedIn = yield* secondFactor(yield* challengeOf(user.email), first)
      assert.strictEqual(signedIn.status, 200, signedIn.text)
      expectError(yield* secondFactor(yield* challengeOf(user.email), first), 400, "IncorrectSecondFactorCode")
      const loose = ` ${second.toUpperCase().replaceAll("-", " ")} `
      assert.strictEqual((yield* secondFactor(yield* challengeOf(user.email), loose)).status, 200)
      const status = yield* call("GET", "/api/v1/me/two-factor", { token: String(signedIn.body.accessToken) })
      assert.strictEqual(status.body.recoveryCodesLeft, 8)
    })
  )

  it.effect("a challenge allows five tries, then the password is needed again", () =>
    Effect.gen(function* () {
      const { user, secret } = yield* enrolled
      const challenge = yield* challengeOf(user.email)
      for (const attemptsLeft of [4, 3, 2, 1, 0]) {
        const wrong = yield* secondFactor(challenge, "000000")
        expectError(wrong, 400, "IncorrectSecondFactorCode")
        assert.strictEqual(wrong.body.attemptsLeft, attemptsLeft)
      }
      expectError(yield* secondFactor(challenge, codeOf(secret, 1)), 401, "SecondFactorChallengeExpired")
      expectError(yield* secondFactor("an-unknown-challenge", codeOf(secret, 1)), 401, "SecondFactorChallengeExpired")
    })
  )

  it.effect("a challenge past its five minutes is refused, even with the right code", () =>
    Effect.gen(function* () {
      const { user, secret } = yield* enrolled
      const challenge = yield* challengeOf(user.email)
      const sql = yield* SqlClient.SqlClient
      // Five minutes pass (the clock the server reads is the real one: the row is aged instead).
      yield* sql`
        UPDATE two_factor_challenges SET expires_at = now() - interval '1 second' WHERE user_id = ${user.userId}
      `.pipe(Effect.orDie)
      expectError(yield* secondFactor(challenge, codeOf(secret, 1)), 401, "SecondFactorChallengeExpired")
      // A new sign-in gets a new challenge, which works.
      assert.strictEqual((yield* secondFactor(yield* challengeOf(user.email), codeOf(secret, 1))).status, 200)
    })
  )

  it.effect("turning it off needs a code; a recovery code does; then sign-in answers a session again", () =>
    Effect.gen(function* () {
      const { user, recoveryCodes } = yield* enrolled
      expectError(
        yield* call("POST", "/api/v1/me/two-factor/disable", { token: user.token, body: { code: "abcd-efgh-jkmn" } }),
        400,
        "IncorrectSecondFactorCode"
      )
      const disabled = yield* call("POST", "/api/v1/me/two-factor/disable", {
        token: user.token,
        body: { code: recoveryCodes[0] }
      })
      assert.strictEqual(disabled.status, 204, disabled.text)
      const response = yield* login(user.email)
      assert.isString(response.body.accessToken)
      assert.isUndefined(response.body._tag)
      expectError(
        yield* call("POST", "/api/v1/me/two-factor/disable", { token: user.token, body: { code: recoveryCodes[1] } }),
        409,
        "TwoFactorNotEnabled"
      )
    })
  )

  it.effect("new recovery codes replace the old ones and need a code of the app", () =>
    Effect.gen(function* () {
      const { user, secret, recoveryCodes } = yield* enrolled
      expectError(
        yield* call("POST", "/api/v1/me/two-factor/recovery-codes", {
          token: user.token,
          body: { code: recoveryCodes[0] }
        }),
        400,
        "IncorrectSecondFactorCode"
      )
      const renewed = yield* call("POST", "/api/v1/me/two-factor/recovery-codes", {
        token: user.token,
        body: { code: codeOf(secret, 1) }
      })
      assert.strictEqual(renewed.status, 200, renewed.text)
      expectError(
        yield* secondFactor(yield* challengeOf(user.email), recoveryCodes[0] ?? ""),
        400,
        "IncorrectSecondFactorCode"
      )
      const [fresh = ""] = renewed.body.codes as ReadonlyArray<string>
      assert.strictEqual((yield* secondFactor(yield* challengeOf(user.email), fresh)).status, 200)
    })
  )

  it.effect("the secret is stored encrypted and the recovery codes only as hashes", () =>
    Effect.gen(function* () {
      const { user, secret, recoveryCodes } = yield* enrolled
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ secretCiphertext: string }>`
        SELECT secret_ciphertext FROM two_factor WHERE user_id = ${user.userId}`
      const stored = rows[0]?.secretCiphertext ?? ""
      assert.isTrue(stored.startsWith("v1."))
      assert.notInclude(stored, secret)
      const hashes = yield* sql<{ codeHash: string }>`
        SELECT code_hash FROM two_factor_recovery_codes WHERE user_id = ${user.userId}`
      assert.strictEqual(hashes.length, 10)
      for (const code of recoveryCodes) {
        assert.isFalse(hashes.some((row) => row.codeHash.includes(code.replaceAll("-", ""))))
      }
    }).pipe(Effect.orDie)
  )

  it.effect("deleting the account forgets the secret, the recovery codes and pending challenges", () =>
    Effect.gen(function* () {
      const { user } = yield* enrolled
      yield* challengeOf(user.email)
      assert.strictEqual((yield* call("DELETE", "/api/v1/me", { token: user.token })).status, 204)
      const sql = yield* SqlClient.SqlClient
      const left = yield* sql<{ count: number }>`
        SELECT (SELECT count(*) FROM two_factor WHERE user_id = ${user.userId})
          + (SELECT count(*) FROM two_factor_recovery_codes WHERE user_id = ${user.userId})
          + (SELECT count(*) FROM two_factor_challenges WHERE user_id = ${user.userId}) AS count`
      assert.strictEqual(Number(left[0]?.count), 0)
    }).pipe(Effect.orDie)
  )

  it.effect("signing in with a texted code asks for the second factor too", () =>
    Effect.gen(function* () {
      const { user, secret } = yield* enrolled
      const phoneNumber = freshPhone()
      const sent = yield* call("POST", "/api/v1/me/phone-number", { token: user.token, body: { phoneNumber } })
      assert.strictEqual(sent.status, 202, sent.text)
      const verified = yield* call("POST", "/api/v1/me/phone-number/verify", {
        token: user.token,
        body: { code: yield* latestCode(dataDir, phoneNumber) }
      })
      assert.strictEqual(verified.status, 200, verified.text)

      yield* call("POST", "/api/v1/auth/phone/code", { ip: freshIp(), body: { phoneNumber } })
      const signIn = yield* call("POST", "/api/v1/auth/phone/sign-in", {
        ip: freshIp(),
        body: { phoneNumber, code: yield* latestCode(dataDir, phoneNumber), deviceName: "Texted" }
      })
      assert.strictEqual(signIn.status, 200, signIn.text)
      assert.strictEqual(signIn.body._tag, "SecondFactorRequired")
      assert.isUndefined(signIn.body.accessToken)
      const finished = yield* secondFactor(String(signIn.body.challenge), codeOf(secret, 1))
      assert.strictEqual(finished.status, 200, finished.text)
    })
  )

  for (const protocol of rpcProtocols) {
    it.effect(`over RPC (${protocol}): sign-in answers the challenge, and a code finishes it`, () =>
      Effect.gen(function* () {
        const { user, secret, recoveryCodes } = yield* enrolled
        const anonymous = Effect.succeed(Option.none<string>())
        const result = yield* withRpcClient(protocol, anonymous, (client) =>
          Effect.gen(function* () {
            const challenge = yield* client.Login({ email: user.email, password })
            assert.strictEqual("_tag" in challenge ? challenge._tag : "AuthResult", "SecondFactorRequired")
            if (!("challenge" in challenge)) return assert.fail("expected a challenge")
            const wrong = yield* client
              .CompleteSecondFactor({ challenge: challenge.challenge, code: "000000" })
              .pipe(Effect.flip)
            assert.strictEqual(wrong._tag, "IncorrectSecondFactorCode")
            return yield* client.CompleteSecondFactor({
              challenge: challenge.challenge,
              code: protocol === "http" ? codeOf(secret, 1) : (recoveryCodes[0] ?? "")
            })
          })
        )
        const status = yield* withRpcClient(protocol, Effect.succeed(Option.some(result.accessToken)), (client) =>
          client.GetTwoFactor()
        )
        assert.strictEqual(status.enabled, true)
      })
    )
  }
})

layer(
  TestServer.layer(
    TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_AUTH: "1000", REQUIRE_2FA_FOR_ADMINS: "true" })
  ),
  {
    excludeTestServices: true
  }
)("Two-factor authentication required of site admins", (it) => {
  it.effect("an admin without it is refused admin operations (403, reason second_factor_required) until enrolled", () =>
    Effect.gen(function* () {
      const admin = yield* siteAdmin
      const target = yield* signUp("Target")
      const suspend = () =>
        call("POST", `/api/v1/admin/users/${target.userId}/suspend`, { token: admin.token, body: { reason: "spam" } })
      const refused = yield* suspend()
      expectError(refused, 403, "Forbidden")
      assert.strictEqual(refused.body.reason, "second_factor_required")
      assert.match(String(refused.body.message), /two-factor/)
      const status = yield* call("GET", "/api/v1/me/two-factor", { token: admin.token })
      assert.strictEqual(status.body.required, true)

      const started = yield* call("POST", "/api/v1/me/two-factor", { token: admin.token })
      const confirmed = yield* call("POST", "/api/v1/me/two-factor/confirm", {
        token: admin.token,
        body: { code: codeOf(String(started.body.secret)) }
      })
      assert.strictEqual(confirmed.status, 200, confirmed.text)
      const allowed = yield* suspend()
      assert.strictEqual(allowed.status, 200, allowed.text)
    })
  )

  it.effect("a user is not asked for it", () =>
    Effect.gen(function* () {
      const user = yield* signUp("Plain")
      const status = yield* call("GET", "/api/v1/me/two-factor", { token: user.token })
      assert.strictEqual(status.body.required, false)
      const login = yield* call("POST", "/api/v1/auth/login", { ip: freshIp(), body: { email: user.email, password } })
      assert.isString(login.body.accessToken)
    })
  )
})
