import { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient, type Statement } from "effect/sql"
import { PgTypeRegistry } from "../platform/Database.ts"
import { Rows } from "../platform/Rows.ts"
import {
  encoded,
  encodeInterests,
  encodeLists,
  type ListRow,
  type ListTypes,
  listDigest,
  listTypeNames,
  registerListTypes
} from "./ListsWire.ts"
import {
  byRef,
  cellDegrees,
  cellKey,
  Interner,
  type Item,
  type Lists,
  ListsBuilder,
  type Place,
  type Ranked,
  type RebuildSettings,
  type Ref,
  reachedKeys,
  type Snapshot,
  type SnapshotEvent,
  type SnapshotGroup,
  type Suggestions,
  Targets,
  termsOf,
  type UserRows
} from "./Scoring.ts"

const decodeIds = Rows.all(Schema.Struct({ id: UserId }))
const Id = Schema.String
const Ids = Schema.Array(Schema.String)
/** Ids as their 16 bytes one after the other (see `ids` in `gather`). */
const IdBytes = Schema.Uint8Array
const Coordinate = Schema.NullOr(Schema.Number)
const decodeUsers = Rows.all(
  Schema.Struct({
    user_id: Id,
    picked: Ids,
    going_categories: Ids,
    reaction_categories: Ids,
    friends: IdBytes,
    groups: IdBytes,
    latitude: Coordinate,
    longitude: Coordinate,
    answered: IdBytes,
    known: IdBytes,
    dismissed_groups: IdBytes,
    dismissed_events: IdBytes,
    dismissed_people: IdBytes,
    contacts: IdBytes
  })
)
const decodeDigests = Rows.all(
  Schema.Struct({ user_id: IdBytes, kind: Schema.Literals(["group", "event", "person"]), digest: Schema.Number })
)
/** A list's kind as a number, for a key of (user, kind) as one number. */
const kindNumber = { group: 0, event: 1, person: 2 } as const
const decodeTypes = Rows.all(Schema.Struct({ name: Schema.String, oid: Schema.Int }))
const decodeExclusions = Rows.all(Schema.Struct({ user_id: Id, group_id: Id, banned: Schema.Boolean }))
/** Rows per page when the snapshot is loaded, and users per page when similar groups are counted. */
const pageRows = 50_000
const pageUsers = 10_000
const decodePairs = Rows.all(Schema.Struct({ key: Id, value: Id }))
const decodePairBytes = Rows.all(Schema.Struct({ pairs: IdBytes, size: Schema.Int }))
const decodeGroupTerms = Rows.all(Schema.Struct({ group_id: Id, terms: Ids }))
const decodeRankedPairs = Rows.all(Schema.Struct({ key: Id, value: Id, rank: Schema.Int }))
const decodeGroups = Rows.all(
  Schema.Struct({ group_id: Id, member_count: Schema.Int, latitude: Coordinate, longitude: Coordinate })
)
const decodeEvents = Rows.all(
  Schema.Struct({
    event_id: Id,
    group_id: Id,
    creator_id: Schema.NullOr(Id),
    going_count: Schema.Int,
    latitude: Coordinate,
    longitude: Coordinate,
    starts_at: Schema.Number,
    next_in_group: Schema.Boolean
  })
)
const decodeCells = Rows.all(
  Schema.Struct({
    kind: Schema.Literals(["group", "event"]),
    cell_lat: Schema.Int,
    cell_lon: Schema.Int,
    target_id: Id,
    popularity: Schema.Int
  })
)

const placeOf = (latitude: number | null, longitude: number | null): Place | null =>
  latitude === null || longitude === null ? null : { latitude, longitude }

/** The loaded rows as the tables scoring reads, by id number. */
const tables = (
  interner: Interner,
  first: {
    readonly recentGroups: Lists
    readonly friends: Lists
    readonly going: Lists
    readonly groupMembers: Lists
    readonly similar: ReadonlyMap<Ref, ReadonlyArray<Ranked>>
    readonly termGroups: ReadonlyMap<string, ReadonlyArray<Ref>>
    readonly cells: ReadonlyMap<string, ReadonlyArray<Ranked>>
  },
  second: {
    readonly groupTerms: Lists
    readonly groups: ReadonlyMap<Ref, SnapshotGroup>
    readonly events: ReadonlyMap<Ref, SnapshotEvent>
    readonly nextEvents: ReadonlyMap<Ref, ReadonlyArray<Ref>>
    readonly inactive: ReadonlySet<Ref>
  }
): Snapshot => {
  const size = interner.ids.length
  return {
    interner,
    groups: Targets.groups(second.groups, size),
    events: Targets.events(second.events, size),
    nextEvents: byRef(second.nextEvents, size),
    groupTerms: second.groupTerms,
    termGroups: first.termGroups,
    cells: first.cells,
    nearby: new Map(),
    recentGroups: first.recentGroups,
    friends: first.friends,
    going: first.going,
    groupMembers: first.groupMembers,
    similar: byRef(first.similar, size),
    inactive: second.inactive
  }
}

