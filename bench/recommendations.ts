/**
 * `npm run bench:recs`: how long the nightly rebuild of suggestions takes for 100,000 users, 10,000
 * groups and 1,000,000 memberships, on the local Postgres (`DATABASE_URL`, default
 * postgres://postgres@127.0.0.1:5432/postgres, where a scratch database is created and dropped). The
 * data is seeded with set-based SQL (`generate_series`); the rebuild is the worker's own
 * (`Rebuild.all`, what the `RebuildRecommendations` cron runs): a snapshot of the public groups, then
 * the users in batches, each batch one transaction. See docs/recommendations.md.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { UserId } from "@moim/domain/Accounts/User"
import { FeatureServices } from "@moim/server/Features"
import { makePlatform } from "@moim/server/Platform"
import * as Database from "@moim/server/platform/Database"
import { Rebuild } from "@moim/server/Recommendations/Rebuild"
import { ConfigProvider, Duration, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { createDatabase, dropDatabase, withDatabase } from "./seed.ts"

const { values: args } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    groups: { type: "string", default: "10000" },
    memberships: { type: "string", default: "1000000" },
    batch: { type: "string", default: "2000" },
    // Batches in flight (`RECOMMENDATIONS_CONCURRENCY`).
    concurrency: { type: "string", default: "2" },
    // Keep the scratch database at the end (its name is printed), or reuse one kept before instead
    // of seeding: the seed takes minutes, the rebuild is what is measured.
    keep: { type: "boolean", default: false },
    database: { type: "string" },
    // On a reused database, a day's activity before the rebuild, as a nightly run meets it: this many
    // people each join one more group and as many pairs become friends.
    churn: { type: "string", default: "5000" }
  }
})
const users = Number(args.users)
const groups = Number(args.groups)
const perUser = Math.ceil(Number(args.memberships) / users)
const root = dirname(dirname(fileURLToPath(import.meta.url)))
const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres"

const reused = args.database
const databaseName = reused ?? (await createDatabase(adminUrl))
const env = {
  NODE_ENV: "production",
  LOG_LEVEL: "Warn",
  DATABASE_URL: withDatabase(adminUrl, databaseName),
  MOIM_SECRET: "recommendations-benchmark-secret-long-enough-0123456789",
  MOIM_DATA_DIR: join(root, ".moim-bench-recs"),
  RECOMMENDATIONS_BATCH_SIZE: args.batch,
  RECOMMENDATIONS_CONCURRENCY: args.concurrency
}

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.timed(effect), ([duration, value]) => ({ ms: Duration.toMillis(duration), value }))

/** The ids are derived from a prefix and a number (md5), so every table can point at them by number. */
const seed = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // A version-4 shape, as the API's id schemas check.
  const id = (prefix: string, n: string) =>
    sql.literal(`overlay(overlay(md5('${prefix}' || (${n})) placing '4' from 13) placing '8' from 17)::uuid`)
  const user = (n: string) => id("u", n)
  const group = (n: string) => id("g", n)
  yield* sql`
    INSERT INTO users (id, email, password_hash, nickname, interests, role, status, created_at, updated_at)
    SELECT ${user("n")}, 'recs-' || n || '@example.com', NULL, 'User ' || n,
      CASE WHEN n % 5 = 0 THEN ARRAY[(ARRAY['hiking','books','tech','music','food','games'])[1 + n % 6], 'tag-' || (n % 50)]
        ELSE '{}' END,
      'user', 'active', now(), now()
    FROM generate_series(1, ${users}) AS n`
  // Categories in turn, two tags of fifty, one group in ten private.
  yield* sql`
    INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, owner_id, member_count,
      search, created_at, updated_at)
    SELECT ${group("n")}, 'Group ' || n, '',
      (ARRAY['sports','hiking','books','tech','music','language','food','games','arts','volunteering','other'])[1 + n % 11],
      ARRAY['tag-' || (n % 50), 'tag-' || ((n * 7) % 50)],
      CASE WHEN n % 10 = 0 THEN 'private' ELSE 'public' END, 'open', ${user(`1 + n % ${users}`)}, 0,
      to_tsvector('simple', 'Group ' || n), now(), now()
    FROM generate_series(1, ${groups}) AS n`
  // Popularity skewed towards low group numbers (a power law, as real groups are).
  yield* sql`
    INSERT INTO group_members (group_id, user_id, role, joined_at)
    SELECT ${group(`1 + floor(power(random(), 2) * ${groups})::int`)}, ${user("u")}, 'member',
      now() - (k || ' days')::interval
    FROM generate_series(1, ${users}) AS u, generate_series(1, ${perUser}) AS k
    ON CONFLICT DO NOTHING`
  yield* sql`
    UPDATE groups g SET member_count = c.n
    FROM (SELECT group_id, count(*)::int AS n FROM group_members GROUP BY group_id) c WHERE c.group_id = g.id`
  // Five friends each, a few follows and blocks, a fifth of users with a place (five cities).
  yield* sql`
    INSERT INTO friendships (low_id, high_id, requester_id, status, created_at, since)
    SELECT least(a, b), greatest(a, b), a, 'accepted', now(), now()
    FROM (
      SELECT ${user("u")} AS a, ${user(`1 + (u * 7 + k * 7919) % ${users}`)} AS b
      FROM generate_series(1, ${users}) AS u, generate_series(1, 5) AS k
    ) AS pairs
    WHERE a <> b
    ON CONFLICT DO NOTHING`
  yield* sql`
    INSERT INTO follows (follower_id, followee_id, status, created_at)
    SELECT a, b, 'active', now()
    FROM (
      SELECT ${user("u")} AS a, ${user(`1 + (u * 13 + k * 104729) % ${users}`)} AS b
      FROM generate_series(1, ${users}) AS u, generate_series(1, 3) AS k
    ) AS pairs
    WHERE a <> b
    ON CONFLICT DO NOTHING`
  yield* sql`
    INSERT INTO blocks (blocker_id, blocked_id, created_at)
    SELECT ${user("u")}, ${user(`1 + (u * 31) % ${users}`)}, now()
    FROM generate_series(1, ${users}, 10) AS u
    WHERE u <> 1 + (u * 31) % ${users}
    ON CONFLICT DO NOTHING`
  yield* sql`
    INSERT INTO recommendation_places (user_id, latitude, longitude, updated_at)
    SELECT ${user("u")}, 48 + (u % 5) + random() * 0.2, 2 + (u % 5) * 3 + random() * 0.2, now()
    FROM generate_series(5, ${users}, 5) AS u`
  // Two upcoming events per group, half with a place near one of the cities; RSVPs from members.
  yield* sql`
    INSERT INTO events (id, group_id, creator_id, title, description, latitude, longitude, start_local, end_local,
      time_zone, starts_at, ends_at, created_at, updated_at)
    SELECT ${id("e", "n || '-' || k")}, ${group("n")}, ${user(`1 + n % ${users}`)}, 'Event ' || n || '-' || k, '',
      CASE WHEN k = 1 THEN 48 + (n % 5) + random() * 0.3 END, CASE WHEN k = 1 THEN 2 + (n % 5) * 3 + random() * 0.3 END,
      '2030-01-01T10:00', '2030-01-01T12:00', 'UTC',
      now() + ((n % 60 + k) || ' days')::interval, now() + ((n % 60 + k) || ' days')::interval + interval '2 hours',
      now(), now()
    FROM generate_series(1, ${groups}) AS n, generate_series(1, 2) AS k`
  yield* sql`
    INSERT INTO event_rsvps (event_id, user_id, status, waitlisted, seq, responded_at)
    SELECT e.id, m.user_id, CASE WHEN random() < 0.8 THEN 'going' ELSE 'not_going' END, false,
      nextval('event_rsvps_seq'), now()
    FROM events e
    CROSS JOIN LATERAL (
      SELECT user_id FROM group_members WHERE group_id = e.group_id ORDER BY joined_at DESC LIMIT 15
    ) m`
  yield* sql`
    UPDATE events e SET going_count = c.n
    FROM (SELECT event_id, count(*)::int AS n FROM event_rsvps WHERE status = 'going' GROUP BY event_id) c
    WHERE c.event_id = e.id`
  // As autovacuum would soon after such a load, and as a database that has lived is: statistics, and
  // the visibility map that lets the rebuild read the members' index alone (without it, each batch
  // read all 1,000,000 memberships: 52.7 s against 43.6 s for the whole rebuild).
  yield* sql`VACUUM ANALYZE`
  return yield* counts
})

