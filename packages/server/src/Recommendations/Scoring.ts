/**
 * The scoring of suggestions, in memory: what a rebuild computes for one user from their own rows
 * (`UserRows`, gathered by `RebuildRepo`) and the snapshot of what may be suggested (`Snapshot`). It
 * reads nothing and writes nothing, so it is the same for the nightly rebuild (which holds the whole
 * snapshot) and for the refresh of one user (which loads only the snapshot rows that user can reach),
 * and it is tested without a database (`Scoring.test.ts`).
 *
 * Points, as docs/recommendations.md lists them. Groups: an interest 40 × its weight (a picked one
 * weighs 1, an inferred one 0.8 × its own weight; the user's best 5), a friend who recently joined
 * 25, a group sharing members with one of your 5 newest groups 2 × shared (at most 20), popular
 * nearby 15. Events: the next two of your 5 newest groups 30, of a group suggested for an interest 20,
 * a friend going 20, popular nearby 15. People: a friend's friend 10, in your contacts 50, a recent
 * member of one of your 3 newest groups 8. Groups and events then add their popularity
 * (2 × ln(size + 1), at most 20) and their nearness (up to 20 within the radius, falling linearly
 * with distance). Ties go to the smaller id.
 */

/** How far "nearby" reaches, and how many suggestions of each kind a user keeps. */
export interface RebuildSettings {
  readonly radiusKm: number
  readonly keep: number
}

export interface Place {
  readonly latitude: number
  readonly longitude: number
}

/**
 * Ids as small numbers: every id a rebuild reads is numbered once by an `Interner`, so that scoring
 * meets numbers in its maps and sets, not 36-character strings (which made it 4 times slower).
 */
export type Ref = number

/**
 * A table by id number: `table[ref]`, undefined where the id has nothing. Arrays, not maps: a
 * million lookups by index cost a fraction of the same by key.
 */
export type ByRef<A> = ReadonlyArray<A | undefined>

/** A map by id number as a `ByRef` table of `size` entries (every ref numbered so far). */
export const byRef = <A>(map: ReadonlyMap<Ref, A>, size: number): Array<A | undefined> => {
  const table = new Array<A | undefined>(size).fill(undefined)
  for (const [ref, value] of map) table[ref] = value
  return table
}

/**
 * Each id's list of ids, packed in arrays of numbers: the list of `ref` is `items` from `start[ref]`
 * to `end[ref]`. The snapshot's lists of people (a hundred thousand of each kind) take a few
 * megabytes this way instead of a hundred thousand arrays, and reading them touches two places in
 * memory instead of several. Made by a `ListsBuilder`.
 */
export class Lists {
  static readonly empty = new Int32Array(0)
  private readonly start: Int32Array
  private readonly end: Int32Array
  private readonly items: Int32Array
  constructor(start: Int32Array, end: Int32Array, items: Int32Array) {
    this.start = start
    this.end = end
    this.items = items
  }
  static from(map: ReadonlyMap<Ref, ReadonlyArray<Ref>>): Lists {
    const builder = new ListsBuilder()
    for (const [ref, list] of map) for (const item of list) builder.add(ref, item)
    return builder.build()
  }
  /**
   * Where the list of `ref` starts and ends (`at` reads it): scoring walks lists this way, as
   * `of`'s view of each list cost an allocation per list read, millions in a full rebuild.
   */
  first(ref: Ref): number {
    return this.start[ref] ?? 0
  }
  last(ref: Ref): number {
    return this.end[ref] ?? 0
  }
  at(index: number): Ref {
    return this.items[index] ?? 0
  }
  /** The list of `ref` (empty when it has none). */
  of(ref: Ref): Int32Array {
    if (ref >= this.start.length) return Lists.empty
    return this.items.subarray(this.start[ref] ?? 0, this.end[ref] ?? 0)
  }
}

/** Packs (key, item) pairs into `Lists`; each key's pairs must come together (rows ordered by key). */
export class ListsBuilder {
  private start = new Int32Array(1024)
  private end = new Int32Array(1024)
  private items = new Int32Array(1024)
  private count = 0
  private current = -1
  add(key: Ref, item: Ref) {
    if (key !== this.current) {
      this.current = key
      if (key >= this.start.length) {
        this.start = grow(this.start, key)
        this.end = grow(this.end, key)
      }
      this.start[key] = this.count
    }
    if (this.count === this.items.length) this.items = grow(this.items, this.count)
    this.items[this.count] = item
    this.count += 1
    this.end[key] = this.count
  }
  build(): Lists {
    return new Lists(this.start, this.end, this.items.slice(0, this.count))
  }
}

/** A copy of `array` with room for index `last` (at least twice as long). */
const grow = (array: Int32Array, last: number) => {
  let size = array.length * 2
  while (size <= last) size *= 2
  const bigger = new Int32Array(size)
  bigger.set(array)
  return bigger
}

