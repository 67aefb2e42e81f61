import { Clock, Effect } from "effect"
import { SqlClient } from "effect/sql"

const monthStart = (year: number, month: number) => new Date(Date.UTC(year, month, 1)).toISOString()

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Activity analytics: one row per thing someone did, partitioned by month so that retention drops
  // whole partitions. No personal data beyond the user's id: the device class, not the User-Agent;
  // the client address only as a keyed hash whose key changes every day. No foreign keys: rows
  // outlive what they name until the retention drops them, and inserts never wait for a lock.
  yield* sql`
    CREATE TABLE activity_events (
      occurred_at timestamptz NOT NULL,
      user_id uuid,
      kind text NOT NULL CHECK (kind IN ('signup', 'login', 'post', 'comment', 'reaction', 'rsvp', 'message',
        'profile_view', 'group_view')),
      subject_id uuid,
      group_id uuid,
      device text NOT NULL CHECK (device IN ('web', 'ios', 'android', 'other')),
      address_hash text
    ) PARTITION BY RANGE (occurred_at)
  `
  // Rows of a month without its partition (the cron not run yet, a clock far off) land here, so an
  // insert never fails; the cron moves them into the month's partition when it makes it.
  yield* sql`CREATE TABLE activity_events_default PARTITION OF activity_events DEFAULT`
  // Active users (per user and time), activity per group (per group and time), and each day's events.
  yield* sql`CREATE INDEX activity_events_occurred_idx ON activity_events (occurred_at)`
  yield* sql`CREATE INDEX activity_events_user_idx ON activity_events (user_id, occurred_at) WHERE user_id IS NOT NULL`
  yield* sql`CREATE INDEX activity_events_group_idx ON activity_events (group_id, occurred_at) WHERE group_id IS NOT NULL`
  yield* sql`CREATE INDEX activity_events_kind_idx ON activity_events (kind, occurred_at)`
  // This month's partition and the next two; the daily cron keeps three months ahead from then on.
  const now = new Date(yield* Clock.currentTimeMillis)
  for (let ahead = 0; ahead < 3; ahead++) {
    const year = now.getUTCFullYear()
    const month = now.getUTCMonth() + ahead
    const start = new Date(Date.UTC(year, month, 1))
    const name = `activity_events_p${start.getUTCFullYear()}${String(start.getUTCMonth() + 1).padStart(2, "0")}`
    yield* sql.unsafe(
      `CREATE TABLE ${name} PARTITION OF activity_events FOR VALUES FROM ('${monthStart(year, month)}') TO ('${monthStart(year, month + 1)}')`
    )
  }
})
