/**
 * The benchmark's dataset, generated from a fixed seed so that every run (and every machine) loads
 * the same rows: users, groups and memberships with the skew of a real community (a few large
 * groups, a long tail of small ones, about ten groups per user).
 */

import { GroupCategory } from "@moim/domain/Groups/Group"

/** The domain's catalogue, so the seeded groups use exactly the categories the API accepts. */
export const categories = GroupCategory.literals

export type Category = GroupCategory

/** Topic words per category: group tags, name words and search terms all come from here. */
const topics: Record<Category, ReadonlyArray<string>> = {
  sports: ["running", "football", "basketball", "tennis", "cycling", "swimming", "climbing", "yoga", "badminton"],
  hiking: ["trail", "mountain", "summit", "camping", "trekking", "forest", "ridge", "backpacking", "walking"],
  books: ["novel", "poetry", "fantasy", "mystery", "classics", "nonfiction", "reading", "scifi", "writing"],
  tech: ["typescript", "rust", "python", "ai", "startups", "webdev", "devops", "security", "data"],
  music: ["guitar", "jazz", "choir", "piano", "kpop", "indie", "drums", "classical", "songwriting"],
  language: ["english", "korean", "japanese", "spanish", "french", "german", "chinese", "conversation", "exchange"],
  food: ["baking", "vegan", "coffee", "wine", "ramen", "brunch", "cooking", "tea", "bbq"],
  games: ["boardgames", "chess", "esports", "tabletop", "baduk", "puzzles", "rpg", "poker", "retro"],
  arts: ["painting", "photography", "drawing", "pottery", "film", "design", "calligraphy", "knitting", "theater"],
  volunteering: ["animals", "cleanup", "tutoring", "elderly", "charity", "environment", "foodbank", "mentoring"],
  other: ["parents", "pets", "travel", "meditation", "investing", "gardening", "dogs", "cats", "volunteers"]
}

/** Roughly how popular each category is (hiking and food groups are common, volunteering less so). */
const categoryWeights: Record<Category, number> = {
  sports: 14,
  hiking: 12,
  books: 8,
  tech: 10,
  music: 9,
  language: 9,
  food: 12,
  games: 9,
  arts: 7,
  volunteering: 4,
  other: 6
}

const places = ["Seoul", "Busan", "Mapo", "Gangnam", "Hongdae", "Incheon", "Jeju", "Daegu", "Suwon", "Seongsu"]
const groupNouns = ["Club", "Crew", "Circle", "Society", "Meetup", "Friends", "Collective", "Lab", "Gathering"]
const adjectives = ["friendly", "relaxed", "weekly", "small", "lively", "beginner-friendly", "serious", "casual"]
const rhythms = ["every Saturday", "twice a month", "on weekday evenings", "every Sunday morning", "once a month"]
const givenNames = [
  "Minji",
  "Jisoo",
  "Hyunwoo",
  "Seojun",
  "Yuna",
  "Doyoon",
  "Haeun",
  "Jiho",
  "Sora",
  "Taeyang",
  "Ada",
  "Grace",
  "Alan",
  "Linus",
  "Margaret",
  "Ken",
  "Barbara",
  "Dennis",
  "Frances",
  "Edsger"
]
const familyNames = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh"]

/** The password of every seeded user (they share one precomputed hash; see `seed.ts`). */
export const seedPassword = "bench-password-1234"

export const userEmail = (index: number) => `bench-user-${index}@moim.test`

/** "Now" of the dataset: every timestamp lies before it, so reruns produce identical rows. */
const datasetNow = Date.UTC(2026, 0, 1)
const day = 24 * 60 * 60 * 1000

/** mulberry32: small, fast and good enough to shuffle test data; same seed, same sequence. */
export const makeRandom = (seed: number) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (below: number) => Math.floor(next() * below)
  const pick = <A>(items: ReadonlyArray<A>): A => items[int(items.length)]!
  return { next, int, pick }
}

export type Random = ReturnType<typeof makeRandom>

const hex = (value: number, digits: number) => value.toString(16).padStart(digits, "0")