const hexValue = (code: number) => (code <= 57 ? code - 48 : (code | 32) - 87)

/** Writes the 16 bytes of a uuid's text (32 hex digits, dashes anywhere) at `offset` of `target`. */
export const uuidBytes = (id: string, target: Uint8Array, offset: number) => {
  let at = 0
  for (let index = 0; index < 16; index++) {
    if (id.charCodeAt(at) === 45) at++
    target[offset + index] = (hexValue(id.charCodeAt(at)) << 4) | hexValue(id.charCodeAt(at + 1))
    at += 2
  }
}

const hexPairs = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"))

/** The text of the uuid whose 16 bytes are at `offset` of `source`. */
const uuidText = (source: Uint8Array, offset: number) => {
  let text = ""
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) text += "-"
    text += hexPairs[source[offset + index] ?? 0]
  }
  return text
}

/** A hash of the 16 bytes at `offset` (all of them: time-ordered uuids share their first bytes). */
const hashBytes = (source: Uint8Array, offset: number) => {
  let hash = 0x811c9dc5
  for (let index = 0; index < 16; index += 4) {
    const word =
      (source[offset + index] ?? 0) |
      ((source[offset + index + 1] ?? 0) << 8) |
      ((source[offset + index + 2] ?? 0) << 16) |
      ((source[offset + index + 3] ?? 0) << 24)
    hash = Math.imul(hash ^ word, 0x9e3779b1)
  }
  return hash ^ (hash >>> 15)
}

/**
 * Numbers ids in the order first seen; `ids[ref]` is the id again, and `order[ref]` its first 12 hex
 * digits as a number, which orders ids as their text does (ties between two ids sharing those are
 * broken by the text): scores tie often, and comparing numbers is much cheaper than comparing text.
 * `bytes` holds each id's 16 bytes, as the lists are written (`ListsWire.ts`) and as a batch's rows
 * arrive (`refsOfBytes`): ids found by their bytes in a table of numbers cost a fraction of building
 * each one's text and looking that up in a map.
 */
export class Interner {
  readonly ids: Array<string> = []
  readonly order: Array<number> = []
  bytes = new Uint8Array(16 * 1024)
  /** Terms (categories and tags) as numbers too, for the inference of interests (`term`). */
  readonly terms: Array<string> = []
  private readonly termNumbers = new Map<string, number>()
  private readonly refs = new Map<string, Ref>()
  /** Open addressing by `hashBytes`: each slot holds a ref + 1 (0 is empty), kept under half full. */
  private slots = new Int32Array(4096)

  ref(id: string): Ref {
    return this.refs.get(id) ?? this.add(id)
  }
  /** The number of a term (`terms[number]` is the term again), numbered now if new. */
  term(term: string): number {
    let number = this.termNumbers.get(term)
    if (number === undefined) {
      number = this.terms.length
      this.terms.push(term)
      this.termNumbers.set(term, number)
    }
    return number
  }
  refsOf(ids: ReadonlyArray<string>): Array<Ref> {
    return ids.map((id) => this.ref(id))
  }
  /** The ref of the id whose 16 bytes are at `offset` of `source`, numbered now if new. */
  refOfBytes(source: Uint8Array, offset: number): Ref {
    const mask = this.slots.length - 1
    let slot = hashBytes(source, offset) & mask
    while (true) {
      const entry = this.slots[slot] ?? 0
      if (entry === 0) return this.add(uuidText(source, offset))
      const ref = entry - 1
      if (this.sameBytes(ref, source, offset)) return ref
      slot = (slot + 1) & mask
    }
  }
  /** The refs of ids given as their bytes one after the other (Postgres's `uuid_send`, concatenated). */
  refsOfBytes(source: Uint8Array): Array<Ref> {
    const refs = new Array<Ref>(source.length >>> 4)
    for (let index = 0; index < refs.length; index++) refs[index] = this.refOfBytes(source, index * 16)
    return refs
  }
  idsOf(refs: Iterable<Ref>): Array<string> {
    return Array.from(refs, (ref) => this.ids[ref] ?? "")
  }
  /** Orders two numbered ids as their text. */
  compare(a: Ref, b: Ref): number {
    return (this.order[a] ?? 0) - (this.order[b] ?? 0) || byIdAscending(this.ids[a] ?? "", this.ids[b] ?? "")
  }

