/** @module-tag no-database */
import { assert, describe, it } from "@effect/vitest"
import { UserId } from "@moim/domain/Accounts/User"
import type { DigestFrequency } from "@moim/domain/Notifications/Preferences"
import { DateTime, Effect, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { appLinkOf, digestEmail, escapeHtml, singleEmail } from "../src/Notifications/EmailContent.ts"
import { digestPeriod } from "../src/Notifications/EmailDigestSchedule.ts"
import { EmailUnsubscribeTokens } from "../src/Notifications/EmailUnsubscribeTokens.ts"
import { ServerSecret } from "../src/platform/ServerSecret.ts"

const at = (iso: string) => DateTime.makeUnsafe(iso)
const due = (iso: string, timeZone: string, frequency: DigestFrequency) =>
  Option.getOrNull(digestPeriod(at(iso), timeZone, frequency))

describe("when a digest is due (08:00 in the user's time zone; weekly on Mondays)", () => {
  it("daily: in the 08:00 hour of the user's day, keyed by their local date", () => {
    // Berlin is UTC+1 in winter: 08:00 there is 07:00 UTC.
    assert.strictEqual(due("2026-12-01T07:00:00Z", "Europe/Berlin", "daily"), "2026-12-01")
    assert.strictEqual(due("2026-12-01T07:59:59Z", "Europe/Berlin", "daily"), "2026-12-01")
    assert.isNull(due("2026-12-01T06:59:59Z", "Europe/Berlin", "daily"))
    assert.isNull(due("2026-12-01T08:00:00Z", "Europe/Berlin", "daily"))
    // An hour later it is 08:00 in London (UTC+0 in winter).
    assert.strictEqual(due("2026-12-01T08:00:00Z", "Europe/London", "daily"), "2026-12-01")
  })

  it("the user's local date, not UTC's: Auckland's morning is the previous UTC evening", () => {
    // Auckland is UTC+13 in (southern) summer: 08:00 on 8 December is 19:00 UTC on 7 December.
    assert.strictEqual(due("2026-12-07T19:30:00Z", "Pacific/Auckland", "daily"), "2026-12-08")
    assert.strictEqual(due("2026-12-07T19:30:00Z", "Pacific/Honolulu", "daily"), null)
  })

  it("daylight saving time moves the UTC hour, not the local one", () => {
    // Berlin switches to summer time in the night of 29 March 2026.
    assert.strictEqual(due("2026-03-28T07:10:00Z", "Europe/Berlin", "daily"), "2026-03-28")
    assert.isNull(due("2026-03-29T07:10:00Z", "Europe/Berlin", "daily"))
    assert.strictEqual(due("2026-03-29T06:10:00Z", "Europe/Berlin", "daily"), "2026-03-29")
    // New York switches back on 1 November 2026: 08:00 EST is 13:00 UTC again.
    assert.strictEqual(due("2026-10-31T12:00:00Z", "America/New_York", "daily"), "2026-10-31")
    assert.strictEqual(due("2026-11-01T13:00:00Z", "America/New_York", "daily"), "2026-11-01")
  })

  it("half-hour offsets: the cron on the hour finds them at 08:30", () => {
    // Kolkata is UTC+5:30: 03:00 UTC is 08:30 there.
    assert.strictEqual(due("2026-12-01T03:00:00Z", "Asia/Kolkata", "daily"), "2026-12-01")
    assert.isNull(due("2026-12-01T02:00:00Z", "Asia/Kolkata", "daily"))
  })

  it("weekly: only on the user's Monday", () => {
    // 7 December 2026 is a Monday.
    assert.strictEqual(due("2026-12-07T07:15:00Z", "Europe/Berlin", "weekly"), "2026-12-07")
    assert.isNull(due("2026-12-08T07:15:00Z", "Europe/Berlin", "weekly"))
    // Monday 08:00 in Auckland is still Sunday in UTC.
    assert.strictEqual(due("2026-12-06T19:15:00Z", "Pacific/Auckland", "weekly"), "2026-12-07")
    assert.isNull(due("2026-12-07T19:15:00Z", "Pacific/Auckland", "weekly"))
  })

  it("off is never due; a time zone the runtime does not know counts as UTC", () => {
    assert.isNull(due("2026-12-01T08:00:00Z", "UTC", "off"))
    assert.strictEqual(due("2026-12-01T08:00:00Z", "Mars/Olympus_Mons", "daily"), "2026-12-01")
  })

  it.effect("an hourly cron over a week (with a daylight saving change) finds 7 daily and 1 weekly digest", () =>
    Effect.gen(function* () {
      // From Monday 23 March to Monday 30 March 2026 in Berlin, across the switch to summer time.
      yield* TestClock.setTime(Date.parse("2026-03-23T00:00:00Z"))
      const daily: Array<string> = []
      const weekly: Array<string> = []
      for (let hour = 0; hour < 7 * 24; hour++) {
        const now = yield* DateTime.now
        Option.map(digestPeriod(now, "Europe/Berlin", "daily"), (period) => daily.push(period))
        Option.map(digestPeriod(now, "Europe/Berlin", "weekly"), (period) => weekly.push(period))
        yield* TestClock.adjust("1 hour")
      }
      assert.deepStrictEqual(daily, [
        "2026-03-23",
        "2026-03-24",
        "2026-03-25",
        "2026-03-26",
        "2026-03-27",
        "2026-03-28",
        "2026-03-29"
      ])
      assert.deepStrictEqual(weekly, ["2026-03-23"])
    })
  )
})

describe("unsubscribe tokens", () => {
  const tokens = EmailUnsubscribeTokens.make(
    ServerSecret.make(Redacted.make("a-secret-that-is-long-enough-for-tests-0123")).derive(
      "notification-email-unsubscribe"
    )
  )
  const ada = UserId.make("0195f4c2-7b1e-7c3a-9a59-7d1c2b3a4f5e")

  it("verify what sign signed: the user, and the kind or every kind", () => {
    assert.deepStrictEqual(
      tokens.verify(tokens.sign({ userId: ada, type: "group.invited" })),
      Option.some({ userId: ada, type: "group.invited" })
    )
    assert.deepStrictEqual(
      tokens.verify(tokens.sign({ userId: ada, type: null })),
      Option.some({ userId: ada, type: null })
    )
  })

  it("refuse a token altered anywhere, truncated, or signed with another secret", () => {
    const token = tokens.sign({ userId: ada, type: "group.invited" })
    const [claim = "", signature = ""] = token.split(".")
    const forgedClaim = Buffer.from(`v1:${ada}:group.removed:email`).toString("base64url")
    const flip = (value: string, index: number) =>
      `${value.slice(0, index)}${value[index] === "A" ? "B" : "A"}${value.slice(index + 1)}`
    const other = EmailUnsubscribeTokens.make(
      ServerSecret.make(Redacted.make("another-secret-that-is-long-enough-0123456")).derive(
        "notification-email-unsubscribe"
      )
    )
    for (const bad of [
      `${forgedClaim}.${signature}`,
      `${claim}.${flip(signature, 5)}`,
      `${flip(claim, 3)}.${signature}`,
      `${claim}.${signature.slice(0, -2)}`,
      `${claim}.${signature}=`,
      `${claim}.${signature}.extra`,
      claim,
      "",
      "not a token",
      other.sign({ userId: ada, type: "group.invited" })
    ]) {
      assert.isTrue(Option.isNone(tokens.verify(bad)), bad)
    }
  })
})

describe("email content", () => {
  const footer = {
    reason: "emails about “You are invited to a group” are on",
    unsubscribeUrl: "https://app.test/unsubscribe?token=t",
    preferencesUrl: "https://app.test/settings/notifications"
  }

  it("a single email: the sentence as subject and body, the link to the app, the footer; HTML escaped", () => {
    const email = singleEmail({
      nickname: "Ada <admin>",
      sentence: 'Olga invited you to join <script>alert("x")</script> & friends',
      link: appLinkOf("https://app.test", { kind: "invitation", id: "inv-1" }),
      footer
    })
    assert.strictEqual(email.subject, 'Olga invited you to join <script>alert("x")</script> & friends')
    assert.include(email.text, "Hello Ada <admin>,")
    assert.include(email.text, "See the invitation: https://app.test/invitations/inv-1")
    assert.include(email.text, "Unsubscribe: https://app.test/unsubscribe?token=t")
    assert.notInclude(email.html, "<script>")
    assert.include(
      email.html,
      "Olga invited you to join &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; friends"
    )
    assert.include(email.html, "Hello Ada &lt;admin&gt;,")
    assert.include(email.html, '<a href="https://app.test/invitations/inv-1">See the invitation</a>')
    assert.include(email.html, '<a href="https://app.test/unsubscribe?token=t">Unsubscribe</a>')
  })

  it("a subject is one line: a group name's line breaks do not reach the header", () => {
    const email = singleEmail({
      nickname: "Ada",
      sentence: "Olga invited you to join Line\r\nBcc: everyone@example.com",
      link: appLinkOf("https://app.test", { kind: "group", id: "g" }),
      footer
    })
    assert.strictEqual(email.subject, "Olga invited you to join Line Bcc: everyone@example.com")
  })

  it("links by subject: invitations, groups, and the notification list for the rest", () => {
    assert.deepStrictEqual(appLinkOf("https://app.test", { kind: "group", id: "g1" }), {
      label: "Open the group",
      url: "https://app.test/groups/g1"
    })
    assert.strictEqual(appLinkOf("https://app.test", { kind: "user", id: "u1" }).url, "https://app.test/notifications")
  })

  it("a digest lists its notifications and counts those left out", () => {
    const email = digestEmail({
      nickname: "Ada",
      frequency: "daily",
      items: [
        { sentence: "Ben asked to join <Hikers>", link: appLinkOf("https://app.test", { kind: "group", id: "g1" }) },
        {
          sentence: "Cy invited you to join Chess",
          link: appLinkOf("https://app.test", { kind: "invitation", id: "i1" })
        }
      ],
      more: 3,
      allUrl: "https://app.test/notifications",
      footer: { ...footer, reason: "you chose a daily digest of your notifications" }
    })
    assert.strictEqual(email.subject, "Your daily Moim digest: 5 unread notifications")
    assert.include(email.text, "- Ben asked to join <Hikers>\n  https://app.test/groups/g1")
    assert.include(email.text, "And 3 more: https://app.test/notifications")
    assert.include(email.html, '<li><a href="https://app.test/groups/g1">Ben asked to join &lt;Hikers&gt;</a></li>')
    assert.strictEqual(escapeHtml(`<a href="x">'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&lt;/a&gt;")
  })
})