/** A UUIDv7 (time-ordered, as the server makes them) whose random bits come from `random`. */
export const uuidV7 = (random: Random, millis: number) => {
  const time = hex(millis, 12)
  const word = () => hex(random.int(0x10000), 4)
  const variant = hex(0x8000 | random.int(0x4000), 4)
  return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(random.int(0x1000), 3)}-${variant}-${word()}${word()}${word()}`
}

export interface Users {
  readonly id: Array<string>
  readonly email: Array<string>
  readonly nickname: Array<string>
  readonly bio: Array<string>
  readonly interests: Array<Array<string>>
  readonly createdAt: Array<Date>
}

export interface Groups {
  readonly id: Array<string>
  readonly name: Array<string>
  readonly description: Array<string>
  readonly category: Array<Category>
  readonly tags: Array<Array<string>>
  readonly visibility: Array<"public" | "private">
  readonly joinPolicy: Array<"open" | "approval" | "invite">
  readonly memberLimit: Array<number | null>
  /** Index into the users. */
  readonly owner: Array<number>
  readonly memberCount: Array<number>
  readonly postCount: Array<number>
  readonly createdAt: Array<Date>
}

export interface Memberships {
  /** Indexes into the groups and users. */
  readonly group: Array<number>
  readonly user: Array<number>
  readonly role: Array<"owner" | "admin" | "member">
  readonly joinedAt: Array<Date>
}

export interface Dataset {
  readonly users: Users
  readonly groups: Groups
  readonly memberships: Memberships
  /** Groups per user, to choose users with a realistic "my groups" page. */
  readonly groupsOfUser: ReadonlyArray<ReadonlyArray<number>>
}

export interface DatasetSize {
  readonly users: number
  readonly groups: number
  readonly memberships: number
}

export const defaultSize: DatasetSize = { users: 10_000, groups: 2_000, memberships: 100_000 }

const weightedCategory = (random: Random): Category => {
  const total = categories.reduce((sum, category) => sum + categoryWeights[category], 0)
  let roll = random.next() * total
  for (const category of categories) {
    roll -= categoryWeights[category]
    if (roll < 0) return category
  }
  return "other"
}

const distinct = (random: Random, from: ReadonlyArray<string>, count: number) => {
  const chosen = new Set<string>()
  while (chosen.size < Math.min(count, from.length)) chosen.add(random.pick(from))
  return [...chosen]
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)

const makeUsers = (random: Random, count: number): Users => {
  const users: Users = { id: [], email: [], nickname: [], bio: [], interests: [], createdAt: [] }
  const span = 730 * day
  for (let index = 0; index < count; index++) {
    // Sign-ups spread evenly over two years, in index order, so older users have lower indexes.
    const createdAt = datasetNow - span + Math.floor((index * span) / count) + random.int(60_000)
    const interests = distinct(random, categories, random.int(4))
    users.id.push(uuidV7(random, createdAt))
    users.email.push(userEmail(index))
    users.nickname.push(`${random.pick(familyNames)} ${random.pick(givenNames)}${random.int(100)}`)
    users.bio.push(interests.length === 0 ? "" : `Into ${interests.join(", ")}. Based in ${random.pick(places)}.`)
    users.interests.push(interests)
    users.createdAt.push(new Date(createdAt))
  }
  return users
}

/**
 * Group sizes follow a Zipf-like curve (the largest about a hundred times the smallest), scaled so
 * that they add up to exactly `memberships`; every group has at least its owner.
 */
const groupSizes = (random: Random, groups: number, memberships: number, users: number) => {
  const weights = Array.from({ length: groups }, (_, rank) => (rank + 10) ** -0.9)
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  const sizes = weights.map((weight) => Math.min(users, Math.max(1, Math.floor((weight / total) * memberships))))
  let missing = memberships - sizes.reduce((sum, size) => sum + size, 0)
  for (let rank = 0; missing > 0; rank = (rank + 1) % groups) {
    if (sizes[rank]! < users) {
      sizes[rank]! += 1
      missing -= 1
    }
  }
  // Ranks are handed to groups in random order, so size does not follow creation time.
  for (let index = groups - 1; index > 0; index--) {
    const other = random.int(index + 1)
    const swap = sizes[index]!
    sizes[index] = sizes[other]!
    sizes[other] = swap
  }
  return sizes
}

const makeGroups = (random: Random, size: DatasetSize, users: Users): Groups => {
  const groups: Groups = {
    id: [],
    name: [],
    description: [],
    category: [],
    tags: [],
    visibility: [],
    joinPolicy: [],
    memberLimit: [],
    owner: [],
    memberCount: [],
    postCount: [],
    createdAt: []
  }
  const sizes = groupSizes(random, size.groups, size.memberships, size.users)
  const span = 600 * day
  const firstUserAt = users.createdAt[0]!.getTime()
  const userSpan = datasetNow - firstUserAt
  for (let index = 0; index < size.groups; index++) {
    const createdAt = datasetNow - span + Math.floor((index * span) / size.groups) + random.int(60_000)
    // The owner signed up before creating the group (user indexes follow sign-up time).
    const usersBefore = Math.max(1, Math.floor(((createdAt - firstUserAt) / userSpan) * size.users))
    const category = weightedCategory(random)
    const words = topics[category]
    const tags = distinct(random, words, 1 + random.int(4))
    const topic = tags[0]!
    const place = random.pick(places)
    const isPublic = random.next() < 0.9
    const policyRoll = random.next()
    const memberCount = sizes[index]!
    groups.id.push(uuidV7(random, createdAt))
    groups.name.push(`${place} ${capitalize(topic)} ${random.pick(groupNouns)}`)
    groups.description.push(
      `A ${random.pick(adjectives)} group for ${topic} lovers in ${place}. We meet ${random.pick(rhythms)} ` +
        `for ${tags.join(", ")}. Beginners and experts welcome.`
    )
    groups.category.push(category)
    groups.tags.push(random.next() < 0.3 ? [...tags, place.toLowerCase()] : tags)
    groups.visibility.push(isPublic ? "public" : "private")
    groups.joinPolicy.push(
      isPublic
        ? policyRoll < 0.7
          ? "open"
          : policyRoll < 0.9
            ? "approval"
            : "invite"
        : policyRoll < 0.5
          ? "approval"
          : "invite"
    )
    // Some groups cap their size; the cap always leaves room above the current members.
    groups.memberLimit.push(random.next() < 0.15 ? Math.ceil((memberCount * 1.2 + 10) / 10) * 10 : null)
    groups.owner.push(random.int(usersBefore))
    groups.memberCount.push(memberCount)
    groups.postCount.push(random.int(memberCount * 3 + 1))
    groups.createdAt.push(new Date(createdAt))
  }
  return groups
}

const makeMemberships = (random: Random, size: DatasetSize, users: Users, groups: Groups) => {
  const memberships: Memberships = { group: [], user: [], role: [], joinedAt: [] }
  const groupsOfUser: Array<Array<number>> = Array.from({ length: size.users }, () => [])
  // A partial Fisher-Yates shuffle over one shared permutation draws distinct members per group.
  const permutation = Array.from({ length: size.users }, (_, index) => index)
  for (let group = 0; group < size.groups; group++) {
    const owner = groups.owner[group]!
    const groupCreatedAt = groups.createdAt[group]!.getTime()
    const add = (user: number, role: "owner" | "admin" | "member") => {
      const from = Math.max(groupCreatedAt, users.createdAt[user]!.getTime())
      memberships.group.push(group)
      memberships.user.push(user)
      memberships.role.push(role)
      memberships.joinedAt.push(new Date(from + random.int(Math.max(1, datasetNow - from))))
      groupsOfUser[user]!.push(group)
    }
    add(owner, "owner")
    let needed = groups.memberCount[group]! - 1
    for (let drawn = 0; needed > 0; drawn++) {
      const other = drawn + random.int(size.users - drawn)
      const user = permutation[other]!
      permutation[other] = permutation[drawn]!
      permutation[drawn] = user
      if (user === owner) continue
      add(user, random.next() < 0.02 ? "admin" : "member")
      needed -= 1
    }
  }
  return { memberships, groupsOfUser }
}

export const generate = (size: DatasetSize = defaultSize, seed = 0x6d6f696d): Dataset => {
  const random = makeRandom(seed)
  const users = makeUsers(random, size.users)
  const groups = makeGroups(random, size, users)
  const { groupsOfUser, memberships } = makeMemberships(random, size, users, groups)
  return { users, groups, memberships, groupsOfUser }
}

/** Search queries (words from group names, tags and descriptions) with the category they are paired with. */
export const searchQueries: ReadonlyArray<{ readonly q: string; readonly category: Category }> = [
  { q: "trail", category: "hiking" },
  { q: "jazz", category: "music" },
  { q: "typescript", category: "tech" },
  { q: "chess", category: "games" },
  { q: "baking", category: "food" },
  { q: "korean conversation", category: "language" },
  { q: "photo", category: "arts" },
  { q: "running", category: "sports" },
  { q: "mystery", category: "books" },
  { q: "seoul", category: "other" }
]
