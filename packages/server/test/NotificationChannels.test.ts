/** @module-tag no-database */
import { assert, describe, it } from "@effect/vitest"
import { GroupInvited, GroupJoinRequested } from "@moim/domain/Groups/GroupNotifications"
import { DateTime, Effect, Option } from "effect"
import { TestClock } from "effect/testing"
import { type DeliverySettings, defaultSettings, deliverAt, plan } from "../src/Notifications/ChannelPlan.ts"

const at = (iso: string) => DateTime.makeUnsafe(iso)
const iso = (value: Option.Option<DateTime.Utc>) => Option.map(value, DateTime.formatIso)

const berlinNights: DeliverySettings = {
  timeZone: "Europe/Berlin",
  quietHours: { start: 22 * 60, end: 7 * 60 },
  digest: "off"
}

describe("when email and push may go out (quiet hours in the user's time zone)", () => {
  it("outside quiet hours: at once", () => {
    assert.strictEqual(
      DateTime.formatIso(deliverAt(at("2026-12-01T12:00:00Z"), berlinNights)),
      "2026-12-01T12:00:00.000Z"
    )
  })

  it("inside quiet hours that span midnight: at their end, the next local morning", () => {
    // 22:30 in Berlin (UTC+1 in winter); quiet until 07:00 Berlin, 06:00 UTC.
    assert.strictEqual(
      DateTime.formatIso(deliverAt(at("2026-12-01T21:30:40Z"), berlinNights)),
      "2026-12-02T06:00:00.000Z"
    )
    // 03:10 in Berlin, after midnight: the same morning.
    assert.strictEqual(
      DateTime.formatIso(deliverAt(at("2026-12-02T02:10:00Z"), berlinNights)),
      "2026-12-02T06:00:00.000Z"
    )
  })

  it("in summer time the same local hours are an hour earlier in UTC", () => {
    assert.strictEqual(
      DateTime.formatIso(deliverAt(at("2026-07-01T21:00:00Z"), berlinNights)),
      "2026-07-02T05:00:00.000Z"
    )
  })

  it("quiet hours within one day, and none at all", () => {
    const lunch: DeliverySettings = {
      timeZone: "Asia/Seoul",
      quietHours: { start: 12 * 60, end: 13 * 60 },
      digest: "off"
    }
    // 12:30 in Seoul (UTC+9) is 03:30 UTC; quiet until 13:00 Seoul, 04:00 UTC.
    assert.strictEqual(DateTime.formatIso(deliverAt(at("2026-12-01T03:30:00Z"), lunch)), "2026-12-01T04:00:00.000Z")
    assert.strictEqual(DateTime.formatIso(deliverAt(at("2026-12-01T04:00:00Z"), lunch)), "2026-12-01T04:00:00.000Z")
    assert.strictEqual(
      DateTime.formatIso(deliverAt(at("2026-12-01T03:30:00Z"), defaultSettings)),
      "2026-12-01T03:30:00.000Z"
    )
  })
})

describe("which channels a notification takes", () => {
  const none = new Map<"inApp" | "email" | "push", boolean>()

  it.effect("the kind's defaults, waiting out quiet hours on the test clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-12-01T22:15:00Z"))
      const now = yield* DateTime.now
      const chosen = plan({ kind: GroupInvited, settings: berlinNights, overrides: none, groupMuted: false, now })
      assert.isTrue(chosen.inApp)
      assert.deepStrictEqual(iso(chosen.email), Option.some("2026-12-02T06:00:00.000Z"))
      assert.deepStrictEqual(iso(chosen.push), Option.some("2026-12-02T06:00:00.000Z"))

      yield* TestClock.adjust("8 hours")
      const morning = plan({
        kind: GroupInvited,
        settings: berlinNights,
        overrides: none,
        groupMuted: false,
        now: yield* DateTime.now
      })
      assert.deepStrictEqual(iso(morning.push), Option.some("2026-12-02T06:15:00.000Z"))
    })
  )

  it("the user's choices override the defaults; a digest takes the place of single emails", () => {
    const now = at("2026-12-01T12:00:00Z")
    const off = plan({
      kind: GroupInvited,
      settings: defaultSettings,
      overrides: new Map([
        ["inApp", false],
        ["push", false]
      ]),
      groupMuted: false,
      now
    })
    assert.deepStrictEqual(off, { inApp: false, email: Option.some(now), push: Option.none() })
    const digest = plan({
      kind: GroupInvited,
      settings: { ...defaultSettings, digest: "weekly" },
      overrides: none,
      groupMuted: false,
      now
    })
    assert.deepStrictEqual(digest, { inApp: true, email: Option.none(), push: Option.some(now) })
  })

  it("a muted group silences its activity on every channel, not news about the recipient", () => {
    const now = at("2026-12-01T12:00:00Z")
    const activity = plan({
      kind: GroupJoinRequested,
      settings: defaultSettings,
      overrides: none,
      groupMuted: true,
      now
    })
    assert.deepStrictEqual(activity, { inApp: false, email: Option.none(), push: Option.none() })
    const personal = plan({ kind: GroupInvited, settings: defaultSettings, overrides: none, groupMuted: true, now })
    assert.isTrue(personal.inApp)
  })
})
