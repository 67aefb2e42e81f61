/** @module-tag no-database */
import { describe, expect, it } from "@effect/vitest"
import { listDigest } from "../src/Recommendations/ListsWire.ts"
import {
  byRef,
  distanceKm,
  Interner,
  type Item,
  inferInterests,
  kmOf,
  Lists,
  type Ranked,
  type Ref,
  type Snapshot,
  type SnapshotEvent,
  type SnapshotGroup,
  suggest,
  Targets,
  type UserRows
} from "../src/Recommendations/Scoring.ts"

/** Readable ids: `id("g", 1)` is a uuid whose text sorts by the number. */
const id = (prefix: "u" | "g" | "e", n: number) =>
  `${{ u: "0", g: "1", e: "2" }[prefix]}0000000-0000-4000-8000-${String(n).padStart(12, "0")}`

const settings = { radiusKm: 50, keep: 20 }
const now = Date.parse("2030-01-01T00:00:00Z")
const later = now + 86_400_000

interface Tables {
  readonly groups?: Record<string, SnapshotGroup>
  readonly events?: Record<
    string,
    Omit<SnapshotEvent, "groupId" | "creatorId"> & { groupId: string; creatorId?: string }
  >
  readonly nextEvents?: Record<string, ReadonlyArray<string>>
  readonly termGroups?: Record<string, ReadonlyArray<string>>
  readonly groupTerms?: Record<string, ReadonlyArray<string>>
  readonly recentGroups?: Record<string, ReadonlyArray<string>>
  readonly friends?: Record<string, ReadonlyArray<string>>
  readonly going?: Record<string, ReadonlyArray<string>>
  readonly groupMembers?: Record<string, ReadonlyArray<string>>
  readonly similar?: Record<string, ReadonlyArray<{ readonly id: string; readonly shared: number }>>
  readonly cells?: Record<string, ReadonlyArray<{ readonly id: string; readonly popularity: number }>>
  readonly inactive?: ReadonlyArray<string>
}

const build = (interner: Interner, tables: Tables): Snapshot => {
  const refs = <A, B>(record: Record<string, A> | undefined, f: (value: A) => B) =>
    new Map<Ref, B>(Object.entries(record ?? {}).map(([key, value]) => [interner.ref(key), f(value)]))
  const list = (ids: ReadonlyArray<string>) => interner.refsOf(ids)
  const groups = refs(tables.groups, (group) => group)
  const events = refs(tables.events, (event) => ({
    ...event,
    groupId: interner.ref(event.groupId),
    creatorId: event.creatorId === undefined ? null : interner.ref(event.creatorId)
  }))
  const maps = {
    nextEvents: refs(tables.nextEvents, list),
    recentGroups: refs(tables.recentGroups, list),
    friends: refs(tables.friends, list),
    going: refs(tables.going, list),
    groupMembers: refs(tables.groupMembers, list),
    similar: refs(tables.similar, (similar) =>
      similar.map((entry): Ranked => ({ id: interner.ref(entry.id), popularity: entry.shared }))
    )
  }
  const size = interner.ids.length + 100
  return {
    interner,
    groups: Targets.groups(groups, size),
    events: Targets.events(events, size),
    nextEvents: byRef(maps.nextEvents, size),
    groupTerms: Lists.from(refs(tables.groupTerms, (terms) => terms.map((term) => interner.term(term)))),
    termGroups: new Map(Object.entries(tables.termGroups ?? {}).map(([term, ids]) => [term, list(ids)])),
    cells: new Map(
      Object.entries(tables.cells ?? {}).map(([key, ranked]) => [
        key,
        ranked.map((entry): Ranked => ({ id: interner.ref(entry.id), popularity: entry.popularity }))
      ])
    ),
    nearby: new Map(),
    recentGroups: Lists.from(maps.recentGroups),
    friends: Lists.from(maps.friends),
    going: Lists.from(maps.going),
    groupMembers: Lists.from(maps.groupMembers),
    similar: byRef(maps.similar, size),
    inactive: new Set(list(tables.inactive ?? []))
  }
}

