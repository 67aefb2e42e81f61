import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Where a user says they are (optional): suggestions near it come first.
  yield* sql`
    CREATE TABLE recommendation_places (
      user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      latitude double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
      longitude double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
      updated_at timestamptz(3) NOT NULL
    )
  `
  // What a user never wants suggested again: dismissed, or a group they left (told by groups'
  // `MembershipChanges` in the leaving transaction).
  yield* sql`
    CREATE TABLE recommendation_dismissals (
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('group', 'event', 'person')),
      target_id uuid NOT NULL,
      cause text NOT NULL CHECK (cause IN ('dismissed', 'left')),
      created_at timestamptz(3) NOT NULL,
      PRIMARY KEY (user_id, kind, target_id)
    )
  `

  // Written only by the rebuild. No foreign keys: the rows are replaced wholesale, and a target
  // gone since is dropped when a page is read (the read checks each one's visibility again).
  yield* sql`
    CREATE TABLE recommendation_interests (
      user_id uuid NOT NULL,
      interest text NOT NULL,
      weight real NOT NULL,
      PRIMARY KEY (user_id, interest)
    )
  `
  // The full rebuild's snapshot of what may be suggested, so that a batch of users joins small
  // tables by hash instead of probing the API's tables once per candidate: the public groups (size,
  // where they meet: the centre of their events' places), the best groups of each term (category
  // and tags), the groups sharing the most members with each, each public group's next upcoming
  // events, and the upcoming events of public groups.
  yield* sql`
    CREATE TABLE recommendation_groups (
      group_id uuid PRIMARY KEY,
      member_count integer NOT NULL,
      latitude double precision,
      longitude double precision
    )
  `
  yield* sql`
    CREATE TABLE recommendation_group_terms (
      term text NOT NULL,
      group_id uuid NOT NULL,
      PRIMARY KEY (term, group_id)
    )
  `
  yield* sql`
    CREATE TABLE recommendation_similar_groups (
      group_id uuid NOT NULL,
      similar_id uuid NOT NULL,
      shared integer NOT NULL,
      PRIMARY KEY (group_id, similar_id)
    )
  `
  yield* sql`
    CREATE TABLE recommendation_events (
      event_id uuid PRIMARY KEY,
      group_id uuid NOT NULL,
      creator_id uuid,
      going_count integer NOT NULL,
      latitude double precision,
      longitude double precision,
      starts_at timestamptz NOT NULL,
      next_in_group boolean NOT NULL
    )
  `
  // A few rows of each person, for what a batch reads of other people: their three most recent
  // groups, four friends, three upcoming plans; and each public group's five newest members.
  yield* sql`
    CREATE TABLE recommendation_recent_groups (user_id uuid NOT NULL, group_id uuid NOT NULL, PRIMARY KEY (user_id, group_id))
  `
  yield* sql`
    CREATE TABLE recommendation_friends (user_id uuid NOT NULL, friend_id uuid NOT NULL, PRIMARY KEY (user_id, friend_id))
  `
  yield* sql`
    CREATE TABLE recommendation_going (user_id uuid NOT NULL, event_id uuid NOT NULL, PRIMARY KEY (user_id, event_id))
  `
  yield* sql`
    CREATE TABLE recommendation_group_members (group_id uuid NOT NULL, user_id uuid NOT NULL, PRIMARY KEY (group_id, user_id))
  `
  // The most popular groups and upcoming events of each cell of a grid (cells about the radius wide),
  // so "nearby" is a few short index ranges per user, whatever the density of a city.
  yield* sql`
    CREATE TABLE recommendation_cells (
      kind text NOT NULL CHECK (kind IN ('group', 'event')),
      cell_lat integer NOT NULL,
      cell_lon integer NOT NULL,
      target_id uuid NOT NULL,
      popularity integer NOT NULL,
      PRIMARY KEY (kind, cell_lat, cell_lon, target_id)
    )
  `

  // The suggestions: one row per user and kind holding the ranked list (best first, each item
  // `{ id, score, reasons, distanceKm }`), replaced at once; a page is one primary-key read.
  yield* sql`
    CREATE TABLE recommendations (
      user_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('group', 'event', 'person')),
      items jsonb NOT NULL,
      built_at timestamptz(3) NOT NULL,
      PRIMARY KEY (user_id, kind)
    )
  `

  // The rebuild reads a user's reactions (interests they point at) and every event they answered.
  yield* sql`CREATE INDEX reactions_user_idx ON reactions (user_id, created_at DESC) WHERE subject_kind = 'post'`
  yield* sql`CREATE INDEX event_rsvps_answered_idx ON event_rsvps (user_id, event_id)`
})
