import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Which notifications were emailed, alone or in a digest: a notification is emailed at most once,
  // however often its job runs, and a digest lists only what was not emailed before.
  yield* sql`
    CREATE TABLE notification_emails (
      notification_id uuid PRIMARY KEY REFERENCES notifications (id) ON DELETE CASCADE,
      recipient_id uuid NOT NULL,
      via text NOT NULL CHECK (via IN ('single', 'digest')),
      created_at timestamptz NOT NULL
    )
  `
  // One digest per user and period (their local date), however often the hourly cron runs.
  yield* sql`
    CREATE TABLE notification_digests (
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      period text NOT NULL,
      notification_count integer NOT NULL CHECK (notification_count > 0),
      created_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, period)
    )
  `
  yield* sql`CREATE INDEX notification_digests_created_idx ON notification_digests (created_at)`
  // The hourly cron pages through the users of each time zone whose digest is on.
  yield* sql`
    CREATE INDEX notification_settings_digest_idx ON notification_settings (time_zone, digest, user_id)
    WHERE digest <> 'off'
  `
})