  private add(id: string): Ref {
    const ref = this.ids.length
    this.ids.push(id)
    this.order.push(Number.parseInt(id.slice(0, 8), 16) * 0x10000 + Number.parseInt(id.slice(9, 13), 16))
    this.refs.set(id, ref)
    if (ref * 16 + 16 > this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2)
      bigger.set(this.bytes)
      this.bytes = bigger
    }
    uuidBytes(id, this.bytes, ref * 16)
    if (this.ids.length * 2 > this.slots.length) {
      this.slots = new Int32Array(this.slots.length * 2)
      for (let each = 0; each < this.ids.length; each++) this.place(each)
    } else {
      this.place(ref)
    }
    return ref
  }
  private place(ref: Ref) {
    const mask = this.slots.length - 1
    let slot = hashBytes(this.bytes, ref * 16) & mask
    while ((this.slots[slot] ?? 0) !== 0) slot = (slot + 1) & mask
    this.slots[slot] = ref + 1
  }
  private sameBytes(ref: Ref, source: Uint8Array, offset: number) {
    const at = ref * 16
    for (let index = 0; index < 16; index++) if (this.bytes[at + index] !== source[offset + index]) return false
    return true
  }
}

/** One user's own rows, as a rebuild gathers them, with their ids numbered by the snapshot's interner. */
export interface UserRows {
  readonly userId: string
  readonly ref: Ref
  /** The interests they picked, as typed. */
  readonly picked: ReadonlyArray<string>
  /** The categories of the groups of the events they are going to. */
  readonly goingCategories: ReadonlyArray<string>
  /** The categories of the groups of the posts of their last 100 reactions. */
  readonly reactionCategories: ReadonlyArray<string>
  /** Their friends (at most 100). */
  readonly friends: ReadonlyArray<Ref>
  /** Their groups, newest first. */
  readonly groups: ReadonlyArray<Ref>
  readonly place: Place | null
  /** The events they answered, whatever the answer. */
  readonly answered: ReadonlyArray<Ref>
  /** The people they follow or asked to, are friends with or asked, blocked or who blocked them. */
  readonly known: ReadonlyArray<Ref>
  readonly dismissedGroups: ReadonlyArray<Ref>
  readonly dismissedEvents: ReadonlyArray<Ref>
  readonly dismissedPeople: ReadonlyArray<Ref>
  readonly bannedFrom: ReadonlyArray<Ref>
  readonly requested: ReadonlyArray<Ref>
  /** The people whose verified number is in their contacts and who are findable by phone. */
  readonly contacts: ReadonlyArray<Ref>
}

export interface SnapshotGroup {
  readonly memberCount: number
  readonly place: Place | null
}

export interface SnapshotEvent {
  readonly groupId: Ref
  readonly creatorId: Ref | null
  readonly goingCount: number
  readonly place: Place | null
  readonly startsAt: number
}

export interface Ranked {
  readonly id: Ref
  readonly popularity: number
}

/**
 * The snapshot's groups or events by id number, as columns. Scoring reads a few fields of a hundred
 * or so candidates per user: from an object each (and its place, another) those reads were where
 * its time went, waiting on memory; here each is one read of an array a few hundred kilobytes long.
 * `size` is a group's members or an event's going; `latitude` is NaN without a place. The columns
 * only events have (`group`, `creator`, -1 for none, `startsAt`) are empty for groups.
 */
export class Targets {
  private readonly present: Uint8Array
  readonly size: Int32Array
  readonly latitude: Float64Array
  readonly longitude: Float64Array
  readonly group: Int32Array
  readonly creator: Int32Array
  readonly startsAt: Float64Array
  private constructor(length: number, events: boolean) {
    this.present = new Uint8Array(length)
    this.size = new Int32Array(length)
    this.latitude = new Float64Array(length).fill(Number.NaN)
    this.longitude = new Float64Array(length).fill(Number.NaN)
    this.group = new Int32Array(events ? length : 0)
    this.creator = new Int32Array(events ? length : 0)
    this.startsAt = new Float64Array(events ? length : 0)
  }
  /** The groups, in a table of `length` ids (every ref numbered so far). */
  static groups(map: ReadonlyMap<Ref, SnapshotGroup>, length: number): Targets {
    const table = new Targets(length, false)
    for (const [ref, group] of map) table.set(ref, group.memberCount, group.place)
    return table
  }
  static events(map: ReadonlyMap<Ref, SnapshotEvent>, length: number): Targets {
    const table = new Targets(length, true)
    for (const [ref, event] of map) {
      table.set(ref, event.goingCount, event.place)
      table.group[ref] = event.groupId
      table.creator[ref] = event.creatorId ?? -1
      table.startsAt[ref] = event.startsAt
    }
    return table
  }
  has(ref: Ref): boolean {
    return this.present[ref] === 1
  }
  place(ref: Ref): Place | null {
    const latitude = this.latitude[ref] ?? Number.NaN
    const longitude = this.longitude[ref] ?? Number.NaN
    return Number.isNaN(latitude) || Number.isNaN(longitude) ? null : { latitude, longitude }
  }
  private set(ref: Ref, size: number, place: Place | null) {
    this.present[ref] = 1
    this.size[ref] = size
    if (place !== null) {
      this.latitude[ref] = place.latitude
      this.longitude[ref] = place.longitude
    }
  }
}

