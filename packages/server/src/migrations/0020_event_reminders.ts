import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // When a user is reminded of the occurrences they are going to, in minutes before the start, from
  // a fixed menu; null is the default (a day and an hour before), `{}` no reminders.
  yield* sql`
    ALTER TABLE notification_settings ADD COLUMN event_reminders smallint[]
      CHECK (event_reminders <@ ARRAY[10, 30, 60, 120, 1440, 2880, 10080]::smallint[]
        AND cardinality(event_reminders) <= 3)
  `

  // The reminders sent: one per occurrence (`''` for a single event), person and offset, for the start
  // it announced. A reminder is claimed here in the transaction that delivers it, so two workers or a
  // rerun never send it twice; an occurrence moved far enough away is reminded again.
  yield* sql`
    CREATE TABLE event_reminders_sent (
      event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
      occurrence text NOT NULL,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      offset_minutes smallint NOT NULL,
      starts_at timestamptz(3) NOT NULL,
      sent_at timestamptz(3) NOT NULL,
      PRIMARY KEY (event_id, occurrence, user_id, offset_minutes)
    )
  `
  yield* sql`CREATE INDEX event_reminders_sent_starts_idx ON event_reminders_sent (starts_at)`

  // The reminder scan: single events by their start, series by their span, and occurrences moved
  // (possibly outside their series' span) by their new start.
  yield* sql`
    CREATE INDEX events_reminder_single_idx ON events (starts_at)
    WHERE status = 'scheduled' AND recurrence IS NULL
  `
  yield* sql`
    CREATE INDEX events_reminder_series_idx ON events ((COALESCE(series_ends_at, ends_at)), starts_at)
    WHERE status = 'scheduled' AND recurrence IS NOT NULL
  `
  yield* sql`
    CREATE INDEX event_occurrences_moved_idx ON event_occurrences (starts_at)
    WHERE starts_at IS NOT NULL AND NOT cancelled
  `
})
