import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // A group's events. The wall-clock times and the zone are what the hosts meant; `starts_at` and
  // `ends_at` are the same times as instants, for ordering and ranges. The counts change in the
  // transaction that changes an RSVP, on the locked row.
  yield* sql`
    CREATE TABLE events (
      id uuid PRIMARY KEY,
      group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
      creator_id uuid REFERENCES users (id) ON DELETE SET NULL,
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      location_name text,
      latitude double precision,
      longitude double precision,
      online_url text,
      start_local text NOT NULL,
      end_local text NOT NULL,
      time_zone text NOT NULL,
      starts_at timestamptz(3) NOT NULL,
      ends_at timestamptz(3) NOT NULL,
      all_day boolean NOT NULL DEFAULT false,
      capacity integer CHECK (capacity > 0),
      rsvp_deadline timestamptz(3),
      status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
      cancel_reason text,
      going_count integer NOT NULL DEFAULT 0,
      waitlist_count integer NOT NULL DEFAULT 0,
      interested_count integer NOT NULL DEFAULT 0,
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL,
      CHECK (ends_at > starts_at)
    )
  `
  yield* sql`CREATE INDEX events_group_start_idx ON events (group_id, starts_at, id)`
  yield* sql`CREATE INDEX events_group_end_idx ON events (group_id, ends_at)`

  // Who runs an event: its host (the creator) and the co-hosts a host added.
  yield* sql`
    CREATE TABLE event_hosts (
      event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('host', 'cohost')),
      added_at timestamptz(3) NOT NULL,
      PRIMARY KEY (event_id, user_id)
    )
  `

  // One answer per person and event. `seq` orders arrivals: it is taken when someone becomes
  // `going` (seated or waiting), under the event's row lock, so the waitlist is in arrival order.
  yield* sql`
    CREATE TABLE event_rsvps (
      event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('going', 'interested', 'not_going')),
      waitlisted boolean NOT NULL DEFAULT false,
      seq bigint NOT NULL,
      responded_at timestamptz(3) NOT NULL,
      PRIMARY KEY (event_id, user_id)
    )
  `
  yield* sql`CREATE SEQUENCE event_rsvps_seq`
  yield* sql`CREATE INDEX event_rsvps_going_idx ON event_rsvps (event_id, waitlisted, seq) WHERE status = 'going'`
  yield* sql`CREATE INDEX event_rsvps_user_idx ON event_rsvps (user_id) WHERE status IN ('going', 'interested')`
})
