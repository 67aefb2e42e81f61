import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // An account's TOTP secret, AES-256-GCM-encrypted under the "two-factor-secrets" key derived from
  // MOIM_SECRET. `confirmed_at` is null while the enrolment waits for its first code; only a
  // confirmed row asks for a second factor. `last_step` is the last 30-second step whose code was
  // accepted, so that a code works once (RFC 6238 section 5.2).
  yield* sql`
    CREATE TABLE two_factor (
      user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      secret_ciphertext text NOT NULL,
      created_at timestamptz NOT NULL,
      confirmed_at timestamptz,
      last_step integer
    )
  `

  // Single-use recovery codes, as HMAC-SHA256 under the "two-factor-recovery" key; a used one is deleted.
  yield* sql`
    CREATE TABLE two_factor_recovery_codes (
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      PRIMARY KEY (user_id, code_hash)
    )
  `

  // Sign-ins waiting for their second factor: the challenge token (SHA-256 only), the device name
  // the sign-in gave, and the tries so far.
  yield* sql`
    CREATE TABLE two_factor_challenges (
      token_hash text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      device_name text,
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 5),
      expires_at timestamptz NOT NULL
    )
  `
  yield* sql`CREATE INDEX two_factor_challenges_user_idx ON two_factor_challenges (user_id)`
  yield* sql`CREATE INDEX two_factor_challenges_expires_idx ON two_factor_challenges (expires_at)`
})
