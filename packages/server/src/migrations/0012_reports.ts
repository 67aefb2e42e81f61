import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // A post enough people reported is hidden until a moderator looks at it.
  yield* sql`ALTER TABLE posts ADD COLUMN hidden_at timestamptz(3)`

  // Reports of posts, comments, users and groups. `subject_id` names an item of another feature, so
  // it has no foreign key; `group_id` is the group whose moderators handle it (posts and comments).
  yield* sql`
    CREATE TABLE reports (
      id uuid PRIMARY KEY,
      subject_kind text NOT NULL CHECK (subject_kind IN ('post', 'comment', 'user', 'group')),
      subject_id uuid NOT NULL,
      group_id uuid REFERENCES groups (id) ON DELETE CASCADE,
      excerpt text NOT NULL,
      reporter_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      reason text NOT NULL,
      text text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'removed')),
      created_at timestamptz(3) NOT NULL,
      resolved_at timestamptz(3),
      resolved_by uuid REFERENCES users (id) ON DELETE SET NULL
    )
  `
  // One open report per person and item.
  yield* sql`
    CREATE UNIQUE INDEX reports_open_once_idx ON reports (subject_kind, subject_id, reporter_id) WHERE status = 'open'`
  // The queues: a group's and the site's, open (oldest first) and resolved (latest first); and mine.
  yield* sql`CREATE INDEX reports_group_open_idx ON reports (group_id, created_at, id) WHERE status = 'open'`
  yield* sql`
    CREATE INDEX reports_group_resolved_idx ON reports (group_id, resolved_at DESC, id DESC) WHERE status <> 'open'`
  yield* sql`CREATE INDEX reports_open_idx ON reports (created_at, id) WHERE status = 'open'`
  yield* sql`CREATE INDEX reports_resolved_idx ON reports (resolved_at DESC, id DESC) WHERE status <> 'open'`
  yield* sql`CREATE INDEX reports_reporter_idx ON reports (reporter_id, created_at DESC, id DESC)`
})