/**
 * The snapshot of what may be suggested, as tables by id number: the nightly rebuild loads it whole,
 * a refresh only the rows its user reaches. An id missing from a table has nothing.
 */
export interface Snapshot {
  /** The numbers of every id below (and of the users' rows scored against it). */
  readonly interner: Interner
  /** Public groups. */
  readonly groups: Targets
  /** Upcoming events of public groups. */
  readonly events: Targets
  /** Each group's next two events. */
  readonly nextEvents: ByRef<ReadonlyArray<Ref>>
  /**
   * The category (unless "other") and tags of every group not deleted, private ones too, numbered
   * (`Interner.term`): what a member's interests are inferred from.
   */
  readonly groupTerms: Lists
  /** Each term's five largest groups. */
  readonly termGroups: ReadonlyMap<string, ReadonlyArray<Ref>>
  /** The most popular groups and events of each grid cell (`cellKey`). */
  readonly cells: ReadonlyMap<string, ReadonlyArray<Ranked>>
  /** What `nearbyOf` found around each cell, filled as users are scored: users share cells. */
  readonly nearby: Map<string, ReadonlyArray<Ref>>
  /** Each person's three newest groups. */
  readonly recentGroups: Lists
  /** Each person's four newest friends. */
  readonly friends: Lists
  /** Each person's three next events they go to or are interested in. */
  readonly going: Lists
  /** Each group's five newest members. */
  readonly groupMembers: Lists
  /** Each group's three groups sharing the most members, with how many. */
  readonly similar: ByRef<ReadonlyArray<Ranked>>
  /** Accounts that are not active (suspended, deleted), never suggested. */
  readonly inactive: ReadonlySet<Ref>
}

/**
 * A kept suggestion: the target and what its reasons are made of, made by `Candidates.best` for the
 * kept candidates only (a full rebuild keeps six million of them).
 */
export interface Item {
  readonly ref: Ref
  readonly score: number
  readonly interest: string | null
  readonly friends: number
  readonly co: number
  /** An event of one of the user's own groups. */
  readonly mine: boolean
  readonly contact: boolean
  /** Within the radius. */
  readonly nearby: boolean
  /** How far, in km; NaN without a place on either side (see `kmOf`). */
  readonly km: number
}

/** An item's distance as stored: to a tenth of a km, null without one. */
export const kmOf = (item: Item): number | null => (Number.isNaN(item.km) ? null : Math.round(item.km * 10) / 10)

export interface Interest {
  readonly interest: string
  readonly weight: number
}

export interface Suggestions {
  readonly userId: string
  readonly interests: ReadonlyArray<Interest>
  readonly groups: ReadonlyArray<Item>
  readonly events: ReadonlyArray<Item>
  readonly people: ReadonlyArray<Item>
}

/** The side of a cell of the nearby grid, in degrees: about the radius. */
export const cellDegrees = (settings: RebuildSettings) => Math.max(settings.radiusKm / 111.2, 0.01)

export const cellKey = (kind: "group" | "event", lat: number, lon: number) => `${kind}:${lat}:${lon}`

const radians = (degrees: number) => (degrees * Math.PI) / 180

/** Great-circle distance in km (haversine, on a sphere of radius 6,371 km). */
export const distanceKm = (from: Place, to: Place) => distanceKmTo(from, to.latitude, to.longitude)

const distanceKmTo = (from: Place, latitude: number, longitude: number) => {
  const a =
    Math.sin(radians(latitude - from.latitude) / 2) ** 2 +
    Math.cos(radians(from.latitude)) *
      Math.cos(radians(latitude)) *
      Math.sin(radians(longitude - from.longitude) / 2) ** 2
  return 12742 * Math.asin(Math.min(1, Math.sqrt(a)))
}

/** A picked interest as group terms spell it: lower-case, spaces as `-`. */
const asTerm = (interest: string) => interest.trim().toLowerCase().replaceAll(" ", "-")

const byIdAscending = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Each term's points while a user's interests are inferred, by term number, and which have some. */
let termPoints = new Float64Array(64)
const pointed: Array<number> = []

/**
 * The inferred interests: each signal's points summed by term (the terms of each of their groups,
 * from `groupTerms`), the strongest 10, weighed against the best. Terms are summed by number in one
 * table shared by every call (inference is synchronous): a map of terms per user was a tenth of the
 * scoring's time.
 */
