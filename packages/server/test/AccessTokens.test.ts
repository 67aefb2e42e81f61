import { assert, describe, it } from "@effect/vitest"
import { SessionId } from "@moim/domain/Accounts/Session"
import { UserId } from "@moim/domain/Accounts/User"
import { Duration, Effect, Layer, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import { SignJWT } from "jose"
import { AccessTokens } from "../src/Accounts/AccessTokens.ts"
import { AccountsConfig } from "../src/Accounts/AccountsConfig.ts"
import { ServerSecret } from "../src/platform/ServerSecret.ts"

const secret = ServerSecret.make(Redacted.make("access-token-test-secret-0123456789abcdef"))

const TokensLive = AccessTokens.layer.pipe(
  Layer.provide(
    Layer.mergeAll(
      Layer.succeed(ServerSecret, secret),
      Layer.succeed(
        AccountsConfig,
        AccountsConfig.of({
          accessTokenTtl: Duration.minutes(15),
          refreshTokenTtl: Duration.days(30),
          verificationTokenTtl: Duration.days(2),
          resetTokenTtl: Duration.hours(1),
          requireSecondFactorForAdmins: false
        })
      )
    )
  )
)

const userId = Schema.decodeSync(UserId)("018f64f3-7b78-7afd-87ef-af02cc916b30")
const sessionId = Schema.decodeSync(SessionId)("018f64f3-7b78-7afd-87ef-af02cc916b31")

/** The message of a refused token, or "accepted". */
const outcome = (token: string) =>
  AccessTokens.use((tokens) => tokens.verify(token)).pipe(
    Effect.match({ onFailure: (error) => error.message, onSuccess: () => "accepted" })
  )

describe("AccessTokens", () => {
  it.effect("accepts a token it verified only until the token expires", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2030-03-04T12:00:00Z"))
      const { token } = yield* AccessTokens.use((tokens) => tokens.issue(userId, sessionId))
      assert.deepStrictEqual(yield* AccessTokens.use((tokens) => tokens.verify(token)), { userId, sessionId })
      // Remembered: accepted again, with the same claims.
      assert.deepStrictEqual(yield* AccessTokens.use((tokens) => tokens.verify(token)), { userId, sessionId })
      // Fifteen minutes, and the five seconds of tolerance: still accepted one second before the end.
      yield* TestClock.adjust(Duration.seconds(15 * 60 + 4))
      assert.strictEqual(yield* outcome(token), "accepted")
      yield* TestClock.adjust(Duration.seconds(1))
      assert.include(yield* outcome(token), "expired")
      assert.include(yield* outcome(token), "expired")
    }).pipe(Effect.provide(TokensLive))
  )

  it.effect("never remembers a token that failed, nor lets a tampered copy of a good one through", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2030-03-04T12:00:00Z"))
      const { token } = yield* AccessTokens.use((tokens) => tokens.issue(userId, sessionId))
      assert.strictEqual(yield* outcome(token), "accepted")
      const [header, payload, signature] = token.split(".")
      const tampered = `${header}.${payload}.${signature?.slice(0, -2)}${signature?.endsWith("AA") ? "BB" : "AA"}`
      assert.include(yield* outcome(tampered), "invalid")
      assert.include(yield* outcome(tampered), "invalid")
      const forged = yield* Effect.promise(() =>
        new SignJWT({ sid: sessionId })
          .setProtectedHeader({ alg: "HS256" })
          .setSubject(userId)
          .setIssuer("moim")
          .setAudience("moim")
          .setIssuedAt(Date.parse("2030-03-04T12:00:00Z") / 1000)
          .setExpirationTime(Date.parse("2030-03-04T12:15:00Z") / 1000)
          .sign(new Uint8Array(32).fill(7))
      )
      assert.include(yield* outcome(forged), "invalid")
      assert.include(yield* outcome(forged), "invalid")
    }).pipe(Effect.provide(TokensLive))
  )
})
