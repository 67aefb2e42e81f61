import { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

const decodeIds = Rows.all(Schema.Struct({ id: UserId }))
const decodeCount = Rows.all(Schema.Struct({ count: Schema.Int }))

/** The side of a cell of the nearby grid, in degrees: about the radius. */
const cellDegrees = (settings: RebuildSettings) => Math.max(settings.radiusKm / 111.2, 0.01)

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

/** How far "nearby" reaches, and how many suggestions of each kind a user keeps. */
export interface RebuildSettings {
  readonly radiusKm: number
  readonly keep: number
}

/**
 * The set-based rebuild of suggestions: the one place in Moim that reads other features' tables
 * directly (`TableOwnership.test.ts` lists which, read-only), because rebuilding 100,000 users'
 * suggestions must be a few statements per batch of users, not a service call per user and source.
 * It writes only the recommendation tables. Every read is a plain `SELECT` (no row locks), so the
 * API's tables are never held.
 *
 * How a batch stays cheap: the full rebuild first takes a snapshot of what may be suggested (public
 * groups with their size and place, each term's best groups, similar groups, upcoming events); a
 * batch then gathers its users' own rows (friends, groups, place, answered events) into temporary
 * tables with one index range per user, and every candidate is scored and filtered by hash joins
 * against those and the snapshot, never by an index probe per candidate. Each user's list of a kind
 * is written as one row. The read path checks each suggestion's visibility again, so a snapshot a
 * few hours old never shows what has since become private, cancelled or blocked.
 */
export class RebuildRepo extends Context.Service<
  RebuildRepo,
  {
    /** The full rebuild's snapshot of what may be suggested: three transactions on two connections. */
    readonly snapshot: (settings: RebuildSettings) => Effect.Effect<void>
    /** The next batch of active users after `after` (by id), at most `limit`. */
    readonly activeUsers: (after: UserId | null, limit: number) => Effect.Effect<ReadonlyArray<UserId>>
    /**
     * Replaces the inferred interests and the suggestions of these users, in the caller's
     * transaction; how many suggestions they got.
     */
    readonly rebuild: (userIds: ReadonlyArray<UserId>, settings: RebuildSettings) => Effect.Effect<number>
  }
>()("@moim/server/Recommendations/RebuildRepo") {
  static readonly layer = Layer.effect(
    RebuildRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient

      /** Great-circle distance in km between two points given as SQL expressions. */
      const distance = (lat1: string, lon1: string, lat2: string, lon2: string) =>
        sql.literal(
          `(12742 * asin(least(1, sqrt(power(sin(radians(${lat2} - ${lat1}) / 2), 2) + cos(radians(${lat1})) * cos(radians(${lat2})) * power(sin(radians(${lon2} - ${lon1}) / 2), 2)))))`
        )
      const nearbyPoints = (settings: RebuildSettings) =>
        sql`CASE WHEN km IS NOT NULL AND km <= ${settings.radiusKm}::float8
          THEN round(20 * (1 - km / ${settings.radiusKm}::float8)) ELSE 0 END`
      const counted = <E, R>(statement: Effect.Effect<ReadonlyArray<unknown>, E, R>) =>
        statement.pipe(
          Effect.flatMap(decodeCount),
          Effect.map((rows) => rows[0]?.count ?? 0)
        )

      /**
       * The batch's own rows, each gathered with one index range per user: the users, their friends
       * (at most 50), their groups (with the recency rank), their place (the one they gave, else the
       * centre of the events they answered that have one) and its grid cell, the events they
       * answered, and the people they already know (followed, friends, blocked either way).
       */
      const gather = (ids: ReadonlyArray<UserId>, settings: RebuildSettings) =>
        Effect.gen(function* () {
          yield* sql`CREATE TEMPORARY TABLE rb_batch (user_id uuid PRIMARY KEY) ON COMMIT DROP`
          yield* sql`INSERT INTO rb_batch SELECT DISTINCT unnest(${[...ids]}::uuid[])`
          yield* sql`
            CREATE TEMPORARY TABLE rb_friends ON COMMIT DROP AS
            SELECT b.user_id, f.friend_id FROM rb_batch b
            CROSS JOIN LATERAL (
              (SELECT high_id AS friend_id FROM friendships WHERE low_id = b.user_id AND status = 'accepted' LIMIT 50)
              UNION ALL
              (SELECT low_id FROM friendships WHERE high_id = b.user_id AND status = 'accepted' LIMIT 50)
            ) f`
          yield* sql`
            CREATE TEMPORARY TABLE rb_groups ON COMMIT DROP AS
            SELECT b.user_id, m.group_id, row_number() OVER (PARTITION BY b.user_id ORDER BY m.joined_at DESC) AS recent
            FROM rb_batch b JOIN group_members m ON m.user_id = b.user_id`
          yield* sql`
            CREATE TEMPORARY TABLE rb_place ON COMMIT DROP AS
            SELECT user_id, latitude, longitude,
              floor(latitude / ${sql.literal(String(cellDegrees(settings)))})::int AS lat,
              floor(longitude / ${sql.literal(String(cellDegrees(settings)))})::int AS lon
            FROM (
              SELECT b.user_id, coalesce(p.latitude, e.latitude) AS latitude, coalesce(p.longitude, e.longitude) AS longitude
              FROM rb_batch b
              LEFT JOIN recommendation_places p ON p.user_id = b.user_id
              LEFT JOIN LATERAL (
                SELECT avg(ev.latitude) AS latitude, avg(ev.longitude) AS longitude
                FROM (
                  SELECT event_id FROM event_rsvps
                  WHERE user_id = b.user_id AND status IN ('going', 'interested') LIMIT 50
                ) r
                JOIN events ev ON ev.id = r.event_id AND ev.latitude IS NOT NULL
              ) e ON p.user_id IS NULL
            ) AS placed
            WHERE latitude IS NOT NULL`
          yield* sql`
            CREATE TEMPORARY TABLE rb_answered ON COMMIT DROP AS
            SELECT r.user_id, r.event_id, r.status FROM rb_batch b JOIN event_rsvps r ON r.user_id = b.user_id`
          yield* sql`
            CREATE TEMPORARY TABLE rb_known ON COMMIT DROP AS
            SELECT b.user_id, k.person_id FROM rb_batch b
            CROSS JOIN LATERAL (
              SELECT followee_id AS person_id FROM follows WHERE follower_id = b.user_id
              UNION ALL SELECT high_id FROM friendships WHERE low_id = b.user_id
              UNION ALL SELECT low_id FROM friendships WHERE high_id = b.user_id
              UNION ALL SELECT blocked_id FROM blocks WHERE blocker_id = b.user_id
              UNION ALL SELECT blocker_id FROM blocks WHERE blocked_id = b.user_id
              UNION ALL SELECT b.user_id
            ) k`
          yield* sql`
            CREATE TEMPORARY TABLE rb_dismissed ON COMMIT DROP AS
            SELECT d.user_id, d.kind, d.target_id FROM rb_batch b JOIN recommendation_dismissals d ON d.user_id = b.user_id`
          yield* sql`
            CREATE TEMPORARY TABLE rb_banned ON COMMIT DROP AS
            SELECT user_id, group_id FROM group_bans WHERE user_id IN (SELECT user_id FROM rb_batch)`
          // What is never suggested, one table per kind, so each list meets it in one hash anti-join.
          yield* sql`
            CREATE TEMPORARY TABLE rb_not_groups ON COMMIT DROP AS
            SELECT user_id, group_id FROM rb_groups
            UNION SELECT user_id, group_id FROM rb_banned
            UNION SELECT user_id, group_id FROM group_join_requests WHERE user_id IN (SELECT user_id FROM rb_batch)
            UNION SELECT user_id, target_id FROM rb_dismissed WHERE kind = 'group'`
          yield* sql`
            CREATE TEMPORARY TABLE rb_not_events ON COMMIT DROP AS
            SELECT user_id, event_id FROM rb_answered
            UNION SELECT user_id, target_id FROM rb_dismissed WHERE kind = 'event'
            UNION SELECT b.user_id, e.event_id FROM rb_banned b JOIN recommendation_events e ON e.group_id = b.group_id`
          yield* sql`
            CREATE TEMPORARY TABLE rb_not_people ON COMMIT DROP AS
            SELECT user_id, person_id FROM rb_known
            UNION SELECT user_id, target_id FROM rb_dismissed WHERE kind = 'person'`
          // Sizes for the planner, so that candidates meet these tables by hash.
          yield* sql`ANALYZE rb_batch, rb_friends, rb_groups, rb_place, rb_answered, rb_banned, rb_not_groups,
            rb_not_events, rb_not_people`
        })

      /** Nearby candidates of a kind: the most popular of the grid cells around the user's. */
      const nearby = (kind: "group" | "event") => sql`
        SELECT c.user_id, n.target_id FROM rb_place c
        CROSS JOIN LATERAL (
          SELECT target_id FROM recommendation_cells
          WHERE kind = ${kind} AND cell_lat BETWEEN c.lat - 1 AND c.lat + 1 AND cell_lon BETWEEN c.lon - 2 AND c.lon + 2
          ORDER BY popularity DESC, target_id LIMIT 10
        ) n`

      /**
       * Writes each batch user's kept candidates of a kind (the `ranked` expression before it: a score
       * and what the reasons are made of) as their one ranked row, empty when nothing was found, so a
       * rebuild replaces every list by upsert alone; how many items. An item is a composite value
       * (`recommendation_item`), not JSON: building JSON for every item cost as much as finding them.
       */
      const store = (kind: "group" | "event" | "person", settings: RebuildSettings) => sql`
        kept AS (
          SELECT ranked.*, row_number() OVER (PARTITION BY user_id ORDER BY score DESC, target_id) AS rank
          FROM ranked
        ),
        lists AS (
          SELECT user_id,
            array_agg(ROW(target_id, score, interest, friends, co, your_group, contact,
              km IS NOT NULL AND km <= ${settings.radiusKm}::float8, round(km::numeric, 1))::recommendation_item
              ORDER BY rank) AS items
          FROM kept WHERE rank <= ${settings.keep}
          GROUP BY user_id
        ),
        inserted AS (
          INSERT INTO recommendations (user_id, kind, items, built_at)
          SELECT b.user_id, ${kind}, coalesce(l.items, '{}'), now()
          FROM rb_batch b LEFT JOIN lists l ON l.user_id = b.user_id
          ON CONFLICT (user_id, kind) DO UPDATE SET items = EXCLUDED.items, built_at = EXCLUDED.built_at
          RETURNING cardinality(items) AS items
        )
        SELECT coalesce(sum(items), 0)::int AS count FROM inserted`

      const interests = sql`
        WITH signals AS (
          SELECT m.user_id, t.term AS interest, 1.0 AS points
          FROM rb_groups m
          JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
          CROSS JOIN LATERAL unnest(array_append(g.tags, NULLIF(g.category, 'other'))) AS t(term)
          UNION ALL
          SELECT a.user_id, g.category, 1.0
          FROM rb_answered a
          JOIN events e ON e.id = a.event_id AND a.status = 'going'
          JOIN groups g ON g.id = e.group_id AND g.deleted_at IS NULL AND g.category <> 'other'
          UNION ALL
          SELECT b.user_id, g.category, 0.25
          FROM rb_batch b
          CROSS JOIN LATERAL (
            SELECT subject_id FROM reactions
            WHERE user_id = b.user_id AND subject_kind = 'post' ORDER BY created_at DESC LIMIT 100
          ) r
          JOIN posts p ON p.id = r.subject_id AND p.group_id IS NOT NULL AND p.deleted_at IS NULL
          JOIN groups g ON g.id = p.group_id AND g.deleted_at IS NULL AND g.category <> 'other'
        ),
        summed AS (
          SELECT user_id, interest, sum(points) AS points FROM signals WHERE interest IS NOT NULL
          GROUP BY user_id, interest
        ),
        ranked AS (
          SELECT user_id, interest, points / max(points) OVER (PARTITION BY user_id) AS weight,
            row_number() OVER (PARTITION BY user_id ORDER BY points DESC, interest) AS rank
          FROM summed
        ),
        lists AS (
          SELECT user_id, array_agg(ROW(interest, weight)::recommendation_interest ORDER BY rank) AS interests
          FROM ranked WHERE rank <= 10 GROUP BY user_id
        )
        INSERT INTO recommendation_interests (user_id, interests)
        SELECT b.user_id, coalesce(l.interests, '{}') FROM rb_batch b LEFT JOIN lists l ON l.user_id = b.user_id
        ON CONFLICT (user_id) DO UPDATE SET interests = EXCLUDED.interests`

      const groups = (settings: RebuildSettings) =>
        sql`
        WITH picked AS (
          SELECT b.user_id, replace(lower(btrim(i)), ' ', '-') AS interest, 1.0::float8 AS weight
          FROM rb_batch b JOIN users u ON u.id = b.user_id CROSS JOIN LATERAL unnest(u.interests) AS i
          UNION ALL
          SELECT b.user_id, i.interest, i.weight * 0.8 FROM rb_batch b
          JOIN recommendation_interests ri ON ri.user_id = b.user_id
          CROSS JOIN LATERAL unnest(ri.interests[1:5]) AS i
        ),
        terms AS (
          SELECT user_id, interest, weight FROM (
            SELECT user_id, interest, max(weight) AS weight,
              row_number() OVER (PARTITION BY user_id ORDER BY max(weight) DESC, interest) AS rank
            FROM picked GROUP BY user_id, interest
          ) AS best WHERE rank <= 5
        ),
        friend_groups AS (
          SELECT f.user_id, m.group_id FROM rb_friends f JOIN recommendation_recent_groups m ON m.user_id = f.friend_id
        ),
        by_interest AS (
          -- The best of the user's interests each group matches, so the sums below need no ordering.
          SELECT DISTINCT ON (t.user_id, gt.group_id) t.user_id, gt.group_id, t.interest, t.weight
          FROM terms t JOIN recommendation_group_terms gt ON gt.term = t.interest
          ORDER BY t.user_id, gt.group_id, t.weight DESC, t.interest
        ),
        candidates AS (
          SELECT user_id, group_id, 'interest' AS kind, interest AS detail, round(weight * 40)::int AS points
          FROM by_interest
          UNION ALL
          SELECT user_id, group_id, 'friends', NULL, 25 FROM friend_groups
          UNION ALL
          SELECT r.user_id, s.similar_id, 'co_membership', NULL, least(s.shared, 10) * 2
          FROM rb_groups r JOIN recommendation_similar_groups s ON s.group_id = r.group_id
          WHERE r.recent <= 5
          UNION ALL
          SELECT n.user_id, n.target_id, 'popular_nearby', NULL, 15 FROM (${nearby("group")}) n
        ),
        scored AS (
          SELECT user_id, group_id, sum(points) AS points,
            max(detail) AS interest,
            count(*) FILTER (WHERE kind = 'friends') AS friends,
            count(*) FILTER (WHERE kind = 'co_membership') AS co
          FROM candidates GROUP BY user_id, group_id
        ),
        eligible AS (
          SELECT s.*, g.member_count,
            CASE WHEN p.user_id IS NULL OR g.latitude IS NULL THEN NULL
              ELSE ${distance("p.latitude", "p.longitude", "g.latitude", "g.longitude")} END AS km
          FROM scored s
          JOIN recommendation_groups g ON g.group_id = s.group_id
          LEFT JOIN rb_place p ON p.user_id = s.user_id
          WHERE NOT EXISTS (SELECT 1 FROM rb_not_groups n WHERE n.user_id = s.user_id AND n.group_id = s.group_id)
        ),
        ranked AS (
          SELECT user_id, group_id AS target_id, km, interest, friends, co, false AS your_group, false AS contact,
            (points + least(round(ln(member_count + 1) * 2), 20) + ${nearbyPoints(settings)})::int AS score
          FROM eligible
        ),
        ${store("group", settings)}`.pipe(counted)

      const events = (settings: RebuildSettings) =>
        sql`
        WITH suggested_groups AS (
          SELECT r.user_id, i.id AS group_id, i.interest
          FROM rb_batch b
          JOIN recommendations r ON r.user_id = b.user_id AND r.kind = 'group'
          CROSS JOIN LATERAL unnest(r.items[1:5]) AS i
          WHERE i.interest IS NOT NULL
        ),
        group_sources AS (
          SELECT user_id, group_id, 'your_group' AS kind, NULL AS detail, 30 AS points FROM rb_groups WHERE recent <= 5
          UNION ALL
          SELECT user_id, group_id, 'interest', interest, 20 FROM suggested_groups
        ),
        friend_events AS (
          SELECT f.user_id, r.event_id FROM rb_friends f JOIN recommendation_going r ON r.user_id = f.friend_id
        ),
        candidates AS (
          SELECT s.user_id, e.event_id, s.kind, s.detail, s.points
          FROM group_sources s JOIN recommendation_events e ON e.group_id = s.group_id AND e.next_in_group
          UNION ALL
          SELECT user_id, event_id, 'friends', NULL, 20 FROM friend_events
          UNION ALL
          SELECT n.user_id, n.target_id, 'popular_nearby', NULL, 15 FROM (${nearby("event")}) n
        ),
        scored AS (
          SELECT user_id, event_id, sum(points) AS points,
            bool_or(kind = 'your_group') AS mine,
            max(detail) AS interest,
            count(*) FILTER (WHERE kind = 'friends') AS friends
          FROM candidates GROUP BY user_id, event_id
        ),
        eligible AS (
          SELECT s.*, e.going_count,
            CASE WHEN p.user_id IS NULL OR e.latitude IS NULL THEN NULL
              ELSE ${distance("p.latitude", "p.longitude", "e.latitude", "e.longitude")} END AS km
          FROM scored s
          JOIN recommendation_events e ON e.event_id = s.event_id AND e.starts_at > now()
          LEFT JOIN rb_place p ON p.user_id = s.user_id
          WHERE (e.creator_id IS NULL OR e.creator_id <> s.user_id)
            AND NOT EXISTS (SELECT 1 FROM rb_not_events n WHERE n.user_id = s.user_id AND n.event_id = s.event_id)
        ),
        ranked AS (
          SELECT user_id, event_id AS target_id, km, interest, friends, 0 AS co, mine AS your_group, false AS contact,
            (points + least(round(ln(going_count + 1) * 2), 20) + ${nearbyPoints(settings)})::int AS score
          FROM eligible
        ),
        ${store("event", settings)}`.pipe(counted)

      const people = (settings: RebuildSettings) =>
        sql`
        WITH friends_of_friends AS (
          SELECT f.user_id, ff.friend_id AS person_id FROM rb_friends f
          JOIN recommendation_friends ff ON ff.user_id = f.friend_id
        ),
        contacts AS (
          SELECT b.user_id, pn.user_id AS person_id
          FROM rb_batch b
          CROSS JOIN LATERAL (SELECT hash FROM contact_hashes WHERE owner_id = b.user_id LIMIT 5000) ch
          JOIN phone_numbers pn ON pn.contact_hash = ch.hash
          LEFT JOIN social_settings ss ON ss.user_id = pn.user_id
          WHERE coalesce(ss.findable_by_phone, true)
        ),
        co_members AS (
          SELECT r.user_id, gm.user_id AS person_id
          FROM rb_groups r JOIN recommendation_group_members gm ON gm.group_id = r.group_id
          WHERE r.recent <= 3
        ),
        candidates AS (
          SELECT user_id, person_id, 'friends' AS kind, 10 AS points FROM friends_of_friends
          UNION ALL
          SELECT user_id, person_id, 'contacts', 50 FROM contacts
          UNION ALL
          SELECT user_id, person_id, 'co_membership', 8 FROM co_members
        ),
        scored AS (
          SELECT user_id, person_id, sum(points) AS score,
            count(*) FILTER (WHERE kind = 'friends') AS friends,
            bool_or(kind = 'contacts') AS contact,
            count(*) FILTER (WHERE kind = 'co_membership') AS co
          FROM candidates GROUP BY user_id, person_id
        ),
        eligible AS (
          SELECT s.* FROM scored s
          WHERE NOT EXISTS (SELECT 1 FROM rb_not_people n WHERE n.user_id = s.user_id AND n.person_id = s.person_id)
        ),
        ranked AS (
          SELECT e.user_id, e.person_id AS target_id, NULL::float8 AS km, e.score::int AS score, NULL::text AS interest,
            e.friends, e.co, false AS your_group, e.contact
          FROM eligible e JOIN users u ON u.id = e.person_id AND u.status = 'active'
        ),
        ${store("person", settings)}`.pipe(counted)

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
              // The groups sharing the most members with each, from everyone's four most recent groups.
              yield* sql`
              WITH recent AS (
                SELECT user_id, group_id FROM (
                  SELECT m.user_id, m.group_id,
                    row_number() OVER (PARTITION BY m.user_id ORDER BY m.joined_at DESC) AS rank
                  FROM group_members m
                ) AS numbered
                WHERE rank <= 4
                  AND group_id IN (SELECT id FROM groups WHERE visibility = 'public' AND deleted_at IS NULL)
              ),
              pairs AS (
                SELECT a.group_id, b.group_id AS similar_id, count(*) AS shared
                FROM recent a JOIN recent b ON b.user_id = a.user_id AND b.group_id <> a.group_id
                GROUP BY a.group_id, b.group_id
              ),
              ranked AS (
                SELECT pairs.*, row_number() OVER (PARTITION BY group_id ORDER BY shared DESC, similar_id) AS rank
                FROM pairs
              )
              INSERT INTO recommendation_similar_groups (group_id, similar_id, shared)
              SELECT group_id, similar_id, shared FROM ranked WHERE rank <= 3`
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
          yield* Effect.all([similar, Effect.andThen(targets, people)], { concurrency: 2, discard: true })
        }),

        activeUsers: Effect.fn("RebuildRepo.activeUsers")(function* (after, limit) {
          const rows = yield* sql`
            SELECT id FROM users
            WHERE status = 'active' AND ${after === null ? sql`true` : sql`id > ${after}`}
            ORDER BY id LIMIT ${limit}`.pipe(Effect.flatMap(decodeIds))
          return rows.map((row) => row.id)
        }, Effect.orDie),

        rebuild: Effect.fn("RebuildRepo.rebuild")(function* (userIds, settings) {
          if (userIds.length === 0) return 0
          const ids = [...userIds]
          // Large one-off statements: compiling them (JIT) costs more than running them, and their
          // sorts and hashes fit in memory.
          yield* sql`SET LOCAL jit = off`
          yield* sql`SET LOCAL work_mem = '64MB'`
          // The candidates meet the batch's small tables best by hash; a merge join would sort them all.
          yield* sql`SET LOCAL enable_mergejoin = off`
          yield* sql`LOCK TABLE ${sql.literal(snapshotTables.join(", "))} IN ACCESS SHARE MODE`
          // Batches of the nightly rebuild run side by side on disjoint users; a refresh of one user may
          // meet the batch holding that user. Both upsert every row of their users, in the same order
          // (interests, then groups, events and people), so the second waits on the first's rows and
          // then writes its own lists whole: never a duplicate key, never a deadlock, and the last
          // writer's lists win.
          yield* gather(ids, settings)
          yield* interests
          const grouped = yield* groups(settings)
          const evented = yield* events(settings)
          const peopled = yield* people(settings)
          return grouped + evented + peopled
        }, Effect.orDie)
      })
    })
  )
}