/**
 * A day's activity on a database seeded before: `n` people (any) each join a group (skewed towards
 * popular ones, as in the seed), and `n` new friendships. Each changes the suggestions of the people
 * involved and of their friends (friends' newest groups are a source).
 */
const churn = (n: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = (prefix: string, expression: string) =>
      sql.literal(`overlay(overlay(md5('${prefix}' || (${expression})) placing '4' from 13) placing '8' from 17)::uuid`)
    yield* sql`
      INSERT INTO group_members (group_id, user_id, role, joined_at)
      SELECT ${id("g", `1 + floor(power(random(), 2) * ${groups})::int`)}, ${id("u", `1 + floor(random() * ${users})::int`)},
        'member', now()
      FROM generate_series(1, ${n})
      ON CONFLICT DO NOTHING`
    yield* sql`
      UPDATE groups g SET member_count = c.n
      FROM (SELECT group_id, count(*)::int AS n FROM group_members GROUP BY group_id) c
      WHERE c.group_id = g.id AND g.member_count <> c.n`
    yield* sql`
      INSERT INTO friendships (low_id, high_id, requester_id, status, created_at, since)
      SELECT least(a, b), greatest(a, b), a, 'accepted', now(), now()
      FROM (
        SELECT ${id("u", `1 + floor(random() * ${users})::int`)} AS a, ${id("u", `1 + floor(random() * ${users})::int`)} AS b
        FROM generate_series(1, ${n})
      ) AS pairs
      WHERE a <> b
      ON CONFLICT DO NOTHING`
  })

