import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // Message search: the body's words, kept by Postgres with the body (a deleted message's body is
  // empty, so it matches nothing). The `simple` configuration, as posts and groups use: no stemming,
  // so every language is searched alike, by word prefixes.
  yield* sql`
    ALTER TABLE chat_messages
      ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED
  `
  yield* sql`CREATE INDEX chat_messages_search_idx ON chat_messages USING gin (search) WHERE deleted_at IS NULL`
})
