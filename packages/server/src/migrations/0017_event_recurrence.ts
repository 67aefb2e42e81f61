import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // A series: its rule (the API's `RecurrenceRule`, as JSON text) expanded from `start_local` in
  // `time_zone`; occurrences are computed, not stored. `series_ends_at` is when the last occurrence
  // ends (null reads as `ends_at`, a single event's), so that a range finds a series by any of its
  // occurrences.
  yield* sql`ALTER TABLE events ADD COLUMN recurrence text`
  yield* sql`ALTER TABLE events ADD COLUMN series_ends_at timestamptz(3)`
  yield* sql`CREATE INDEX events_group_series_end_idx ON events (group_id, (COALESCE(series_ends_at, ends_at)))`

  // The occurrences that differ from their series, keyed by the start the rule gives them (local,
  // `YYYY-MM-DDTHH:mm`): cancelled, moved (all four times set), elsewhere (`location_set`), or with
  // their own capacity (`capacity_set`). A change of the series drops the rows of occurrences it no
  // longer has.
  yield* sql`
    CREATE TABLE event_occurrences (
      event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
      occurrence_start text NOT NULL,
      cancelled boolean NOT NULL DEFAULT false,
      cancel_reason text,
      start_local text,
      end_local text,
      starts_at timestamptz(3),
      ends_at timestamptz(3),
      location_set boolean NOT NULL DEFAULT false,
      location_name text,
      latitude double precision,
      longitude double precision,
      capacity_set boolean NOT NULL DEFAULT false,
      capacity integer CHECK (capacity > 0),
      updated_at timestamptz(3) NOT NULL,
      PRIMARY KEY (event_id, occurrence_start)
    )
  `

  // Answers are per occurrence: a series' by the occurrence's key, a single event's under ''.
  yield* sql`ALTER TABLE event_rsvps ADD COLUMN occurrence text NOT NULL DEFAULT ''`
  yield* sql`ALTER TABLE event_rsvps DROP CONSTRAINT event_rsvps_pkey`
  yield* sql`ALTER TABLE event_rsvps ADD PRIMARY KEY (event_id, occurrence, user_id)`
  yield* sql`DROP INDEX event_rsvps_going_idx`
  yield* sql`
    CREATE INDEX event_rsvps_going_idx ON event_rsvps (event_id, occurrence, waitlisted, seq) WHERE status = 'going'
  `
})