/** Adds `value` to the list of `key`. */
const append = <K, V>(map: Map<K, Array<V>>, key: K, value: V) => {
  const values = map.get(key)
  if (values === undefined) map.set(key, [value])
  else values.push(value)
}

/** Each term's groups, numbered. */
const termGroups = (interner: Interner, rows: ReadonlyArray<{ readonly key: string; readonly value: string }>) => {
  const map = new Map<string, Array<Ref>>()
  for (const row of rows) append(map, row.key, interner.ref(row.value))
  return map
}

/** Rows of (key, value) as a map of each key's values, both numbered. */
const grouped = (interner: Interner, rows: ReadonlyArray<{ readonly key: string; readonly value: string }>) => {
  const map = new Map<Ref, Array<Ref>>()
  for (const row of rows) append(map, interner.ref(row.key), interner.ref(row.value))
  return map
}

/**
 * The snapshot's tables in the one order every transaction locks them: the snapshot's parts truncate
 * their share of them in this order, and a rebuild of users locks them all in this order before it
 * reads any. A refresh running beside the nightly snapshot then waits for the part it needs instead
 * of holding one table the snapshot truncates while waiting for another the snapshot holds (a
 * deadlock, which happened when a refresh job met the snapshot).
 */
const snapshotTables = [
  "recommendation_groups",
  "recommendation_group_terms",
  "recommendation_events",
  "recommendation_cells",
  "recommendation_going",
  "recommendation_group_members",
  "recommendation_similar_groups",
  "recommendation_recent_groups",
  "recommendation_friends"
] as const
type SnapshotTable = (typeof snapshotTables)[number]
const inLockOrder = (tables: ReadonlyArray<SnapshotTable>) =>
  snapshotTables.filter((table) => tables.includes(table)).join(", ")

/**
 * The reads and writes of the rebuild of suggestions: the one place in Moim that reads other
 * features' tables directly (`TableOwnership.test.ts` lists which, read-only), because rebuilding
 * 100,000 users' suggestions must be a few statements per batch of users, not a service call per user
 * and source. It writes only the recommendation tables. Every read is a plain `SELECT` (no row locks),
 * so the API's tables are never held.
 *
 * How a batch stays cheap: the full rebuild first takes a snapshot of what may be suggested (public
 * groups with their size and place, each term's best groups, similar groups, upcoming events, each
 * person's few newest groups, friends and plans) into tables, and loads it into memory once; a batch
 * then gathers its users' own rows in one statement (one row per user, each source an array read by
 * one index range), scores them in memory (`Scoring.ts`) and writes each user's interests and the
 * lists whose digest changed, each list one row, in three statements (interests, stored digests,
 * lists). The read path checks each suggestion's visibility again, so a
 * snapshot a few hours old never shows what has since become private, cancelled or blocked.
 */
export class RebuildRepo extends Context.Service<
  RebuildRepo,
  {
    /** The full rebuild's snapshot of what may be suggested: three transactions on two connections. */
    readonly snapshot: (settings: RebuildSettings) => Effect.Effect<void>
    /** The whole snapshot, in memory, for the full rebuild's batches. */
    readonly loadSnapshot: (settings: RebuildSettings) => Effect.Effect<Snapshot>
    /**
     * The snapshot rows these users' scoring can reach, for a refresh: in the caller's transaction,
     * after waiting for any snapshot being taken.
     */
    readonly loadReached: (
      users: ReadonlyArray<UserRows>,
      interner: Interner,
      settings: RebuildSettings
    ) => Effect.Effect<Snapshot>
    /** The next batch of active users after `after` (by id), at most `limit`. */
    readonly activeUsers: (after: UserId | null, limit: number) => Effect.Effect<ReadonlyArray<UserId>>
    /** These users' own rows: one statement for the batch, one index range per user and source. */
    readonly gather: (userIds: ReadonlyArray<UserId>, interner: Interner) => Effect.Effect<ReadonlyArray<UserRows>>
    /**
     * Replaces these users' inferred interests and their three lists (their items numbered by
     * `interner`), in the caller's transaction; how many suggestions were written.
     */
    readonly write: (suggestions: ReadonlyArray<Suggestions>, interner: Interner) => Effect.Effect<number>
  }
