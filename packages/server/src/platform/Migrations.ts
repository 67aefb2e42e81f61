import * as NodeServices from "@effect/platform-node/NodeServices"
import { PgMigrator } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { Migrator } from "effect/sql"
import { Logger as GraphileLogger, runMigrations } from "graphile-worker"
import pg from "pg"
import m0001 from "../migrations/0001_worker_heartbeats.ts"
import m0002 from "../migrations/0002_accounts.ts"
import m0003 from "../migrations/0003_groups.ts"
import m0004 from "../migrations/0004_notifications.ts"
import m0005 from "../migrations/0005_stream.ts"
import m0006 from "../migrations/0006_push_subscriptions.ts"
import m0007 from "../migrations/0007_notification_email.ts"
import m0008 from "../migrations/0008_millisecond_list_times.ts"
import m0009 from "../migrations/0009_posts.ts"
import m0010 from "../migrations/0010_media.ts"
import m0011 from "../migrations/0011_comments_reactions_bookmarks.ts"
import m0012 from "../migrations/0012_reports.ts"
import m0013 from "../migrations/0013_post_notification_levels.ts"
import m0014 from "../migrations/0014_social.ts"
import m0015 from "../migrations/0015_phone_numbers.ts"
import m0016 from "../migrations/0016_events.ts"
import m0017 from "../migrations/0017_event_recurrence.ts"
import m0018 from "../migrations/0018_calendar_feeds.ts"
import m0019 from "../migrations/0019_event_versions.ts"
import m0020 from "../migrations/0020_event_reminders.ts"
import m0021 from "../migrations/0021_group_event_creation.ts"
import m0022 from "../migrations/0022_chat.ts"
import m0023 from "../migrations/0023_chat_messages_extras.ts"
import m0025 from "../migrations/0025_chat_search.ts"
import m0026 from "../migrations/0026_chat_notifications.ts"
import m0027 from "../migrations/0027_media_files.ts"
import m0028 from "../migrations/0028_job_operations.ts"
import m0029 from "../migrations/0029_activity_events.ts"
import m0030 from "../migrations/0030_recommendations.ts"
import m0031 from "../migrations/0031_recommendation_lists.ts"
import m0032 from "../migrations/0032_idempotency_keys.ts"
import m0033 from "../migrations/0033_mobile_push.ts"
import m0034 from "../migrations/0034_two_factor.ts"
import m0035 from "../migrations/0035_edit_versions.ts"
import m0036 from "../migrations/0036_oidc.ts"
import m0037 from "../migrations/0037_recommendation_digests.ts"
import { DatabaseUrl } from "./DatabaseUrl.ts"

/** Every migration, keyed `<id>_<name>`; forward-only, never edited once released. */
export const migrations = {
  "0001_worker_heartbeats": m0001,
  "0002_accounts": m0002,
  "0003_groups": m0003,
  "0004_notifications": m0004,
  "0005_stream": m0005,
  "0006_push_subscriptions": m0006,
  "0007_notification_email": m0007,
  "0008_millisecond_list_times": m0008,
  "0009_posts": m0009,
  "0010_media": m0010,
  "0011_comments_reactions_bookmarks": m0011,
  "0012_reports": m0012,
  "0013_post_notification_levels": m0013,
  "0014_social": m0014,
  "0015_phone_numbers": m0015,
  "0016_events": m0016,
  "0017_event_recurrence": m0017,
  "0018_calendar_feeds": m0018,
  "0019_event_versions": m0019,
  "0020_event_reminders": m0020,
  "0021_group_event_creation": m0021,
  "0022_chat": m0022,
  "0023_chat_messages_extras": m0023,
  "0025_chat_search": m0025,
  "0026_chat_notifications": m0026,
  "0027_media_files": m0027,
  "0028_job_operations": m0028,
  "0029_activity_events": m0029,
  "0030_recommendations": m0030,
  "0031_recommendation_lists": m0031,
  "0032_idempotency_keys": m0032,
  "0033_mobile_push": m0033,
  "0034_two_factor": m0034,
  "0035_edit_versions": m0035,
  "0036_oidc": m0036,
  "0037_recommendation_digests": m0037
}

const silentLogger = new GraphileLogger(() => () => undefined)

/**
 * graphile-worker's schema, on a pool of our own: graphile-worker would end its own pool without
 * waiting, and a connection still closing then surfaces a late, unhandled error if the database goes
 * away (a test database dropped right after). Ours logs nothing, handles errors and is ended before
 * this returns.
 */
const runJobQueueMigrations = Effect.gen(function* () {
  const database = yield* DatabaseUrl
  yield* Effect.acquireUseRelease(
    Effect.sync(() => {
      const pool = new pg.Pool({ connectionString: Redacted.value(database.url), max: 1 })
      // A failing query still rejects for its caller; these only keep a dropped connection's late
      // error event from going unhandled (graphile-worker checks that both are there).
      pool.on("error", () => undefined)
      pool.on("connect", (client) => client.on("error", () => undefined))
      return pool
    }),
    (pool) =>
      Effect.tryPromise({
        try: () => runMigrations({ pgPool: pool, logger: silentLogger }),
        catch: (cause) =>
          new Migrator.MigrationError({ kind: "Failed", message: `graphile-worker migrations failed: ${cause}`, cause })
      }),
    (pool) => Effect.promise(() => pool.end().catch(() => undefined))
  )
})

/**
 * Applies Moim's migrations, then graphile-worker's schema, so the server can enqueue jobs before
 * any worker runs. Whichever process takes the migrations table lock first applies them; the
 * others wait and then find nothing left to apply.
 */
const run = Effect.gen(function* () {
  const applied = yield* PgMigrator.run({ loader: Migrator.fromRecord(migrations) }).pipe(
    Effect.provide(NodeServices.layer)
  )
  for (const [id, name] of applied) {
    yield* Effect.logInfo("migration applied").pipe(Effect.annotateLogs({ id, name }))
  }
  yield* runJobQueueMigrations
}).pipe(Effect.withSpan("Migrations.run"))

export const Migrations = {
  run,
  layer: Layer.effectDiscard(run).pipe(Layer.orDie)
}
