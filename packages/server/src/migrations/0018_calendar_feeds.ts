import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // iCal feeds: a user's (what they answered, and with `include_groups` their groups' events) or a
  // group's (`group_id`), read by a secret token of which only the SHA-256 hash is kept. Rotating
  // replaces the hash; revoking deletes the row. Who may read a group's feed is checked at read time.
  yield* sql`
    CREATE TABLE calendar_feeds (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      group_id uuid REFERENCES groups (id) ON DELETE CASCADE,
      include_groups boolean NOT NULL DEFAULT false,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz(3) NOT NULL,
      rotated_at timestamptz(3) NOT NULL
    )
  `
  yield* sql`CREATE INDEX calendar_feeds_user_idx ON calendar_feeds (user_id, created_at)`
})