const userRows = (
  interner: Interner,
  rows: Partial<Omit<UserRows, "userId" | "ref">> & { readonly id: string }
): UserRows => ({
  userId: rows.id,
  ref: interner.ref(rows.id),
  picked: [],
  goingCategories: [],
  reactionCategories: [],
  friends: [],
  groups: [],
  place: null,
  answered: [],
  known: [],
  dismissedGroups: [],
  dismissedEvents: [],
  dismissedPeople: [],
  bannedFrom: [],
  requested: [],
  contacts: [],
  ...rows
})

const small: SnapshotGroup = { memberCount: 0, place: null }

describe("Recommendation scoring", () => {
  it("infers interests from groups, plans and reactions, strongest first, weighed against the best", () => {
    const interner = new Interner()
    const [walks, reading, gone] = [id("g", 1), id("g", 2), id("g", 3)]
    // A group with no terms in the table (a deleted one) counts for nothing.
    const snapshot = build(interner, { groupTerms: { [walks]: ["hiking", "trails"], [reading]: ["hiking", "books"] } })
    const interests = inferInterests(
      userRows(interner, {
        id: id("u", 1),
        groups: interner.refsOf([walks, reading, gone]),
        goingCategories: ["hiking", "books"],
        reactionCategories: ["games", "games"]
      }),
      snapshot
    )
    expect(interests).toEqual([
      { interest: "hiking", weight: 1 },
      { interest: "books", weight: Math.fround(2 / 3) },
      { interest: "trails", weight: Math.fround(1 / 3) },
      { interest: "games", weight: Math.fround(0.5 / 3) }
    ])
  })

  it("scores groups by interest, friends, shared members and popularity, and never suggests what it must not", () => {
    const interner = new Interner()
    const [me, friendA, friendB] = [id("u", 1), id("u", 2), id("u", 3)]
    const trails = id("g", 1),
      books = id("g", 2),
      mine = id("g", 3),
      banned = id("g", 4),
      asked = id("g", 5),
      dismissed = id("g", 6),
      privateOne = id("g", 7),
      similar = id("g", 8)
    const snapshot = build(interner, {
      groups: {
        [trails]: { memberCount: 20, place: null },
        [books]: small,
        [mine]: small,
        [banned]: small,
        [asked]: small,
        [dismissed]: small,
        [similar]: small
      },
      termGroups: { "board-games": [trails], hiking: [banned, asked, dismissed, mine] },
      groupTerms: { [mine]: ["hiking"] },
      recentGroups: { [friendA]: [books, privateOne], [friendB]: [books] },
      similar: { [mine]: [{ id: similar, shared: 14 }] }
    })
    const user = userRows(interner, {
      id: me,
      picked: ["Board Games"],
      friends: interner.refsOf([friendA, friendB]),
      groups: interner.refsOf([mine]),
      bannedFrom: interner.refsOf([banned]),
      requested: interner.refsOf([asked]),
      dismissedGroups: interner.refsOf([dismissed])
    })
    const { groups } = suggest(user, snapshot, settings, now)
    expect(groups.map((item) => [interner.ids[item.ref], item.score, item.interest, item.friends, item.co])).toEqual([
      // 25 for each friend who recently joined.
      [books, 50, null, 2, 0],
      // 40 for a picked interest (spaces as "-"), 6 for 20 members (2 × ln 21, rounded).
      [trails, 46, "board-games", 0, 0],
      // 2 × shared members, at most 20.
      [similar, 20, null, 0, 1]
    ])
  })

  it("keeps the best of each kind, ties going to the smaller id", () => {
    // A few tied candidates are sorted one way, many another (see `best`): both orders are the ids'.
    for (const tied of [30, 100]) {
      const interner = new Interner()
      const friends = Array.from({ length: tied }, (_, n) => id("u", 200 + n))
      const groups = Array.from({ length: tied }, (_, n) => id("g", 200 - n))
      const snapshot = build(interner, {
        groups: Object.fromEntries(groups.map((group) => [group, small])),
        recentGroups: Object.fromEntries(friends.map((friend, n) => [friend, [groups[n] ?? ""]]))
      })
      const user = userRows(interner, { id: id("u", 1), friends: interner.refsOf(friends) })
      const kept = suggest(user, snapshot, { ...settings, keep: 5 }, now).groups
      expect(kept.map((item) => interner.ids[item.ref])).toEqual([...groups].sort().slice(0, 5))
    }
  })

  it("suggests the next events of your groups and of groups matching you, not those answered, hosted, past or of a ban", () => {
    const interner = new Interner()
    const [me, friend] = [id("u", 1), id("u", 2)]
    const [mine, hiking, banned] = [id("g", 1), id("g", 2), id("g", 3)]
    const walk = id("e", 1),
      climb = id("e", 2),
      answered = id("e", 3),
      hosted = id("e", 4),
      past = id("e", 5),
      ofBan = id("e", 6),
      friendsPlan = id("e", 7)
    const event = (groupId: string, extra: Partial<{ creatorId: string; startsAt: number }> = {}) => ({
      groupId,
      goingCount: 0,
      place: null,
      startsAt: later,
      ...extra
    })
    const snapshot = build(interner, {
      groups: { [mine]: small, [hiking]: small, [banned]: small },
      termGroups: { hiking: [hiking] },
      events: {
        [walk]: event(mine),
        [climb]: event(hiking),
        [answered]: event(mine),
        [hosted]: event(mine, { creatorId: me }),
        [past]: event(hiking, { startsAt: now - 1 }),
        [ofBan]: event(banned),
        [friendsPlan]: event(banned)
      },
      nextEvents: { [mine]: [walk, answered, hosted], [hiking]: [climb, past] },
      going: { [friend]: [ofBan] }
    })
    const user = userRows(interner, {
      id: me,
      picked: ["hiking"],
      friends: interner.refsOf([friend]),
      groups: interner.refsOf([mine]),
      answered: interner.refsOf([answered]),
      bannedFrom: interner.refsOf([banned])
    })
    const { events } = suggest(user, snapshot, settings, now)
    expect(events.map((item) => [interner.ids[item.ref], item.score, item.mine, item.interest])).toEqual([
      [walk, 30, true, null],
      [climb, 20, false, "hiking"]
    ])
  })

  it("suggests friends' friends, contacts and recent members, never someone known, yourself or an inactive account", () => {
    const interner = new Interner()
    const me = id("u", 1),
      friend = id("u", 2),
      fof = id("u", 3),
      contact = id("u", 4),
      member = id("u", 5),
      known = id("u", 6),
      gone = id("u", 7)
    const group = id("g", 1)
    const snapshot = build(interner, {
      friends: { [friend]: [fof, me, known, gone] },
      groupMembers: { [group]: [member, fof, me] },
      inactive: [gone]
    })
    const user = userRows(interner, {
      id: me,
      friends: interner.refsOf([friend]),
      groups: interner.refsOf([group]),
      known: interner.refsOf([friend, known]),
      contacts: interner.refsOf([contact])
    })
    const { people } = suggest(user, snapshot, settings, now)
    expect(people.map((item) => [interner.ids[item.ref], item.score, item.friends, item.co, item.contact])).toEqual([
      [contact, 50, 0, 0, true],
      [fof, 18, 1, 1, false],
      [member, 8, 0, 1, false]
    ])
  })

  it("puts what is near first, with its distance, from the cells around the user's", () => {
    const interner = new Interner()
    const berlin = { latitude: 52.52, longitude: 13.405 }
    const [near, far] = [id("g", 1), id("g", 2)]
    const cell = (place: { latitude: number; longitude: number }) => {
      const size = 50 / 111.2
      return `group:${Math.floor(place.latitude / size)}:${Math.floor(place.longitude / size)}`
    }
    const nearPlace = { latitude: 52.53, longitude: 13.42 }
    // Beyond the radius by latitude alone (Munich), by longitude alone (Warsaw's longitude at
    // Berlin's latitude), and within it by a hair's less than the radius in latitude.
    const [east, north] = [id("g", 3), id("g", 4)]
    const snapshot = build(interner, {
      groups: {
        [near]: { memberCount: 2, place: nearPlace },
        [far]: { memberCount: 2, place: { latitude: 48.137, longitude: 11.575 } },
        [east]: { memberCount: 2, place: { latitude: 52.52, longitude: 21.01 } },
        [north]: { memberCount: 2, place: { latitude: 52.52 + 49.9 / 111.195, longitude: 13.405 } }
      },
      cells: { [cell(nearPlace)]: [{ id: near, popularity: 2 }] },
      termGroups: { hiking: [far, near, east, north] }
    })
    const user = userRows(interner, { id: id("u", 1), picked: ["hiking"], place: berlin })
    const { groups } = suggest(user, snapshot, settings, now)
    expect(groups.map((item) => [interner.ids[item.ref], item.nearby, kmOf(item)])).toEqual([
      [near, true, 1.5],
      [far, false, 504.3],
      [east, false, 514.3],
      [north, true, 49.9]
    ])
    expect(distanceKm(berlin, berlin)).toBe(0)
  })

  it("digests a list by what is stored of it", () => {
    const interner = new Interner()
    const item: Item = {
      ref: interner.ref(id("g", 1)),
      score: 40,
      interest: "hiking",
      friends: 2,
      co: 1,
      mine: false,
      contact: false,
      nearby: true,
      km: 1.52
    }
    const digest = (items: ReadonlyArray<Item>) => listDigest(interner, items)
    const base = digest([item])
    expect(Number.isSafeInteger(base) && base >= 0).toBe(true)
    // The same stored content: the distance is kept to a tenth of a km, counts to what a smallint holds.
    expect(digest([{ ...item, km: 1.54 }])).toBe(base)
    expect(digest([{ ...item, friends: 40_000 }])).toBe(digest([{ ...item, friends: 50_000 }]))
    const changed: ReadonlyArray<Partial<Item>> = [
      { ref: interner.ref(id("g", 2)) },
      { score: 41 },
      { interest: null },
      { interest: "" },
      { interest: "hikinh" },
      { friends: 3 },
      { co: 0 },
      { mine: true },
      { contact: true },
      { nearby: false },
      { km: 1.6 },
      { km: Number.NaN }
    ]
    const digests = changed.map((change) => digest([{ ...item, ...change }]))
    for (const other of digests) expect(other).not.toBe(base)
    expect(new Set(digests).size).toBe(digests.length)
    expect(digest([])).not.toBe(base)
    expect(digest([item, item])).not.toBe(base)
  })

  it("orders numbered ids as their text", () => {
    const interner = new Interner()
    const ids = [
      "ffffffff-ffff-4000-8000-000000000000",
      "00000000-0000-4000-8000-000000000002",
      "00000000-0000-4000-8000-000000000001",
      "0000000a-0000-4000-8000-000000000000",
      "00000000-000a-4000-8000-000000000000"
    ]
    const refs = interner.refsOf(ids)
    expect(refs.sort((a, b) => interner.compare(a, b)).map((ref) => interner.ids[ref])).toEqual([...ids].sort())
  })

  it("numbers ids given as their bytes as it numbers their text, through its table growing", () => {
    const interner = new Interner()
    // Time-ordered ids share their first bytes; these differ in the last ones only, then in the first.
    const ids = Array.from({ length: 5000 }, (_, n) =>
      n % 2 === 0
        ? `0190a1b2-c3d4-7000-8000-${n.toString(16).padStart(12, "0")}`
        : `${n.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`
    )
    const byText = interner.refsOf(ids.slice(0, 2500))
    const bytes = Buffer.concat(ids.map((id) => Buffer.from(id.replaceAll("-", ""), "hex")))
    const byBytes = interner.refsOfBytes(bytes)
    expect(byBytes.slice(0, 2500)).toEqual(byText)
    // The ids first met as bytes get their text, and are found by it afterwards.
    expect(byBytes.map((ref) => interner.ids[ref])).toEqual(ids)
    expect(interner.refsOf(ids)).toEqual(byBytes)
    expect(new Set(byBytes).size).toBe(ids.length)
    expect(interner.refsOfBytes(new Uint8Array(0))).toEqual([])
  })
})
