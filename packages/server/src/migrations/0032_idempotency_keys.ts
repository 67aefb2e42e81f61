import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // One row per (caller, Idempotency-Key) of an unsafe request: claimed while the request runs
  // (`owner`, `locked_until`), then holding its stored response until `expires_at`. `scope` is the
  // signed-in user's id, or `anonymous`; `fingerprint` is the SHA-256 of the method, the URL and the
  // body, so the same key with another request is refused. The body is encrypted (AES-256-GCM):
  // a stored sign-in answer holds tokens.
  yield* sql`
    CREATE TABLE idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL,
      fingerprint bytea NOT NULL,
      owner uuid,
      locked_until timestamptz,
      status smallint,
      content_type text,
      headers jsonb,
      body bytea,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (scope, key)
    )
  `
  yield* sql`CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at)`
})
