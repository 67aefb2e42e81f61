import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/**
 * The times keyset pages sort by, stored in milliseconds. A cursor carries the time of the last row
 * as JavaScript reads it, in milliseconds; with microseconds stored, a row a few microseconds after
 * another in the same millisecond compared wrongly against the cursor and could be skipped from the
 * next page.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE users ALTER COLUMN created_at TYPE timestamptz(3)`
  yield* sql`ALTER TABLE groups ALTER COLUMN created_at TYPE timestamptz(3)`
  yield* sql`ALTER TABLE group_members ALTER COLUMN joined_at TYPE timestamptz(3)`
  yield* sql`ALTER TABLE group_join_requests ALTER COLUMN created_at TYPE timestamptz(3)`
  yield* sql`ALTER TABLE group_bans ALTER COLUMN created_at TYPE timestamptz(3)`
  yield* sql`ALTER TABLE group_invitations ALTER COLUMN created_at TYPE timestamptz(3)`
})
