import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // A group's channels, and direct conversations (no group, no name). `last_seq` numbers the
  // channel's messages: taken on the locked row by each send, so messages are numbered in the order
  // they commit and read state ("everything up to n") is exact under concurrent sends. A
  // conversation's `direct_key` is its members' sorted ids: the same people, the same conversation.
  yield* sql`
    CREATE TABLE chat_channels (
      id uuid PRIMARY KEY,
      group_id uuid REFERENCES groups (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('public', 'private', 'direct')),
      name text,
      topic text NOT NULL DEFAULT '',
      is_default boolean NOT NULL DEFAULT false,
      direct_key text UNIQUE,
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      archived_at timestamptz(3),
      last_seq bigint NOT NULL DEFAULT 0,
      last_message_at timestamptz(3),
      member_count integer NOT NULL DEFAULT 0,
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL,
      CHECK ((kind = 'direct') = (group_id IS NULL)),
      CHECK ((kind = 'direct') = (name IS NULL)),
      CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
    )
  `
  yield* sql`CREATE UNIQUE INDEX chat_channels_name_idx ON chat_channels (group_id, name) WHERE group_id IS NOT NULL`
  yield* sql`CREATE UNIQUE INDEX chat_channels_default_idx ON chat_channels (group_id) WHERE is_default`

  // Who is in a channel, and how far they read (the `seq` of the last message they read).
  yield* sql`
    CREATE TABLE chat_members (
      channel_id uuid NOT NULL REFERENCES chat_channels (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
      last_read_seq bigint NOT NULL DEFAULT 0,
      joined_at timestamptz(3) NOT NULL,
      PRIMARY KEY (channel_id, user_id)
    )
  `
  yield* sql`CREATE INDEX chat_members_user_idx ON chat_members (user_id, channel_id)`

  // Messages and thread replies (`thread_root_id`), numbered per channel. A deleted message keeps
  // its row without its text. The thread's summary lives on its first message, changed under that
  // row's lock by each reply.
  yield* sql`
    CREATE TABLE chat_messages (
      id uuid PRIMARY KEY,
      channel_id uuid NOT NULL REFERENCES chat_channels (id) ON DELETE CASCADE,
      seq bigint NOT NULL,
      author_id uuid REFERENCES users (id) ON DELETE SET NULL,
      client_message_id text,
      body text NOT NULL,
      entities jsonb NOT NULL DEFAULT '[]',
      mentioned_ids uuid[] NOT NULL DEFAULT '{}',
      mentions_channel boolean NOT NULL DEFAULT false,
      thread_root_id uuid REFERENCES chat_messages (id) ON DELETE CASCADE,
      reply_count integer NOT NULL DEFAULT 0,
      last_reply_at timestamptz(3),
      reply_participants uuid[] NOT NULL DEFAULT '{}',
      created_at timestamptz(3) NOT NULL,
      edited_at timestamptz(3),
      deleted_at timestamptz(3),
      UNIQUE (channel_id, seq)
    )
  `
  yield* sql`
    CREATE UNIQUE INDEX chat_messages_client_idx ON chat_messages (channel_id, author_id, client_message_id)
    WHERE client_message_id IS NOT NULL
  `
  yield* sql`CREATE INDEX chat_messages_channel_idx ON chat_messages (channel_id, seq) WHERE thread_root_id IS NULL`
  yield* sql`CREATE INDEX chat_messages_thread_idx ON chat_messages (thread_root_id, seq) WHERE thread_root_id IS NOT NULL`

  // A message's earlier texts, one row per edit.
  yield* sql`
    CREATE TABLE chat_message_edits (
      id bigserial PRIMARY KEY,
      message_id uuid NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
      body text NOT NULL,
      entities jsonb NOT NULL,
      replaced_at timestamptz(3) NOT NULL
    )
  `
  yield* sql`CREATE INDEX chat_message_edits_message_idx ON chat_message_edits (message_id, id)`

  // Chat's `@nickname` mentions find people by handle: the nickname lower-cased without its spaces.
  yield* sql`
    CREATE INDEX users_handle_idx ON users (lower(regexp_replace(nickname, '\\s+', '', 'g'))) WHERE status = 'active'
  `
})
