import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // One verified number per account, and an account per number. `contact_hash` is
  // HMAC-SHA256(the "phone-contacts" key derived from MOIM_SECRET, e164) in hex, so contacts can be
  // matched by hash without handling the numbers themselves.
  yield* sql`
    CREATE TABLE phone_numbers (
      user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      e164 text NOT NULL UNIQUE,
      contact_hash text NOT NULL UNIQUE,
      verified_at timestamptz NOT NULL
    )
  `

  // Codes texted and not yet used: one per number for signing in, one per account for adding a
  // number. The code itself is never stored, only its HMAC.
  yield* sql`
    CREATE TABLE phone_codes (
      id uuid PRIMARY KEY,
      e164 text NOT NULL,
      purpose text NOT NULL CHECK (purpose IN ('sign_in', 'add_number')),
      user_id uuid REFERENCES users (id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 5),
      sent_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      CHECK ((purpose = 'add_number') = (user_id IS NOT NULL))
    )
  `
  yield* sql`CREATE UNIQUE INDEX phone_codes_sign_in_key ON phone_codes (e164) WHERE purpose = 'sign_in'`
  yield* sql`CREATE UNIQUE INDEX phone_codes_add_number_key ON phone_codes (user_id) WHERE purpose = 'add_number'`
  yield* sql`CREATE INDEX phone_codes_expires_idx ON phone_codes (expires_at)`
})
