/** @module-tag no-database */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect } from "effect"
import { TestClock } from "effect/testing"
import { Totp } from "../src/Accounts/Totp.ts"

/** RFC 6238 appendix B's SHA-1 seed. */
const seed = new TextEncoder().encode("12345678901234567890")

/** What the server checks: the code against the clock's current step, after the last used step. */
const check = (secret: Uint8Array, code: string, lastStep: number | null = null) =>
  Effect.map(Clock.currentTimeMillis, (now) => Totp.match(secret, code, now, lastStep))

describe("TOTP (RFC 6238)", () => {
  it("matches the RFC's SHA-1 test vectors (their last six digits)", () => {
    const vectors: ReadonlyArray<readonly [seconds: number, eightDigits: string]> = [
      [59, "94287082"],
      [1111111109, "07081804"],
      [1111111111, "14050471"],
      [1234567890, "89005924"],
      [2000000000, "69279037"],
      [20000000000, "65353130"]
    ]
    for (const [seconds, eightDigits] of vectors) {
      assert.strictEqual(Totp.code(seed, Totp.stepAt(seconds * 1000)), eightDigits.slice(2), `T=${seconds}`)
    }
  })

  it("base32 round-trips and reads what apps type, in any case and spacing", () => {
    const bytes = Uint8Array.from({ length: 20 }, (_, index) => index * 13)
    const text = Totp.base32(bytes)
    assert.match(text, /^[A-Z2-7]{32}$/)
    assert.deepStrictEqual(Totp.fromBase32(text), bytes)
    assert.deepStrictEqual(Totp.fromBase32(text.toLowerCase().replace(/(.{4})/g, "$1 ")), bytes)
    assert.strictEqual(Totp.base32(seed), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
  })

  it.effect("a code is valid in its 30-second window and one step either side, and refused further out", () =>
    Effect.gen(function* () {
      const start = 1_700_000_010_000 // 10 s into a window
      const step = Totp.stepAt(start)
      const code = Totp.code(seed, step)
      yield* TestClock.setTime(start)
      assert.strictEqual(yield* check(seed, code), step)
      // The last millisecond of its window.
      yield* TestClock.setTime((step + 1) * 30_000 - 1)
      assert.strictEqual(yield* check(seed, code), step)
      // The next window: one step of drift (the phone is behind).
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* check(seed, code), step)
      // Two windows on: refused.
      yield* TestClock.adjust("30 seconds")
      assert.isUndefined(yield* check(seed, code))
      // The window before its own: one step of drift (the phone is ahead).
      yield* TestClock.setTime((step - 1) * 30_000)
      assert.strictEqual(yield* check(seed, code), step)
      yield* TestClock.setTime((step - 1) * 30_000 - 1)
      assert.isUndefined(yield* check(seed, code))
    })
  )

  it.effect("a code is not reusable within its window, nor is an older one after a newer", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_700_000_000_000)
      const now = Totp.stepAt(yield* Clock.currentTimeMillis)
      const code = Totp.code(seed, now)
      const used = yield* check(seed, code)
      assert.strictEqual(used, now)
      yield* TestClock.adjust("10 seconds")
      assert.isUndefined(yield* check(seed, code, used ?? null))
      // The previous window's code, still within drift, is older than the one used: refused.
      assert.isUndefined(yield* check(seed, Totp.code(seed, now - 1), used ?? null))
      // The next window's code is newer: accepted.
      assert.strictEqual(yield* check(seed, Totp.code(seed, now + 1), used ?? null), now + 1)
    })
  )

  it("refuses codes of another length or of another secret", () => {
    const now = 1_700_000_000_000
    const code = Totp.code(seed, Totp.stepAt(now))
    assert.isUndefined(Totp.match(seed, code.slice(1), now, null))
    assert.isUndefined(Totp.match(seed, `${code}0`, now, null))
    assert.isUndefined(Totp.match(new TextEncoder().encode("another secret seed!"), code, now, null))
  })

  it("writes the otpauth URI authenticator apps read", () => {
    const uri = Totp.uri({ secret: seed, issuer: "Moim", accountName: "ada@example.com" })
    assert.strictEqual(
      uri,
      "otpauth://totp/Moim:ada%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Moim&algorithm=SHA1&digits=6&period=30"
    )
  })
})
