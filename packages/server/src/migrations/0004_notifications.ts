import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Times in milliseconds, as clients and cursors carry them: a keyset position read back from a
  // cursor then matches the stored value exactly.
  // One row per notification a user sees. A collapsible kind keeps one unread row per
  // `collapse_key` (its type and subject), which later events update instead of adding rows.
  yield* sql`
    CREATE TABLE notifications (
      id uuid PRIMARY KEY,
      recipient_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      type text NOT NULL,
      subject_kind text NOT NULL,
      subject_id text NOT NULL,
      group_id uuid,
      collapse_key text,
      actor_ids uuid[] NOT NULL DEFAULT '{}',
      actor_count integer NOT NULL DEFAULT 0 CHECK (actor_count >= 0),
      data jsonb NOT NULL,
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL,
      read_at timestamptz(3),
      seen_at timestamptz(3)
    )
  `
  yield* sql`CREATE INDEX notifications_list_idx ON notifications (recipient_id, updated_at DESC, id DESC)`
  yield* sql`CREATE INDEX notifications_unread_idx ON notifications (recipient_id, updated_at DESC, id DESC) WHERE read_at IS NULL`
  yield* sql`
    CREATE UNIQUE INDEX notifications_collapse_idx ON notifications (recipient_id, collapse_key)
    WHERE read_at IS NULL AND collapse_key IS NOT NULL
  `
  yield* sql`CREATE INDEX notifications_updated_idx ON notifications (updated_at)`

  // Which events reached which recipients: a job that runs again delivers nothing twice.
  yield* sql`
    CREATE TABLE notification_deliveries (
      event_id text NOT NULL,
      recipient_id uuid NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (event_id, recipient_id)
    )
  `
  yield* sql`CREATE INDEX notification_deliveries_created_idx ON notification_deliveries (created_at)`

  yield* sql`
    CREATE TABLE notification_settings (
      user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      time_zone text NOT NULL DEFAULT 'UTC',
      quiet_start smallint CHECK (quiet_start BETWEEN 0 AND 1439),
      quiet_end smallint CHECK (quiet_end BETWEEN 0 AND 1439),
      digest text NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'daily', 'weekly')),
      updated_at timestamptz NOT NULL,
      CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
    )
  `
  // Only the channels a user changed from their kind's default.
  yield* sql`
    CREATE TABLE notification_channel_preferences (
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      type text NOT NULL,
      channel text NOT NULL CHECK (channel IN ('inApp', 'email', 'push')),
      enabled boolean NOT NULL,
      PRIMARY KEY (user_id, type, channel)
    )
  `
  yield* sql`
    CREATE TABLE notification_group_mutes (
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      group_id uuid NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, group_id)
    )
  `
})
