import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // What a message carries beside its text. `reactions` is the summary clients see
  // (`[{ emoji, count, userIds }]`), rewritten from `chat_reactions` under the message's row lock by
  // each reaction, so counts are exact however many react at once. A pin is who pinned it and when.
  // `attachment_ids` are its photos (claimed in `media` for `{ kind: "message", id }`), in order;
  // `has_attachments` follows them, for finding messages with files.
  yield* sql`
    ALTER TABLE chat_messages
      ADD COLUMN reactions jsonb NOT NULL DEFAULT '[]',
      ADD COLUMN pinned_by uuid REFERENCES users (id) ON DELETE SET NULL,
      ADD COLUMN pinned_at timestamptz,
      ADD COLUMN attachment_ids uuid[] NOT NULL DEFAULT '{}',
      ADD COLUMN has_attachments boolean GENERATED ALWAYS AS (cardinality(attachment_ids) > 0) STORED
  `
  yield* sql`
    CREATE INDEX chat_messages_pins_idx ON chat_messages (channel_id, pinned_at DESC, id DESC)
    WHERE pinned_at IS NOT NULL
  `
  yield* sql`CREATE INDEX chat_messages_files_idx ON chat_messages (channel_id, seq) WHERE has_attachments`

  // Who reacted to a message with what: several emoji per person, each once.
  yield* sql`
    CREATE TABLE chat_reactions (
      message_id uuid NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
      emoji text NOT NULL,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz(3) NOT NULL,
      PRIMARY KEY (message_id, emoji, user_id)
    )
  `

  // How far someone read a thread (the `seq` of the last reply they read: replies are numbered by
  // their channel's `seq`, in commit order) and whether they follow it: true (they started it, replied
  // or asked), false (they stopped following it; starting it does not bring it back, replying does),
  // null (they only read it).
  yield* sql`
    CREATE TABLE chat_thread_follows (
      root_id uuid NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      channel_id uuid NOT NULL REFERENCES chat_channels (id) ON DELETE CASCADE,
      following boolean,
      last_read_seq bigint NOT NULL DEFAULT 0,
      created_at timestamptz(3) NOT NULL,
      PRIMARY KEY (root_id, user_id)
    )
  `
  yield* sql`CREATE INDEX chat_thread_follows_user_idx ON chat_thread_follows (user_id) WHERE following`
})
