/**
 * `npm run bench:fanout`: how long the worker takes to deliver one event to 10,000 recipients, on
 * the local Postgres (`DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/postgres, where a
 * scratch database is created and dropped). The event is a join request to a group with 10,000
 * admins, delivered by the same `GroupNotifier.notify` the worker's job runs: preferences, mutes and
 * quiet hours read, notifications written or collapsed, the email, push and realtime channels
 * enqueued, in batches of 1,000. See docs/benchmarks.md.
 */
import { randomUUID } from "node:crypto"
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { UserId } from "@moim/domain/Accounts/User"
import { GroupId } from "@moim/domain/Groups/Group"
import { FeatureServices } from "@moim/server/Features"
import { GroupNotifier } from "@moim/server/Groups/GroupNotifier"
import { makePlatform } from "@moim/server/Platform"
import * as Database from "@moim/server/platform/Database"
import { StreamRepo } from "@moim/server/Realtime/StreamRepo"
import { ConfigProvider, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import webpush from "web-push"
import { createDatabase, dropDatabase, withDatabase } from "./seed.ts"

const { values: args } = parseArgs({
  options: { recipients: { type: "string", default: "10000" }, runs: { type: "string", default: "5" } }
})
const recipients = Number(args.recipients)
const runs = Number(args.runs)
const root = dirname(dirname(fileURLToPath(import.meta.url)))
const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres"

const vapid = webpush.generateVAPIDKeys()
const databaseName = await createDatabase(adminUrl)
const env = {
  NODE_ENV: "production",
  LOG_LEVEL: "Warn",
  DATABASE_URL: withDatabase(adminUrl, databaseName),
  MOIM_SECRET: "fanout-benchmark-secret-long-enough-0123456789",
  MOIM_DATA_DIR: join(root, ".moim-bench-fanout"),
  VAPID_PUBLIC_KEY: vapid.publicKey,
  VAPID_PRIVATE_KEY: vapid.privateKey,
  VAPID_SUBJECT: "mailto:bench@example.com"
}

const program = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const notifier = yield* GroupNotifier
  const groupId = GroupId.make(randomUUID())
  const ownerId = UserId.make(randomUUID())
  const admins = Array.from({ length: recipients }, () => UserId.make(randomUUID()))
  // Recipients as a real audience is: verified emails, some with quiet hours, a digest or a muted
  // group, some with a push subscription.
  yield* sql`
    INSERT INTO users (id, email, password_hash, nickname, role, email_verified_at, created_at, updated_at)
    SELECT id, 'fanout-' || id || '@example.com', NULL, 'Fan ' || n, 'user', now(), now(), now()
    FROM unnest(${[ownerId, ...admins]}::uuid[]) WITH ORDINALITY AS people (id, n)`
  yield* sql`
    INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, member_limit, owner_id,
      member_count, search, created_at, updated_at)
    VALUES (${groupId}, 'Fan-out', '', 'other', '{}', 'public', 'approval', NULL, ${ownerId}, ${recipients + 1},
      to_tsvector('simple', 'Fan-out'), now(), now())`
  yield* sql`
    INSERT INTO group_members (group_id, user_id, role, joined_at)
    SELECT ${groupId}, id, CASE WHEN id = ${ownerId} THEN 'owner' ELSE 'admin' END, now()
    FROM unnest(${[ownerId, ...admins]}::uuid[]) AS id`
  const every = (step: number) => admins.filter((_, index) => index % step === 0)
  yield* sql`
    INSERT INTO notification_settings (user_id, time_zone, quiet_start, quiet_end, digest, updated_at)
    SELECT id, 'Europe/Berlin', 1320, 420, 'off', now() FROM unnest(${every(10)}::uuid[]) AS id`
  yield* sql`
    INSERT INTO notification_group_mutes (user_id, group_id, created_at)
    SELECT id, ${groupId}, now() FROM unnest(${every(20)}::uuid[]) AS id`
  yield* sql`
    INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, device_name, created_at, updated_at)
    SELECT gen_random_uuid(), id, 'https://fcm.googleapis.com/fcm/send/' || id,
      ${vapid.publicKey}, 'AAAAAAAAAAAAAAAAAAAAAA',
      NULL, now(), now()
    FROM unnest(${every(4)}::uuid[]) AS id`

  const timings: Array<number> = []
  for (let run = 0; run < runs; run++) {
    const requester = UserId.make(randomUUID())
    yield* sql`
      INSERT INTO users (id, email, password_hash, nickname, role, created_at, updated_at)
      VALUES (${requester}, ${`requester-${requester}@example.com`}, NULL, ${`Requester ${run}`}, 'user', now(), now())`
    const started = performance.now()
    yield* notifier.notify(randomUUID(), { _tag: "JoinRequested", groupId, by: requester })
    timings.push(performance.now() - started)
  }
  const [notifications] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM notifications`
  const jobs = yield* sql<{ task: string; n: number }>`
    SELECT task_identifier AS task, count(*)::int AS n FROM graphile_worker.jobs GROUP BY 1 ORDER BY 1`
  const [events] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM stream_outbox`
  // What the worker's sequencer then does with them before open streams see them.
  const stream = yield* StreamRepo
  const sequencing = performance.now()
  while ((yield* stream.sequence(1000)) === 1000) yield* Effect.yieldNow
  const sequencedMs = performance.now() - sequencing
  return {
    timings,
    notifications: notifications?.n ?? 0,
    jobs: jobs.map((row) => `${row.n} ${row.task}`).join(", "),
    events: events?.n ?? 0,
    sequencedMs
  }
})

// Every layer reads its settings from `env`, not from this process's environment.
const Services = Layer.merge(FeatureServices, StreamRepo.layer).pipe(
  Layer.provideMerge(makePlatform(Database.layer)),
  Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))
)

try {
  const result = await Effect.runPromise(program.pipe(Effect.provide(Services), Effect.scoped))
  const sorted = [...result.timings].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0
  const report = [
    `# Fan-out: one event to ${recipients.toLocaleString("en")} recipients`,
    "",
    `${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}, local Postgres.`,
    "",
    `| run | ms |`,
    `|---:|---:|`,
    ...result.timings.map(
      (ms, index) => `| ${index + 1}${index === 0 ? " (new notifications)" : " (collapsed)"} | ${ms.toFixed(0)} |`
    ),
    "",
    `Median ${median.toFixed(0)} ms, worst ${(sorted.at(-1) ?? 0).toFixed(0)} ms. Written: ${result.notifications} notifications; jobs ${result.jobs}; ${result.events} stream events, which the sequencer then numbered in ${result.sequencedMs.toFixed(0)} ms (${((result.sequencedMs / Math.max(1, result.events)) * 1000).toFixed(0)} µs each).`,
    ""
  ].join("\n")
  const results = join(root, "bench", "results")
  mkdirSync(results, { recursive: true })
  writeFileSync(join(results, `${new Date().toISOString().slice(0, 16).replace(/[:T]/g, "-")}-fanout.md`), report)
  console.log(report)
} finally {
  await dropDatabase(adminUrl, databaseName)
}