>()("@moim/server/Recommendations/RebuildRepo") {
  static readonly layer = Layer.effect(
    RebuildRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const registry = yield* PgTypeRegistry
      // Rows as Postgres names their columns: renaming every key of a million snapshot rows (and of
      // each element of the arrays gathered) cost a fifth of a batch's time in this process.
      const raw = sql.withoutTransforms()

      /**
       * The ids a subquery selects (its one column, a uuid) as their 16 bytes one after the other: as
       * `uuid[]` each would be built into text here, checked by the schema and looked up by that text,
       * the largest share of a batch's reading in this process.
       */
      const ids = (subquery: Statement.Fragment) =>
        raw`coalesce((SELECT string_agg(uuid_send(s.id), ''::bytea) FROM (${subquery}) AS s(id)), ''::bytea)`

      /** Each user's own rows, one row per user; what their scoring reads besides the snapshot. */
      const gather = (users: ReadonlyArray<UserId>, interner: Interner) =>
        Effect.gen(function* () {
          if (users.length === 0) return []
          // Per-user subqueries on small index ranges: compiling them (JIT) costs more than running them.
          yield* raw`SET LOCAL jit = off`
          const rows = yield* raw`
            SELECT b.id AS user_id, u.interests AS picked,
              fr.friends,
              coalesce((
                SELECT string_agg(uuid_send(group_id), ''::bytea ORDER BY joined_at DESC, group_id)
                FROM group_members WHERE user_id = b.id
              ), ''::bytea) AS groups,
              rs.going_categories,
              ARRAY(
                SELECT g.category FROM (
                  SELECT subject_id FROM reactions
                  WHERE user_id = b.id AND subject_kind = 'post' ORDER BY created_at DESC LIMIT 100
                ) r
                JOIN posts p ON p.id = r.subject_id AND p.group_id IS NOT NULL AND p.deleted_at IS NULL
                JOIN groups g ON g.id = p.group_id AND g.deleted_at IS NULL AND g.category <> 'other'
              ) AS reaction_categories,
              coalesce(p.latitude, rs.latitude) AS latitude, coalesce(p.longitude, rs.longitude) AS longitude,
              rs.answered,
              ${ids(raw`
                SELECT followee_id FROM follows WHERE follower_id = b.id
                UNION ALL SELECT blocked_id FROM blocks WHERE blocker_id = b.id
                UNION ALL SELECT blocker_id FROM blocks WHERE blocked_id = b.id`)} || fr.befriended AS known,
              ${ids(raw`SELECT target_id FROM recommendation_dismissals WHERE user_id = b.id AND kind = 'group'`)}
                AS dismissed_groups,
              ${ids(raw`SELECT target_id FROM recommendation_dismissals WHERE user_id = b.id AND kind = 'event'`)}
                AS dismissed_events,
              ${ids(raw`SELECT target_id FROM recommendation_dismissals WHERE user_id = b.id AND kind = 'person'`)}
                AS dismissed_people,
              ${ids(raw`
                SELECT pn.user_id
                FROM (SELECT hash FROM contact_hashes WHERE owner_id = b.id LIMIT 5000) ch
                JOIN phone_numbers pn ON pn.contact_hash = ch.hash
                LEFT JOIN social_settings ss ON ss.user_id = pn.user_id
                WHERE coalesce(ss.findable_by_phone, true)`)} AS contacts
            FROM unnest(${[...users]}::uuid[]) AS b(id)
            JOIN users u ON u.id = b.id
            LEFT JOIN recommendation_places p ON p.user_id = b.id
            -- Their friendships, read once: the accepted ones, and all of them (asked or asking too).
            CROSS JOIN LATERAL (
              SELECT coalesce(string_agg(uuid_send(f.other), ''::bytea) FILTER (WHERE f.status = 'accepted'), ''::bytea)
                  AS friends,
                coalesce(string_agg(uuid_send(f.other), ''::bytea), ''::bytea) AS befriended
              FROM (
                SELECT high_id, status FROM friendships WHERE low_id = b.id
                UNION ALL SELECT low_id, status FROM friendships WHERE high_id = b.id
              ) AS f(other, status)
            ) fr
            -- Their answers to events, read once: every event answered; the categories of the groups of
            -- those they go to; without a place of their own, the centre of those they go to or are
            -- interested in that have one.
            CROSS JOIN LATERAL (
              SELECT coalesce(string_agg(uuid_send(r.event_id), ''::bytea), ''::bytea) AS answered,
                coalesce(array_agg(g.category) FILTER (WHERE r.status = 'going' AND g.id IS NOT NULL), '{}') AS going_categories,
                avg(e.latitude) FILTER (WHERE r.status IN ('going', 'interested') AND e.longitude IS NOT NULL) AS latitude,
                avg(e.longitude) FILTER (WHERE r.status IN ('going', 'interested') AND e.latitude IS NOT NULL) AS longitude
              FROM event_rsvps r
              JOIN events e ON e.id = r.event_id
              LEFT JOIN groups g ON g.id = e.group_id AND g.deleted_at IS NULL AND g.category <> 'other'
              WHERE r.user_id = b.id
            ) rs`.pipe(Effect.flatMap(decodeUsers))
          // Bans and requests are few and indexed by group: one scan for the batch.
          const exclusions = yield* raw`
            SELECT user_id, group_id, true AS banned FROM group_bans WHERE user_id = ANY(${[...users]}::uuid[])
            UNION ALL
            SELECT user_id, group_id, false FROM group_join_requests WHERE user_id = ANY(${[...users]}::uuid[])`.pipe(
            Effect.flatMap(decodeExclusions)
          )
          const banned = grouped(
            interner,
            exclusions.filter((row) => row.banned).map((row) => ({ key: row.user_id, value: row.group_id }))
          )
          const requested = grouped(
            interner,
            exclusions.filter((row) => !row.banned).map((row) => ({ key: row.user_id, value: row.group_id }))
          )
          return rows.map((row): UserRows => {
            const ref = interner.ref(row.user_id)
            return {
              userId: row.user_id,
              ref,
              picked: row.picked,
              goingCategories: row.going_categories,
              reactionCategories: row.reaction_categories,
              // At most 100 friends count (16 bytes each), however many someone has.
              friends: interner.refsOfBytes(row.friends.subarray(0, 100 * 16)),
              groups: interner.refsOfBytes(row.groups),
              place: placeOf(row.latitude, row.longitude),
              answered: interner.refsOfBytes(row.answered),
              known: interner.refsOfBytes(row.known),
              dismissedGroups: interner.refsOfBytes(row.dismissed_groups),
              dismissedEvents: interner.refsOfBytes(row.dismissed_events),
              dismissedPeople: interner.refsOfBytes(row.dismissed_people),
              bannedFrom: banned.get(ref) ?? [],
              requested: requested.get(ref) ?? [],
              contacts: interner.refsOfBytes(row.contacts)
            }
          })
        })

      /** A filter on a key column: every row when `keys` is null. */
      const keyed = (column: string, keys: ReadonlyArray<string> | null) =>
        keys === null ? raw`true` : raw`${raw(column)} = ANY(${[...keys]}::uuid[])`

      /**
       * A snapshot table of (key, id) pairs as packed lists, read in pages ordered by key: the
       * largest hold about 400,000 rows, and reading one whole held every row's object and string
       * at once (a peak of about 560 MB resident in the worker). Each page comes as one value of
       * bytes, numbered without making text of each id.
       */
      const loadLists = (
        interner: Interner,
        table: string,
        key: string,
        value: string,
        keys: ReadonlyArray<string> | null
      ) =>
        Effect.gen(function* () {
          const lists = new ListsBuilder()
          let after: { readonly key: string; readonly value: string } | undefined
          while (true) {
            // A page as one value: each row's two ids as their 16 bytes, one row after the other.
            const [page] = yield* raw`
              SELECT coalesce(string_agg(uuid_send(k) || uuid_send(v), ''::bytea ORDER BY k, v), ''::bytea) AS pairs,
                count(*)::int AS size
              FROM (
                SELECT ${raw(key)} AS k, ${raw(value)} AS v FROM ${raw(table)}
                WHERE ${keyed(key, keys)}
                  AND ${after === undefined ? raw`true` : raw`(${raw(key)}, ${raw(value)}) > (${after.key}::uuid, ${after.value}::uuid)`}
                ORDER BY ${raw(key)}, ${raw(value)} LIMIT ${pageRows}
              ) AS page`.pipe(Effect.flatMap(decodePairBytes))
            const size = page?.size ?? 0
            const pairs = page?.pairs ?? new Uint8Array(0)
            let lastKey = 0
            let lastValue = 0
            for (let row = 0; row < size; row++) {
              lastKey = interner.refOfBytes(pairs, row * 32)
              lastValue = interner.refOfBytes(pairs, row * 32 + 16)
              lists.add(lastKey, lastValue)
            }
            if (size < pageRows) return lists.build()
            after = { key: interner.ids[lastKey] ?? "", value: interner.ids[lastValue] ?? "" }
          }
        })

      /** The snapshot's rows of people (friends and their groups, friends and plans) and of groups. */
      const loadFirst = (
        interner: Interner,
        scope: {
          readonly people: ReadonlyArray<string>
          readonly groups: ReadonlyArray<string>
          readonly terms: ReadonlyArray<string>
          readonly places: ReadonlyArray<Place>
        } | null,
        settings: RebuildSettings
      ) =>
        Effect.gen(function* () {
          const people = scope === null ? null : scope.people
          const groups = scope === null ? null : scope.groups
          const recentGroups = yield* loadLists(interner, "recommendation_recent_groups", "user_id", "group_id", people)
          const friends = yield* loadLists(interner, "recommendation_friends", "user_id", "friend_id", people)
          const going = yield* loadLists(interner, "recommendation_going", "user_id", "event_id", people)
          const members = yield* loadLists(interner, "recommendation_group_members", "group_id", "user_id", groups)
          const similar = yield* raw`
            SELECT group_id AS key, similar_id AS value, shared AS rank FROM recommendation_similar_groups
            WHERE ${keyed("group_id", groups)}`.pipe(Effect.flatMap(decodeRankedPairs))
          const terms = yield* raw`
            SELECT term AS key, group_id AS value FROM recommendation_group_terms
            WHERE ${scope === null ? raw`true` : raw`term = ANY(${[...scope.terms]}::text[])`}`.pipe(
            Effect.flatMap(decodePairs)
          )
          const size = cellDegrees(settings)
          const cells = yield* raw`
            SELECT kind, cell_lat, cell_lon, target_id, popularity FROM recommendation_cells
            WHERE ${
              scope === null
                ? raw`true`
                : raw`EXISTS (
                    SELECT 1 FROM unnest(${scope.places.map((place) => Math.floor(place.latitude / size))}::int[],
                      ${scope.places.map((place) => Math.floor(place.longitude / size))}::int[]) AS p(lat, lon)
                    WHERE cell_lat BETWEEN p.lat - 1 AND p.lat + 1 AND cell_lon BETWEEN p.lon - 2 AND p.lon + 2
                  )`
            }`.pipe(Effect.flatMap(decodeCells))
          const similarMap = new Map<Ref, Array<Ranked>>()
          for (const row of similar) {
            append(similarMap, interner.ref(row.key), { id: interner.ref(row.value), popularity: row.rank })
          }
          const cellMap = new Map<string, Array<Ranked>>()
          for (const row of cells) {
            append(cellMap, cellKey(row.kind, row.cell_lat, row.cell_lon), {
              id: interner.ref(row.target_id),
              popularity: row.popularity
            })
          }
          return {
            recentGroups,
            friends,
            going,
            groupMembers: members,
            similar: similarMap,
            termGroups: termGroups(interner, terms),
            cells: cellMap
          }
        })

      /**
       * The terms of groups (all of them, or these), read from the groups themselves: what members'
       * interests are inferred from, private groups included. Ten thousand groups are read in a
       * moment, once, where each batch gathering its users' groups' terms was about 60,000 strings
       * and a third of the gathering's time in Postgres.
       */
      const loadGroupTerms = (interner: Interner, groups: ReadonlyArray<string> | null) =>
        Effect.gen(function* () {
          const rows = yield* raw`
            SELECT id AS group_id, array_remove(array_append(tags, NULLIF(category, 'other')), NULL) AS terms
            FROM groups WHERE deleted_at IS NULL AND ${keyed("id", groups)}`.pipe(Effect.flatMap(decodeGroupTerms))
          const terms = new ListsBuilder()
          for (const row of rows) {
            const group = interner.ref(row.group_id)
            for (const term of row.terms) terms.add(group, interner.term(term))
          }
          return terms.build()
        })

      /** The snapshot's groups and events, and which of the people are not active. */
      const loadSecond = (
        interner: Interner,
        scope: {
          readonly groups: ReadonlyArray<string>
          readonly events: ReadonlyArray<string>
          readonly people: ReadonlyArray<string>
        } | null
      ) =>
        Effect.gen(function* () {
          const groupRows = yield* raw`
            SELECT group_id, member_count, latitude, longitude FROM recommendation_groups
            WHERE ${keyed("group_id", scope === null ? null : scope.groups)}`.pipe(Effect.flatMap(decodeGroups))
          const eventRows = yield* raw`
            SELECT event_id, group_id, creator_id, going_count, latitude, longitude,
              (extract(epoch FROM starts_at) * 1000)::float8 AS starts_at, next_in_group
            FROM recommendation_events
            WHERE ${
              scope === null
                ? raw`true`
                : raw`event_id = ANY(${[...scope.events]}::uuid[])
                    OR (next_in_group AND group_id = ANY(${[...scope.groups]}::uuid[]))`
            }`.pipe(Effect.flatMap(decodeEvents))
          const inactive = yield* raw`
            SELECT id AS key, id AS value FROM users
            WHERE status <> 'active' AND ${keyed("id", scope === null ? null : scope.people)}`.pipe(
            Effect.flatMap(decodePairs)
          )
          const groups = new Map<Ref, SnapshotGroup>()
          for (const row of groupRows) {
            groups.set(interner.ref(row.group_id), {
              memberCount: row.member_count,
              place: placeOf(row.latitude, row.longitude)
            })
          }
          const events = new Map<Ref, SnapshotEvent>()
          const nextEvents = new Map<Ref, Array<Ref>>()
          for (const row of eventRows) {
            const ref = interner.ref(row.event_id)
            const groupId = interner.ref(row.group_id)
            events.set(ref, {
              groupId,
              creatorId: row.creator_id === null ? null : interner.ref(row.creator_id),
              goingCount: row.going_count,
              place: placeOf(row.latitude, row.longitude),
              startsAt: row.starts_at
            })
            if (row.next_in_group) append(nextEvents, groupId, ref)
          }
          return { groups, events, nextEvents, inactive: new Set(inactive.map((row) => interner.ref(row.key))) }
        })

      /** The numbers of the types the lists are written as, looked up once per process. */
      const listTypes = yield* Effect.cached(
        Effect.gen(function* () {
          const rows = yield* raw`
            SELECT name, to_regtype(name)::oid::int AS oid
            FROM unnest(${Object.values(listTypeNames)}::text[]) AS name`.pipe(Effect.flatMap(decodeTypes))
          const oid = (name: string) => rows.find((row) => row.name === name)?.oid ?? 0
          const types: ListTypes = {
            item: oid(listTypeNames.item),
            items: oid(listTypeNames.items),
            list: oid(listTypeNames.list),
            lists: oid(listTypeNames.lists),
            interest: oid(listTypeNames.interest),
            interests: oid(listTypeNames.interests),
            interestsRow: oid(listTypeNames.interestsRow),
            interestsRows: oid(listTypeNames.interestsRows)
          }
          registerListTypes(registry, types)
          return types
        })
      )

      /**
       * Each user's interests and three lists, written whole (an empty list when nothing was found),
       * so a rebuild replaces them by upsert alone. Rows are upserted in (user, kind) order, the order
       * every writer of these rows uses, so two writers of one user wait for each other, never deadlock.
       * Both travel in Postgres's binary form (`ListsWire.ts`). A row whose content is the same as
       * stored is left as it is (`built_at` is when its content last changed): most of a night's lists
       * are, and rewriting them cost a new row version, its index entry and its WAL each. Lists are
       * told apart by their digest (`listDigest`, stored beside each): a list whose digest is the one
       * stored is not even sent, where sending each to be compared item by item with the stored one
       * was most of the statement's time.
       */
      const write = (suggestions: ReadonlyArray<Suggestions>, interner: Interner) =>
        Effect.gen(function* () {
          if (suggestions.length === 0) return 0
          const types = yield* listTypes
          // Suggestions are rebuilt from the other tables: a crash may lose the last batches' commits
          // (the next rebuild or refresh writes them again), never half a batch. Not waiting for each
          // commit's flush to disk spares the rebuild that wait.
          yield* raw`SET LOCAL synchronous_commit = off`
          const interests = encodeInterests(
            types,
            suggestions.map((user) => ({ userId: user.userId, interests: user.interests }))
          )
          yield* raw`
            INSERT INTO recommendation_interests (user_id, interests)
            SELECT user_id, interests FROM unnest(${encoded(types.interestsRows, interests)}::recommendation_interests[])
            ORDER BY user_id
            ON CONFLICT (user_id) DO UPDATE SET interests = EXCLUDED.interests
            WHERE recommendation_interests.interests IS DISTINCT FROM EXCLUDED.interests`
          // The digests of the lists stored for these users: a list whose digest is the same is not sent.
          const stored = new Map<number, number>()
          const storedRows = yield* raw`
            SELECT uuid_send(user_id) AS user_id, kind, digest::float8 AS digest FROM recommendations
            WHERE user_id = ANY(${suggestions.map((user) => user.userId)}::uuid[]) AND digest IS NOT NULL`.pipe(
            Effect.flatMap(decodeDigests)
          )
          for (const row of storedRows) {
            stored.set(interner.refOfBytes(row.user_id, 0) * 4 + kindNumber[row.kind], row.digest)
          }
          let count = 0
          const lists: Array<ListRow> = []
          const add = (userId: string, ref: Ref, kind: ListRow["kind"], items: ReadonlyArray<Item>) => {
            count += items.length
            const digest = listDigest(interner, items)
            if (stored.get(ref * 4 + kindNumber[kind]) !== digest) lists.push({ userId, kind, items, digest })
          }
          for (const user of suggestions) {
            const ref = interner.ref(user.userId)
            add(user.userId, ref, "event", user.events)
            add(user.userId, ref, "group", user.groups)
            add(user.userId, ref, "person", user.people)
          }
          if (lists.length === 0) return count
          yield* raw`
            INSERT INTO recommendations (user_id, kind, items, built_at, digest)
            SELECT user_id, kind, items, now(), digest
            FROM unnest(${encoded(types.lists, encodeLists(types, interner, lists))}::recommendations[])
            ORDER BY user_id, kind
            ON CONFLICT (user_id, kind) DO UPDATE
            SET items = EXCLUDED.items, built_at = EXCLUDED.built_at, digest = EXCLUDED.digest
            WHERE recommendations.digest IS DISTINCT FROM EXCLUDED.digest`
          return count
        })

      return RebuildRepo.of({
        snapshot: Effect.fn("RebuildRepo.snapshot")(function* (settings) {
          // Three parts on two connections, each its own transaction: the groups sharing members (the
          // longest) beside what may be suggested and then the few rows of each person.
          const part = (tables: ReadonlyArray<SnapshotTable>, statements: Effect.Effect<void>) =>
            Effect.gen(function* () {
              yield* sql`SET LOCAL jit = off`
              yield* sql`SET LOCAL work_mem = '64MB'`
              yield* sql`TRUNCATE ${sql.literal(inLockOrder(tables))}`
              yield* statements
              yield* sql`ANALYZE ${sql.literal(inLockOrder(tables))}`
            }).pipe(sql.withTransaction, Effect.orDie)
          const targets = part(
            [
              "recommendation_groups",
              "recommendation_group_terms",
              "recommendation_events",
              "recommendation_cells",
              "recommendation_going",
              "recommendation_group_members"
            ],
            Effect.gen(function* () {
              yield* sql`
              INSERT INTO recommendation_groups (group_id, member_count, latitude, longitude)
              SELECT g.id, g.member_count, p.latitude, p.longitude
              FROM groups g
              LEFT JOIN (
                SELECT group_id, avg(latitude) AS latitude, avg(longitude) AS longitude FROM events
                WHERE latitude IS NOT NULL AND status = 'scheduled' GROUP BY group_id
              ) p ON p.group_id = g.id
              WHERE g.visibility = 'public' AND g.deleted_at IS NULL`
              // Each term's five largest public groups.
              yield* sql`
              INSERT INTO recommendation_group_terms (term, group_id)
              SELECT term, group_id FROM (
                SELECT t.term, g.id AS group_id,
                  row_number() OVER (PARTITION BY t.term ORDER BY g.member_count DESC, g.id) AS rank
                FROM groups g CROSS JOIN LATERAL (
                  SELECT DISTINCT term FROM unnest(array_append(g.tags, NULLIF(g.category, 'other'))) AS term
                ) t
                WHERE g.visibility = 'public' AND g.deleted_at IS NULL AND t.term IS NOT NULL
              ) AS ranked WHERE rank <= 5`
              yield* sql`
              INSERT INTO recommendation_events (event_id, group_id, creator_id, going_count, latitude, longitude,
                starts_at, next_in_group)
              SELECT id, group_id, creator_id, going_count, latitude, longitude, starts_at,
                row_number() OVER (PARTITION BY group_id ORDER BY starts_at, id) <= 2
              FROM events e
              WHERE e.status = 'scheduled' AND e.starts_at > now()
                AND e.group_id IN (SELECT group_id FROM recommendation_groups)`
              const cellSize = cellDegrees(settings)
              yield* sql`
              INSERT INTO recommendation_cells (kind, cell_lat, cell_lon, target_id, popularity)
              SELECT kind, cell_lat, cell_lon, target_id, popularity FROM (
                SELECT placed.*,
                  row_number() OVER (PARTITION BY kind, cell_lat, cell_lon ORDER BY popularity DESC, target_id) AS rank
                FROM (
                  SELECT 'group' AS kind, floor(latitude / ${cellSize}::float8)::int AS cell_lat,
                    floor(longitude / ${cellSize}::float8)::int AS cell_lon, group_id AS target_id, member_count AS popularity
                  FROM recommendation_groups WHERE latitude IS NOT NULL
                  UNION ALL
                  SELECT 'event', floor(latitude / ${cellSize}::float8)::int, floor(longitude / ${cellSize}::float8)::int,
                    event_id, going_count
                  FROM recommendation_events WHERE latitude IS NOT NULL
                ) AS placed
              ) AS ranked WHERE rank <= 20`
              yield* sql`
              INSERT INTO recommendation_going (user_id, event_id)
              SELECT user_id, event_id FROM (
                SELECT r.user_id, r.event_id, row_number() OVER (PARTITION BY r.user_id ORDER BY e.starts_at, r.event_id) AS rank
                FROM event_rsvps r JOIN recommendation_events e ON e.event_id = r.event_id
                WHERE r.status IN ('going', 'interested')
              ) AS numbered WHERE rank <= 3`
              yield* sql`
              INSERT INTO recommendation_group_members (group_id, user_id)
              SELECT m.group_id, m.user_id FROM recommendation_groups g
              CROSS JOIN LATERAL (
                SELECT group_id, user_id FROM group_members WHERE group_id = g.group_id ORDER BY joined_at DESC LIMIT 5
              ) m`
            }).pipe(Effect.orDie)
          )
          const similar = part(
            ["recommendation_similar_groups"],
            Effect.gen(function* () {
              // The groups sharing the most members with each, from everyone's four most recent public
              // groups, counted here: as one self-join it was the snapshot's longest part (2.9 s of
              // Postgres for 1,000,000 memberships), read a page of users at a time it is about 0.6 s
              // of reading and a fraction of that of counting.
              const interner = new Interner()
              const shared = new Map<Ref, Map<Ref, number>>()
              let after: string | undefined
              while (true) {
                const page = yield* raw`
                  SELECT id::text AS key, id::text AS value FROM users
                  WHERE ${after === undefined ? raw`true` : raw`id > ${after}::uuid`}
                  ORDER BY id LIMIT ${pageUsers}`.pipe(Effect.flatMap(decodePairs))
                const last = page[page.length - 1]
                if (last === undefined) break
                const recent = yield* raw`
                  SELECT u.id AS key, m.group_id AS value
                  FROM unnest(${page.map((row) => row.key)}::uuid[]) AS u(id)
                  CROSS JOIN LATERAL (
                    SELECT group_id FROM group_members WHERE user_id = u.id ORDER BY joined_at DESC LIMIT 4
                  ) m
                  JOIN groups g ON g.id = m.group_id AND g.visibility = 'public' AND g.deleted_at IS NULL`.pipe(
                  Effect.flatMap(decodePairs)
                )
                for (const groups of grouped(interner, recent).values()) {
                  for (const group of groups) {
                    let counts = shared.get(group)
                    if (counts === undefined) {
                      counts = new Map()
                      shared.set(group, counts)
                    }
                    for (const other of groups) if (other !== group) counts.set(other, (counts.get(other) ?? 0) + 1)
                  }
                }
                if (page.length < pageUsers) break
                after = last.key
              }
              const groupIds: Array<string> = []
              const similarIds: Array<string> = []
              const counts: Array<number> = []
              for (const [group, others] of shared) {
                const best = [...others].sort(([a, x], [b, y]) => y - x || interner.compare(a, b)).slice(0, 3)
                for (const [other, count] of best) {
                  groupIds.push(interner.ids[group] ?? "")
                  similarIds.push(interner.ids[other] ?? "")
                  counts.push(count)
                }
              }
              yield* raw`
                INSERT INTO recommendation_similar_groups (group_id, similar_id, shared)
                SELECT * FROM unnest(${groupIds}::uuid[], ${similarIds}::uuid[], ${counts}::int[])`
            }).pipe(Effect.orDie)
          )
          const people = part(
            ["recommendation_recent_groups", "recommendation_friends"],
            Effect.gen(function* () {
              // What a batch reads of other people (its users' friends, their friends' groups and plans,
              // their groups' newest members): a few rows of each person, taken once for everyone.
              yield* sql`
              INSERT INTO recommendation_recent_groups (user_id, group_id)
              SELECT user_id, group_id FROM (
                SELECT user_id, group_id, row_number() OVER (PARTITION BY user_id ORDER BY joined_at DESC) AS rank
                FROM group_members
              ) AS numbered WHERE rank <= 3`
              yield* sql`
              INSERT INTO recommendation_friends (user_id, friend_id)
              SELECT user_id, friend_id FROM (
                SELECT user_id, friend_id, row_number() OVER (PARTITION BY user_id ORDER BY since DESC, friend_id) AS rank
                FROM (
                  SELECT low_id AS user_id, high_id AS friend_id, since FROM friendships WHERE status = 'accepted'
                  UNION ALL
                  SELECT high_id, low_id, since FROM friendships WHERE status = 'accepted'
                ) AS both_ways
              ) AS numbered WHERE rank <= 4`
            }).pipe(Effect.orDie)
          )
          yield* Effect.all([similar, targets, people], { concurrency: 3, discard: true })
        }),

        loadSnapshot: Effect.fn("RebuildRepo.loadSnapshot")(function* (settings) {
          const interner = new Interner()
          const groupTerms = yield* loadGroupTerms(interner, null)
          const first = yield* loadFirst(interner, null, settings)
          const second = yield* loadSecond(interner, null)
          return tables(interner, first, { ...second, groupTerms })
        }, Effect.orDie),

        loadReached: Effect.fn("RebuildRepo.loadReached")(function* (users, interner, settings) {
          // Waits for a snapshot being taken, and keeps it from starting until this transaction ends.
          yield* sql`LOCK TABLE ${sql.literal(snapshotTables.join(", "))} IN ACCESS SHARE MODE`
          const groups = interner.idsOf(users.flatMap((user) => user.groups))
          const groupTerms = yield* loadGroupTerms(interner, groups)
          const first = yield* loadFirst(
            interner,
            {
              people: interner.idsOf(users.flatMap((user) => user.friends)),
              groups,
              terms: users.flatMap((user) => termsOf(user, { groupTerms, interner })),
              places: users.flatMap((user) => (user.place === null ? [] : [user.place]))
            },
            settings
          )
          const size = interner.ids.length
          const reached = reachedKeys(
            users,
            {
              interner,
              ...first,
              recentGroups: first.recentGroups,
              friends: first.friends,
              going: first.going,
              groupMembers: first.groupMembers,
              similar: byRef(first.similar, size),
              nearby: new Map()
            },
            settings
          )
          const second = yield* loadSecond(interner, reached)
          return tables(interner, first, { ...second, groupTerms })
        }, Effect.orDie),

        activeUsers: Effect.fn("RebuildRepo.activeUsers")(function* (after, limit) {
          const rows = yield* sql`
            SELECT id FROM users
            WHERE status = 'active' AND ${after === null ? sql`true` : sql`id > ${after}`}
            ORDER BY id LIMIT ${limit}`.pipe(Effect.flatMap(decodeIds))
          return rows.map((row) => row.id)
        }, Effect.orDie),

        gather: (userIds, interner) =>
          gather(userIds, interner).pipe(Effect.orDie, Effect.withSpan("RebuildRepo.gather")),

        write: (suggestions, interner) =>
          write(suggestions, interner).pipe(Effect.orDie, Effect.withSpan("RebuildRepo.write"))
      })
    })
  )
}
