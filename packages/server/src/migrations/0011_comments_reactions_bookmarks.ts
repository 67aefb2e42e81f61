import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE posts ADD COLUMN attachment_ids uuid[] NOT NULL DEFAULT '{}'`

  // Comments and replies, two levels of replies deep. A deleted comment with replies stays, empty,
  // as their placeholder.
  yield* sql`
    CREATE TABLE comments (
      id uuid PRIMARY KEY,
      post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
      author_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      parent_id uuid REFERENCES comments (id) ON DELETE CASCADE,
      depth smallint NOT NULL CHECK (depth BETWEEN 0 AND 2),
      body text NOT NULL,
      entities jsonb NOT NULL DEFAULT '[]',
      reply_count integer NOT NULL DEFAULT 0 CHECK (reply_count >= 0),
      created_at timestamptz(3) NOT NULL,
      edited_at timestamptz(3),
      deleted_at timestamptz(3)
    )
  `
  yield* sql`CREATE INDEX comments_top_idx ON comments (post_id, created_at, id) WHERE parent_id IS NULL`
  yield* sql`CREATE INDEX comments_replies_idx ON comments (parent_id, created_at, id) WHERE parent_id IS NOT NULL`
  yield* sql`CREATE INDEX comments_author_idx ON comments (author_id, created_at DESC)`

  // One reaction per person per post or comment, and the exact count of each emoji per item.
  yield* sql`
    CREATE TABLE reactions (
      subject_kind text NOT NULL CHECK (subject_kind IN ('post', 'comment')),
      subject_id uuid NOT NULL,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      emoji text NOT NULL CHECK (emoji IN ('like', 'love', 'laugh', 'wow', 'sad', 'angry')),
      created_at timestamptz(3) NOT NULL,
      PRIMARY KEY (subject_kind, subject_id, user_id)
    )
  `
  yield* sql`CREATE INDEX reactions_list_idx ON reactions (subject_kind, subject_id, created_at DESC, user_id DESC)`
  yield* sql`
    CREATE TABLE reaction_counts (
      subject_kind text NOT NULL,
      subject_id uuid NOT NULL,
      emoji text NOT NULL,
      count integer NOT NULL CHECK (count >= 0),
      PRIMARY KEY (subject_kind, subject_id, emoji)
    )
  `

  yield* sql`
    CREATE TABLE bookmarks (
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
      created_at timestamptz(3) NOT NULL,
      PRIMARY KEY (user_id, post_id)
    )
  `
  yield* sql`CREATE INDEX bookmarks_user_idx ON bookmarks (user_id, created_at DESC, post_id DESC)`
})
