import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Which of a group's posts notify each member: every new one, those that mention them, or none.
  yield* sql`
    ALTER TABLE group_members ADD COLUMN post_notifications text NOT NULL DEFAULT 'mentions'
      CHECK (post_notifications IN ('all', 'mentions', 'none'))`
  // Who hears of every new post: a partial index, since most members keep the default.
  yield* sql`CREATE INDEX group_members_post_subscribers_idx ON group_members (group_id) WHERE post_notifications = 'all'`
})