export const inferInterests = (
  user: UserRows,
  snapshot: Pick<Snapshot, "groupTerms" | "interner">
): ReadonlyArray<Interest> => {
  const { groupTerms, interner } = snapshot
  const add = (term: number, worth: number) => {
    if (term >= termPoints.length) {
      const bigger = new Float64Array(Math.max(termPoints.length * 2, term + 1))
      bigger.set(termPoints)
      termPoints = bigger
    }
    if (termPoints[term] === 0) pointed.push(term)
    termPoints[term] = (termPoints[term] ?? 0) + worth
  }
  for (const group of user.groups) {
    for (let at = groupTerms.first(group); at < groupTerms.last(group); at++) add(groupTerms.at(at), 1)
  }
  for (const category of user.goingCategories) add(interner.term(category), 1)
  for (const category of user.reactionCategories) add(interner.term(category), 0.25)
  const points = termPoints
  const names = interner.terms
  pointed.sort((a, b) => (points[b] ?? 0) - (points[a] ?? 0) || byIdAscending(names[a] ?? "", names[b] ?? ""))
  const best = pointed.length === 0 ? 1 : (points[pointed[0] ?? 0] ?? 1)
  // Stored as `real`: the weight a later read (and the group scoring below) sees.
  const interests = pointed
    .slice(0, 10)
    .map((term) => ({ interest: names[term] ?? "", weight: Math.fround((points[term] ?? 0) / best) }))
  for (const term of pointed) points[term] = 0
  pointed.length = 0
  return interests
}

/**
 * The candidates of one kind for one user while the sources add to them, as columns (entry `index`
 * of each is one candidate), found by id number in `slot`. A full rebuild meets some twenty million
 * candidates and keeps six million: an object for each was most of its allocations and of its
 * collector's work, and an object per kept one is what is left (`best`). One set of columns serves
 * every scoring in this process (scoring is synchronous: one user's kind at a time; `best` empties
 * it). It also holds the scoring's sets of ids (`newSet`, `mark`, `marked`): marks by id number, a
 * set being a generation of them, so that a set costs nothing to make or to empty.
 */
class Candidates {
  /** Where each id's candidate is, plus one (0: not a candidate), by id number. */
  private slot = new Int32Array(1024)
  /** The generation of the set each id was last marked in, by id number. */
  private marks = new Int32Array(1024)
  private generation = 0
  /** How many scores have each value, for `best`. */
  private counts = new Uint32Array(256)
  private kept: Array<number> = []
  count = 0
  refs = new Int32Array(256)
  points = new Int32Array(256)
  friends = new Int32Array(256)
  co = new Int32Array(256)
  mine = new Uint8Array(256)
  contact = new Uint8Array(256)
  interest: Array<string | null> = []
  /** The score of each, or -1 when it may not be suggested. */
  scores = new Int32Array(256)
  /** NaN without a distance, `beyond` when not measured. */
  km = new Float64Array(256)
  /** The kept ones' `Interner.order`, for `best`'s sort. */
  orders = new Float64Array(256)

  /** Adds `points` to the candidate `ref` (made now if new); where it is in the columns. */
  add(ref: Ref, points: number): number {
    if (ref >= this.slot.length) this.slot = grow(this.slot, ref)
    let index = (this.slot[ref] ?? 0) - 1
    if (index < 0) {
      index = this.count
      this.count += 1
      if (index === this.refs.length) this.growColumns()
      this.slot[ref] = index + 1
      this.refs[index] = ref
      this.points[index] = 0
      this.friends[index] = 0
      this.co[index] = 0
      this.mine[index] = 0
      this.contact[index] = 0
      this.interest[index] = null
      this.scores[index] = -1
      this.km[index] = Number.NaN
    }
    this.points[index] = (this.points[index] ?? 0) + points
    return index
  }

  /** `add`, counting a friend (or friend's friend) among its reasons. */
  addFriend(ref: Ref, points: number) {
    const index = this.add(ref, points)
    this.friends[index] = (this.friends[index] ?? 0) + 1
  }
  /** `add`, counting a shared group (or shared members) among its reasons. */
  addCo(ref: Ref, points: number) {
    const index = this.add(ref, points)
    this.co[index] = (this.co[index] ?? 0) + 1
  }
  /** `add`, for this interest. */
  addInterest(ref: Ref, points: number, interest: string) {
    this.interest[this.add(ref, points)] = interest
  }
  /** `add`, an event of one of the user's own groups. */
  addMine(ref: Ref, points: number) {
    this.mine[this.add(ref, points)] = 1
  }
  /** `add`, someone in the user's contacts. */
  addContact(ref: Ref, points: number) {
    this.contact[this.add(ref, points)] = 1
  }

  /** Starts a new set of ids holding these (the one `mark` and `marked` use until the next). */
  newSet(...lists: ReadonlyArray<ReadonlyArray<Ref>>) {
    if (this.generation === 0x7fffffff) {
      this.marks.fill(0)
      this.generation = 0
    }
    this.generation += 1
    for (const refs of lists) for (const ref of refs) this.mark(ref)
  }
  mark(ref: Ref) {
    if (ref >= this.marks.length) this.marks = grow(this.marks, ref)
    this.marks[ref] = this.generation
  }
  marked(ref: Ref): boolean {
    return this.marks[ref] === this.generation
  }

