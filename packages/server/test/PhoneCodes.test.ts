import { assert, describe, it, layer } from "@effect/vitest"
import { Clock, DateTime, Duration, Effect, Layer, Result } from "effect"
import { TestClock } from "effect/testing"
import { PhoneCodePolicy } from "../src/Accounts/PhoneCodePolicy.ts"
import { PhoneCodes } from "../src/Accounts/PhoneCodes.ts"
import { type PhoneCodeKey, PhoneCodesRepo } from "../src/Accounts/PhoneCodesRepo.ts"
import { freshPhone, latestCode } from "./support/SmsOutbox.ts"
import * as TestServer from "./support/TestServer.ts"

describe("the rules of texted codes", () => {
  const sentAt = new Date("2026-12-01T12:00:00.000Z")
  const code = { sentAt, expiresAt: PhoneCodePolicy.expiresAt(sentAt), attempts: 0 }
  const at = (seconds: number) => new Date(sentAt.getTime() + seconds * 1000)

  it("a code works for 10 minutes", () => {
    assert.strictEqual(code.expiresAt.toISOString(), "2026-12-01T12:10:00.000Z")
    assert.deepStrictEqual(PhoneCodePolicy.attempt(code, true, at(599)), { _tag: "Accepted" })
    assert.deepStrictEqual(PhoneCodePolicy.attempt(code, true, at(600)), { _tag: "Dead" })
  })

  it("and for 5 tries: each wrong one says how many are left", () => {
    assert.deepStrictEqual(PhoneCodePolicy.attempt(code, false, at(1)), { _tag: "Wrong", attemptsLeft: 4 })
    assert.deepStrictEqual(PhoneCodePolicy.attempt({ ...code, attempts: 4 }, false, at(1)), {
      _tag: "Wrong",
      attemptsLeft: 0
    })
    assert.deepStrictEqual(PhoneCodePolicy.attempt({ ...code, attempts: 4 }, true, at(1)), { _tag: "Accepted" })
    assert.deepStrictEqual(PhoneCodePolicy.attempt({ ...code, attempts: 5 }, true, at(1)), { _tag: "Dead" })
  })

  it("a new code can be sent 60 seconds after the last", () => {
    assert.strictEqual(PhoneCodePolicy.resendAfter(sentAt).toISOString(), "2026-12-01T12:01:00.000Z")
    assert.strictEqual(Duration.toMillis(PhoneCodePolicy.resendWait(code, at(15))), 45_000)
    assert.strictEqual(Duration.toMillis(PhoneCodePolicy.resendWait(code, at(75))), 0)
    assert.strictEqual(PhoneCodePolicy.cooldownSince(at(60)).getTime(), sentAt.getTime())
  })
})

const env = TestServer.testEnv()
const dataDir = env.MOIM_DATA_DIR ?? ""

/** `PhoneCodes` on this file's database and the outbox of `env`, nothing else of the server. */
const PhoneCodesLive = PhoneCodes.layer.pipe(
  Layer.provide(PhoneCodesRepo.layer),
  Layer.provideMerge(TestServer.platformLayer(env))
)

/** Runs `effect` on a TestClock set to the wall clock's time. */
const onTestClock = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.andThen(TestClock.setTime(Date.now()), effect).pipe(Effect.provide(TestClock.layer()))

const signIn = (e164: string): PhoneCodeKey => ({ purpose: "sign_in", e164 })

layer(PhoneCodesLive, { excludeTestServices: true, timeout: "60 seconds" })("texted codes over time", (it) => {
  it.effect("a code is dead 10 minutes after it was sent", () =>
    onTestClock(
      Effect.gen(function* () {
        const codes = yield* PhoneCodes
        const e164 = freshPhone()
        const sentAt = yield* Clock.currentTimeMillis
        const sent = yield* codes.send(signIn(e164), e164)
        assert.strictEqual(DateTime.toEpochMillis(sent.expiresAt) - sentAt, 10 * 60_000)
        assert.strictEqual(DateTime.toEpochMillis(sent.resendAfter) - sentAt, 60_000)
        const code = yield* latestCode(dataDir, e164)
        yield* TestClock.adjust("9 minutes")
        assert.isTrue(Result.isSuccess(yield* codes.verify(signIn(e164), code)))
        yield* TestClock.adjust("1 minute")
        const late = yield* codes.verify(signIn(e164), code)
        assert.isTrue(Result.isFailure(late) && late.failure._tag === "PhoneCodeExpired")
      })
    )
  )

  it.effect("after five wrong tries the right code no longer works", () =>
    onTestClock(
      Effect.gen(function* () {
        const codes = yield* PhoneCodes
        const e164 = freshPhone()
        yield* codes.send(signIn(e164), e164)
        const code = yield* latestCode(dataDir, e164)
        const wrong = code === "123456" ? "654321" : "123456"
        const left: Array<number> = []
        for (let i = 0; i < 5; i++) {
          const outcome = yield* codes.verify(signIn(e164), wrong)
          if (Result.isFailure(outcome) && outcome.failure._tag === "IncorrectPhoneCode") {
            left.push(outcome.failure.attemptsLeft)
          }
          yield* TestClock.adjust("10 seconds")
        }
        assert.deepStrictEqual(left, [4, 3, 2, 1, 0])
        const dead = yield* codes.verify(signIn(e164), code)
        assert.isTrue(Result.isFailure(dead) && dead.failure._tag === "PhoneCodeExpired")
      })
    )
  )

  it.effect("a new code waits 60 seconds, then replaces the last one", () =>
    onTestClock(
      Effect.gen(function* () {
        const codes = yield* PhoneCodes
        const e164 = freshPhone()
        yield* codes.send(signIn(e164), e164)
        const first = yield* latestCode(dataDir, e164)
        yield* TestClock.adjust("45 seconds")
        const early = yield* Effect.flip(codes.send(signIn(e164), e164))
        assert.strictEqual(early._tag, "RateLimited")
        assert.strictEqual(early._tag === "RateLimited" ? early.retryAfterSeconds : 0, 15)
        yield* TestClock.adjust("15 seconds")
        yield* codes.send(signIn(e164), e164)
        const second = yield* latestCode(dataDir, e164)
        if (first !== second) {
          const old = yield* codes.verify(signIn(e164), first)
          assert.isTrue(Result.isFailure(old) && old.failure._tag === "IncorrectPhoneCode")
        }
        assert.isTrue(Result.isSuccess(yield* codes.verify(signIn(e164), second)))
      })
    )
  )
})
