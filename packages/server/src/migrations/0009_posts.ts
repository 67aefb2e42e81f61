import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // A post is in a group (`group_id`) or on its author's profile (`audience`). `search` is written
  // by the application with every change of title or body.
  yield* sql`
    CREATE TABLE posts (
      id uuid PRIMARY KEY,
      author_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      group_id uuid REFERENCES groups (id) ON DELETE CASCADE,
      audience text CHECK (audience IN ('public', 'followers', 'friends', 'specific')),
      audience_user_ids uuid[] NOT NULL DEFAULT '{}',
      title text,
      body text NOT NULL,
      entities jsonb NOT NULL DEFAULT '[]',
      pinned_at timestamptz(3),
      comments_locked boolean NOT NULL DEFAULT false,
      comment_count integer NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
      search tsvector NOT NULL,
      created_at timestamptz(3) NOT NULL,
      edited_at timestamptz(3),
      activity_at timestamptz(3) NOT NULL,
      deleted_at timestamptz(3),
      CHECK ((group_id IS NULL) = (audience IS NOT NULL))
    )
  `
  yield* sql`CREATE INDEX posts_group_newest_idx ON posts (group_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`
  yield* sql`CREATE INDEX posts_group_active_idx ON posts (group_id, activity_at DESC, id DESC) WHERE deleted_at IS NULL`
  yield* sql`CREATE INDEX posts_group_pinned_idx ON posts (group_id, pinned_at DESC) WHERE pinned_at IS NOT NULL AND deleted_at IS NULL`
  yield* sql`CREATE INDEX posts_author_idx ON posts (author_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`
  yield* sql`CREATE INDEX posts_search_idx ON posts USING gin (search) WHERE deleted_at IS NULL`
  yield* sql`CREATE INDEX posts_deleted_idx ON posts (deleted_at) WHERE deleted_at IS NOT NULL`

  // Earlier versions of a post, kept when its author edits it.
  yield* sql`
    CREATE TABLE post_versions (
      id bigserial PRIMARY KEY,
      post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
      title text,
      body text NOT NULL,
      created_at timestamptz(3) NOT NULL
    )
  `
  yield* sql`CREATE INDEX post_versions_post_idx ON post_versions (post_id, id DESC)`
})