  /**
   * The best `keep` of the scored candidates as items, by score then id; the columns are empty
   * again. Scores are small integers and a user has a few hundred candidates: a count of each score
   * finds the lowest kept one, and only what is kept is sorted. A kept candidate whose distance was
   * not measured (`beyond`) is measured now, by `measure`.
   */
  best(interner: Interner, settings: RebuildSettings, measure?: (ref: Ref) => number): ReadonlyArray<Item> {
    const { keep } = settings
    const { count, scores, refs, orders } = this
    let top = 0
    for (let index = 0; index < count; index++) top = Math.max(top, scores[index] ?? 0)
    if (this.counts.length <= top) this.counts = new Uint32Array(top * 2)
    const counts = this.counts
    for (let index = 0; index < count; index++) {
      const score = scores[index] ?? -1
      if (score >= 0) counts[score] = (counts[score] ?? 0) + 1
    }
    let lowest = top
    let seen = 0
    for (; lowest > 0; lowest--) {
      seen += counts[lowest] ?? 0
      if (seen >= keep) break
    }
    counts.fill(0, 0, top + 1)
    const kept = this.kept
    kept.length = 0
    for (let index = 0; index < count; index++) {
      const ref = refs[index] ?? 0
      if ((scores[index] ?? -1) >= lowest) {
        kept.push(index)
        orders[index] = interner.order[ref] ?? 0
      }
      this.slot[ref] = 0
    }
    this.count = 0
    // Higher scores first, then ids in their text's order (`Interner.order`, the text on a tie).
    const before = (a: number, b: number) => {
      const byScore = (scores[b] ?? 0) - (scores[a] ?? 0)
      if (byScore !== 0) return byScore
      const byOrder = (orders[a] ?? 0) - (orders[b] ?? 0)
      return byOrder !== 0 ? byOrder : interner.compare(refs[a] ?? 0, refs[b] ?? 0)
    }
    // Usually a few dozen: sorted in place by insertion, which beats `sort`'s calls for so few.
    if (kept.length <= 64) {
      for (let at = 1; at < kept.length; at++) {
        const index = kept[at] ?? 0
        let to = at
        for (; to > 0 && before(kept[to - 1] ?? 0, index) > 0; to--) kept[to] = kept[to - 1] ?? 0
        kept[to] = index
      }
    } else {
      kept.sort(before)
    }
    if (kept.length > keep) kept.length = keep
    return kept.map((index): Item => {
      const ref = refs[index] ?? 0
      const measured = this.km[index] ?? Number.NaN
      const km = measured === beyond && measure !== undefined ? measure(ref) : measured
      return {
        ref,
        score: scores[index] ?? 0,
        interest: this.interest[index] ?? null,
        friends: this.friends[index] ?? 0,
        co: this.co[index] ?? 0,
        mine: this.mine[index] === 1,
        contact: this.contact[index] === 1,
        nearby: km <= settings.radiusKm,
        km
      }
    })
  }

  private growColumns() {
    const size = this.refs.length * 2
    this.refs = grow(this.refs, size - 1)
    this.points = grow(this.points, size - 1)
    this.friends = grow(this.friends, size - 1)
    this.co = grow(this.co, size - 1)
    this.scores = grow(this.scores, size - 1)
    const mine = new Uint8Array(size)
    mine.set(this.mine)
    this.mine = mine
    const contact = new Uint8Array(size)
    contact.set(this.contact)
    this.contact = contact
    const km = new Float64Array(size)
    km.set(this.km)
    this.km = km
    this.orders = new Float64Array(size)
  }
}

const candidates = new Candidates()

/** The most popular groups or events of the cells around a place (the cell, one up or down, two across). */
export const nearbyOf = (
  snapshot: Pick<Snapshot, "cells" | "interner" | "nearby">,
  kind: "group" | "event",
  place: Place | null,
  settings: RebuildSettings
): ReadonlyArray<Ref> => {
  if (place === null) return []
  const size = cellDegrees(settings)
  const lat = Math.floor(place.latitude / size)
  const lon = Math.floor(place.longitude / size)
  const key = cellKey(kind, lat, lon)
  const known = snapshot.nearby.get(key)
  if (known !== undefined) return known
  const found: Array<Ranked> = []
  for (let y = lat - 1; y <= lat + 1; y++) {
    for (let x = lon - 2; x <= lon + 2; x++) {
      const cell = snapshot.cells.get(cellKey(kind, y, x))
      if (cell !== undefined) found.push(...cell)
    }
  }
  const nearby = found
    .sort((a, b) => b.popularity - a.popularity || snapshot.interner.compare(a.id, b.id))
    .slice(0, 10)
    .map((ranked) => ranked.id)
  snapshot.nearby.set(key, nearby)
  return nearby
}

