import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`
  yield* sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY,
      email text,
      password_hash text,
      nickname text NOT NULL,
      bio text NOT NULL DEFAULT '',
      avatar_key text,
      interests text[] NOT NULL DEFAULT '{}',
      role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
      email_verified_at timestamptz,
      suspended_at timestamptz,
      suspension_reason text,
      deleted_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )
  `
  // Emails are stored normalised (trimmed, lower-case); a deleted account's email is erased, so the
  // address can sign up again.
  yield* sql`CREATE UNIQUE INDEX users_email_key ON users (email) WHERE email IS NOT NULL`
  yield* sql`CREATE INDEX users_nickname_trgm_idx ON users USING gin (lower(nickname) gin_trgm_ops) WHERE status <> 'deleted'`
  yield* sql`CREATE INDEX users_newest_idx ON users (created_at DESC, id DESC) WHERE status <> 'deleted'`

  yield* sql`
    CREATE TABLE sessions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      device_name text,
      user_agent text,
      last_ip text,
      created_at timestamptz NOT NULL,
      last_used_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_reason text
    )
  `
  yield* sql`CREATE INDEX sessions_user_active_idx ON sessions (user_id, last_used_at DESC) WHERE revoked_at IS NULL`

  yield* sql`
    CREATE TABLE refresh_tokens (
      token_hash text PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      spent_at timestamptz
    )
  `
  yield* sql`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`

  yield* sql`
    CREATE TABLE email_tokens (
      token_hash text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
      email text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )
  `
  yield* sql`CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose)`
})