/** What the database holds. */
const counts = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const [counts] = yield* sql<{
    users: number
    groups: number
    memberships: number
    friendships: number
    events: number
    rsvps: number
  }>`
    SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM groups)::int AS groups,
      (SELECT count(*) FROM group_members)::int AS memberships, (SELECT count(*) FROM friendships)::int AS friendships,
      (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM event_rsvps)::int AS rsvps`
  return counts
})

const program = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rebuild = yield* Rebuild
  const seeded = yield* timed(reused === undefined ? seed : counts)
  // A reused database: every run starts from the state a nightly run meets, last night's lists, a
  // day's activity since, and no dead rows (autovacuum's work); then the setup's dirty pages are
  // written out (where the role may), so the run does not pay for them.
  if (reused !== undefined) {
    yield* churn(Number(args.churn))
    yield* sql`VACUUM ANALYZE`
    yield* sql`CHECKPOINT`.pipe(Effect.ignore)
  }
  const [started] = yield* sql<{ at: Date; wal: string }>`SELECT now() AS at, pg_current_wal_lsn()::text AS wal`
  const cpuBefore = { self: process.cpuUsage(), postgres: postgresCpuSeconds() }
  const full = yield* timed(rebuild.all)
  const selfCpu = process.cpuUsage(cpuBefore.self)
  const cpu = {
    self: (selfCpu.user + selfCpu.system) / 1e6,
    postgres: postgresCpuSeconds() - cpuBefore.postgres
  }
  const [wal] = yield* sql<{ bytes: number }>`
    SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ${started?.wal ?? "0/0"}::pg_lsn)::float8 AS bytes`
  // Lists whose content changed, and were written (the others are left as they are).
  const [rewritten] = yield* sql<{ lists: number }>`
    SELECT count(*)::int AS lists FROM recommendations WHERE built_at >= ${started?.at ?? new Date(0)}`
  const [produced] = yield* sql<{ groups: number; events: number; people: number; users: number }>`
    SELECT coalesce(sum(cardinality(items)) FILTER (WHERE kind = 'group'), 0)::int AS groups,
      coalesce(sum(cardinality(items)) FILTER (WHERE kind = 'event'), 0)::int AS events,
      coalesce(sum(cardinality(items)) FILTER (WHERE kind = 'person'), 0)::int AS people,
      (count(*) FILTER (WHERE kind = 'group' AND cardinality(items) > 0))::int AS users
    FROM recommendations`
  // One user's refresh, as the job after a join runs it.
  const [someone] = yield* sql<{ id: string }>`SELECT id FROM users ORDER BY id OFFSET 500 LIMIT 1`
  const refresh = yield* timed(rebuild.refresh(UserId.make(someone?.id ?? "")))
  return { seeded, full, cpu, produced, refresh, rewritten: rewritten?.lists ?? 0, wal: wal?.bytes ?? 0 }
})