const popularity = (size: number) => Math.min(Math.round(Math.log(size + 1) * 2), 20)

/** Up to 20 points within the radius, falling linearly with the distance; none without one (NaN). */
const nearness = (km: number, settings: RebuildSettings) =>
  km >= 0 && km <= settings.radiusKm ? Math.round(20 * (1 - km / settings.radiusKm)) : 0

/** A distance not measured because it is surely beyond the radius (see `distanceWithin`). */
const beyond = -1

/** The km of a degree of latitude, along a meridian (the radius `distanceKm` uses). */
const kmPerDegree = (6371 * Math.PI) / 180

/**
 * The distance between two places where it may be within the radius, `beyond` where it surely is
 * not, NaN without a place on either side. A great-circle distance is at least the one along a
 * meridian between the two latitudes: most candidates are in other cities, and measuring each was a
 * tenth of the scoring's time; the few kept ones beyond the radius are measured at the end (`best`).
 */
const distanceWithin = (from: Place | null, to: Targets, ref: Ref, settings: RebuildSettings) => {
  const latitude = to.latitude[ref] ?? Number.NaN
  if (from === null || Number.isNaN(latitude)) return Number.NaN
  if (Math.abs(latitude - from.latitude) * kmPerDegree > settings.radiusKm + 1) return beyond
  return distanceKmTo(from, latitude, to.longitude[ref] ?? Number.NaN)
}

const distanceBetween = (from: Place | null, to: Place | null) =>
  from === null || to === null ? Number.NaN : distanceKm(from, to)

/** The user's five strongest terms: picked ones weigh 1, their five best inferred ones 0.8 × theirs. */
const weighedTerms = (user: UserRows, interests: ReadonlyArray<Interest>) => {
  const weights = new Map<string, number>()
  const weigh = (term: string, weight: number) => {
    if (weight > (weights.get(term) ?? Number.NEGATIVE_INFINITY)) weights.set(term, weight)
  }
  for (const picked of user.picked) weigh(asTerm(picked), 1)
  for (const inferred of interests.slice(0, 5)) weigh(inferred.interest, inferred.weight * 0.8)
  return [...weights].sort(([a, x], [b, y]) => y - x || byIdAscending(a, b)).slice(0, 5)
}

/** The terms whose groups a user's scoring reads. */
export const termsOf = (user: UserRows, snapshot: Pick<Snapshot, "groupTerms" | "interner">): ReadonlyArray<string> =>
  weighedTerms(user, inferInterests(user, snapshot)).map(([term]) => term)

const suggestGroups = (
  user: UserRows,
  interests: ReadonlyArray<Interest>,
  snapshot: Snapshot,
  settings: RebuildSettings
): ReadonlyArray<Item> => {
  const terms = weighedTerms(user, interests)
  // A group matching several terms counts the strongest once.
  candidates.newSet()
  for (const [term, weight] of terms) {
    for (const groupId of snapshot.termGroups.get(term) ?? []) {
      if (candidates.marked(groupId)) continue
      candidates.mark(groupId)
      candidates.addInterest(groupId, Math.round(weight * 40), term)
    }
  }
  for (const friend of user.friends) {
    const groups = snapshot.recentGroups
    for (let at = groups.first(friend); at < groups.last(friend); at++) {
      candidates.addFriend(groups.at(at), 25)
    }
  }
  for (const groupId of user.groups.slice(0, 5)) {
    for (const similar of snapshot.similar[groupId] ?? []) {
      candidates.addCo(similar.id, Math.min(similar.popularity, 10) * 2)
    }
  }
  for (const groupId of nearbyOf(snapshot, "group", user.place, settings)) candidates.add(groupId, 15)
  // Never: their groups, those they are banned from or asked to join, those they dismissed.
  candidates.newSet(user.groups, user.bannedFrom, user.requested, user.dismissedGroups)
  const { refs, points, scores, km } = candidates
  for (let index = 0; index < candidates.count; index++) {
    const ref = refs[index] ?? 0
    const groups = snapshot.groups
    if (!groups.has(ref) || candidates.marked(ref)) continue
    const distance = distanceWithin(user.place, groups, ref, settings)
    km[index] = distance
    scores[index] = (points[index] ?? 0) + popularity(groups.size[ref] ?? 0) + nearness(distance, settings)
  }
  return candidates.best(snapshot.interner, settings, (ref) => distanceBetween(user.place, snapshot.groups.place(ref)))
}

