import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // The edit version of groups, posts and events (`If-Match`, and the first part of their ETag): 1
  // when created, one more per edit. Counters (members, comments, answers) are not edits.
  yield* sql`ALTER TABLE groups ADD COLUMN version integer NOT NULL DEFAULT 1`
  yield* sql`ALTER TABLE posts ADD COLUMN version integer NOT NULL DEFAULT 1`
  // An event's version is the number of its latest entry in its history (`event_versions`).
  yield* sql`ALTER TABLE events ADD COLUMN version integer NOT NULL DEFAULT 1`
  yield* sql`
    UPDATE events SET version = latest.number
    FROM (SELECT event_id, max(number) AS number FROM event_versions GROUP BY event_id) AS latest
    WHERE events.id = latest.event_id`
})
