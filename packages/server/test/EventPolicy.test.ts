/** @module-tag no-database */
import { describe, expect, it } from "@effect/vitest"
import { UserId } from "@moim/domain/Accounts/User"
import type { EventHostRole } from "@moim/domain/Events/Event"
import type { MemberRole } from "@moim/domain/Groups/Group"
import { EventPolicy, type EventStanding } from "../src/Events/EventPolicy.ts"
import { toInstant } from "../src/Events/LocalTime.ts"
import { noStanding } from "../src/Groups/MembershipsRepo.ts"

const user = UserId.make("01890000-0000-7000-8000-000000000001")

const standing = (options: {
  readonly role?: MemberRole | null
  readonly host?: EventHostRole | null
  readonly siteAdmin?: boolean
}): EventStanding => ({
  actor: { userId: user, siteRole: options.siteAdmin === true ? "admin" : "user" },
  group: { ...noStanding, role: options.role ?? null },
  host: options.host ?? null
})

describe("EventPolicy", () => {
  const table: ReadonlyArray<readonly [string, EventStanding, boolean, boolean]> = [
    ["a plain member", standing({ role: "member" }), false, false],
    ["the host", standing({ role: "member", host: "host" }), true, true],
    ["a co-host", standing({ role: "member", host: "cohost" }), true, false],
    ["the group's admin", standing({ role: "admin" }), true, true],
    ["the group's owner", standing({ role: "owner" }), true, true],
    ["a site admin", standing({ siteAdmin: true }), true, true],
    ["an outsider", standing({}), false, false]
  ]
  for (const [who, given, edits, managesHosts] of table) {
    it(`${who}: edits ${edits}, manages co-hosts ${managesHosts}`, () => {
      expect(EventPolicy.canEdit(given)).toBe(edits)
      expect(EventPolicy.canManageHosts(given)).toBe(managesHosts)
    })
  }
})

describe("LocalTime.toInstant", () => {
  it("19:00 in Berlin is 17:00Z in summer and 18:00Z in winter", () => {
    expect(toInstant("2030-07-16T19:00", "Europe/Berlin").toISOString()).toBe("2030-07-16T17:00:00.000Z")
    expect(toInstant("2030-01-15T19:00", "Europe/Berlin").toISOString()).toBe("2030-01-15T18:00:00.000Z")
  })

  it("reads a skipped time as after the gap, and a repeated time as its first occurrence", () => {
    expect(toInstant("2030-03-31T02:30", "Europe/Berlin").toISOString()).toBe("2030-03-31T01:30:00.000Z")
    expect(toInstant("2030-10-27T02:30", "Europe/Berlin").toISOString()).toBe("2030-10-27T00:30:00.000Z")
  })

  it("handles zones west of UTC, half-hour offsets and UTC", () => {
    expect(toInstant("2030-07-16T19:00", "America/New_York").toISOString()).toBe("2030-07-16T23:00:00.000Z")
    expect(toInstant("2030-07-16T19:00", "Asia/Kolkata").toISOString()).toBe("2030-07-16T13:30:00.000Z")
    expect(toInstant("2030-07-16T19:00", "UTC").toISOString()).toBe("2030-07-16T19:00:00.000Z")
  })
})