const suggestEvents = (
  user: UserRows,
  groups: ReadonlyArray<Item>,
  snapshot: Snapshot,
  settings: RebuildSettings,
  now: number
): ReadonlyArray<Item> => {
  for (const groupId of user.groups.slice(0, 5)) {
    for (const eventId of snapshot.nextEvents[groupId] ?? []) candidates.addMine(eventId, 30)
  }
  for (const group of groups.slice(0, 5)) {
    if (group.interest === null) continue
    for (const eventId of snapshot.nextEvents[group.ref] ?? []) {
      candidates.addInterest(eventId, 20, group.interest)
    }
  }
  for (const friend of user.friends) {
    const going = snapshot.going
    for (let at = going.first(friend); at < going.last(friend); at++) {
      candidates.addFriend(going.at(at), 20)
    }
  }
  for (const eventId of nearbyOf(snapshot, "event", user.place, settings)) candidates.add(eventId, 15)
  // Never: the events they answered or dismissed, or of a group they are banned from.
  candidates.newSet(user.answered, user.dismissedEvents)
  const { refs, points, scores, km } = candidates
  for (let index = 0; index < candidates.count; index++) {
    const ref = refs[index] ?? 0
    const events = snapshot.events
    if (
      !events.has(ref) ||
      (events.startsAt[ref] ?? 0) <= now ||
      events.creator[ref] === user.ref ||
      candidates.marked(ref) ||
      user.bannedFrom.includes(events.group[ref] ?? -1)
    ) {
      continue
    }
    const distance = distanceWithin(user.place, events, ref, settings)
    km[index] = distance
    scores[index] = (points[index] ?? 0) + popularity(events.size[ref] ?? 0) + nearness(distance, settings)
  }
  return candidates.best(snapshot.interner, settings, (ref) => distanceBetween(user.place, snapshot.events.place(ref)))
}

const suggestPeople = (user: UserRows, snapshot: Snapshot, settings: RebuildSettings): ReadonlyArray<Item> => {
  for (const friend of user.friends) {
    const theirs = snapshot.friends
    for (let at = theirs.first(friend); at < theirs.last(friend); at++) {
      candidates.addFriend(theirs.at(at), 10)
    }
  }
  for (const person of user.contacts) candidates.addContact(person, 50)
  for (const groupId of user.groups.slice(0, 3)) {
    const members = snapshot.groupMembers
    for (let at = members.first(groupId); at < members.last(groupId); at++) {
      candidates.addCo(members.at(at), 8)
    }
  }
  // Never: themselves, the people they know (or blocked, or who blocked them), those they dismissed.
  candidates.newSet([user.ref], user.known, user.dismissedPeople)
  const { refs, points, scores } = candidates
  for (let index = 0; index < candidates.count; index++) {
    const ref = refs[index] ?? 0
    if (candidates.marked(ref) || snapshot.inactive.has(ref)) continue
    scores[index] = points[index] ?? 0
  }
  return candidates.best(snapshot.interner, settings)
}

/** Everything a rebuild writes for one user. `now` (epoch ms) decides which events are still upcoming. */
export const suggest = (user: UserRows, snapshot: Snapshot, settings: RebuildSettings, now: number): Suggestions => {
  const interests = inferInterests(user, snapshot)
  const groups = suggestGroups(user, interests, snapshot, settings)
  return {
    userId: user.userId,
    interests,
    groups,
    events: suggestEvents(user, groups, snapshot, settings, now),
    people: suggestPeople(user, snapshot, settings)
  }
}

/**
 * The snapshot keys a user's scoring reads in its second step, once the first (their friends', groups'
 * and terms' rows) is known: every group, event and person those rows mention. A refresh loads these
 * alone instead of the whole snapshot.
 */
export const reachedKeys = (
  users: ReadonlyArray<UserRows>,
  first: Pick<
    Snapshot,
    "interner" | "recentGroups" | "going" | "friends" | "similar" | "groupMembers" | "termGroups" | "cells" | "nearby"
  >,
  settings: RebuildSettings
) => {
  const groups = new Set<Ref>()
  const events = new Set<Ref>()
  const people = new Set<Ref>()
  const addAll = (into: Set<Ref>, ids: Iterable<Ref> | undefined) => {
    for (const id of ids ?? []) into.add(id)
  }
  for (const user of users) {
    addAll(groups, user.groups)
    for (const friend of user.friends) {
      addAll(groups, first.recentGroups.of(friend))
      addAll(events, first.going.of(friend))
      addAll(people, first.friends.of(friend))
    }
    for (const groupId of user.groups) {
      for (const similar of first.similar[groupId] ?? []) groups.add(similar.id)
      addAll(people, first.groupMembers.of(groupId))
    }
    addAll(people, user.contacts)
    addAll(groups, nearbyOf(first, "group", user.place, settings))
    addAll(events, nearbyOf(first, "event", user.place, settings))
  }
  for (const ids of first.termGroups.values()) addAll(groups, ids)
  const { interner } = first
  return { groups: interner.idsOf(groups), events: interner.idsOf(events), people: interner.idsOf(people) }
}