/**
 * The processor time used so far by the local Postgres's processes (Linux; user and system, in
 * seconds, at the usual 100 ticks a second). The rebuild's connections stay open throughout, so
 * the difference over the run is Postgres's share of it.
 */
const postgresCpuSeconds = () => {
  let ticks = 0
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
      // The command name is in parentheses and may hold spaces; the fields after it are numbered from 3.
      const close = stat.lastIndexOf(")")
      if (!stat.slice(stat.indexOf("(") + 1, close).startsWith("postgres")) continue
      const fields = stat.slice(close + 2).split(" ")
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return ticks / 100
}

/** The process's peak resident set so far, in MiB (Linux). */
const peakMiB = () => {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))
  return match?.[1] === undefined ? "?" : Math.round(Number(match[1]) / 1024).toLocaleString("en")
}

// Every layer reads its settings from `env`, not from this process's environment.
const Services = FeatureServices.pipe(
  Layer.provideMerge(makePlatform(Database.layer)),
  Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))
)

try {
  const result = await Effect.runPromise(program.pipe(Effect.provide(Services), Effect.scoped))
  const counts = result.seeded.value
  const report = [
    `# Recommendations: the full rebuild`,
    "",
    `${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}, local Postgres.`,
    "",
    `Seeded in ${(result.seeded.ms / 1000).toFixed(1)} s: ${counts?.users.toLocaleString("en")} users, ${counts?.groups.toLocaleString("en")} groups, ${counts?.memberships.toLocaleString("en")} memberships, ${counts?.friendships.toLocaleString("en")} friendships, ${counts?.events.toLocaleString("en")} events, ${counts?.rsvps.toLocaleString("en")} RSVPs.`,
    "",
    `| step | result |`,
    `|---|---:|`,
    `| full rebuild (${result.full.value.batches} batches of ${args.batch} users) | **${(result.full.ms / 1000).toFixed(1)} s** |`,
    `| of which: snapshot, load, batches | ${[result.full.value.snapshotMs, result.full.value.loadMs, result.full.value.batchesMs].map((ms) => `${(ms / 1000).toFixed(1)} s`).join(", ")} |`,
    `| processor time: this process, Postgres | ${result.cpu.self.toFixed(1)} s, ${result.cpu.postgres.toFixed(1)} s |`,
    `| users rebuilt | ${result.full.value.users.toLocaleString("en")} |`,
    `| suggestions written | ${result.full.value.suggestions.toLocaleString("en")} (groups ${result.produced?.groups.toLocaleString("en")}, events ${result.produced?.events.toLocaleString("en")}, people ${result.produced?.people.toLocaleString("en")}) |`,
    `| users with group suggestions | ${result.produced?.users.toLocaleString("en")} |`,
    `| lists written (changed or new) | ${result.rewritten.toLocaleString("en")}${reused === undefined ? "" : `, after a day's activity: ${Number(args.churn).toLocaleString("en")} joins and as many new friendships`} |`,
    `| WAL written by the rebuild | ${Math.round(result.wal / 2 ** 20).toLocaleString("en")} MiB |`,
    `| one user's refresh | ${result.refresh.ms.toFixed(0)} ms |`,
    `| peak resident memory of this process (\`VmHWM\`${reused === undefined ? ", seed included" : ""}) | ${peakMiB()} MiB |`,
    ""
  ].join("\n")
  const results = join(root, "bench", "results")
  mkdirSync(results, { recursive: true })
  writeFileSync(
    join(results, `${new Date().toISOString().slice(0, 16).replace(/[:T]/g, "-")}-recommendations.md`),
    report
  )
  console.log(report)
} finally {
  if (args.keep || reused !== undefined) console.log(`kept database ${databaseName}`)
  else await dropDatabase(adminUrl, databaseName)
}
