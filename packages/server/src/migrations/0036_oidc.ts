import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // A provider account (its issuer's `sub`) that signs in to a Moim account: one Moim account per
  // provider account. `email` is what the provider said when it was linked, for showing only.
  yield* sql`
    CREATE TABLE oidc_identities (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      provider text NOT NULL,
      subject text NOT NULL,
      email text,
      created_at timestamptz NOT NULL,
      last_used_at timestamptz,
      UNIQUE (provider, subject)
    )
  `
  yield* sql`CREATE INDEX oidc_identities_user_idx ON oidc_identities (user_id, created_at)`

  // Sign-ins and links waiting for the provider: the `state` (SHA-256 only), the nonce and PKCE
  // verifier sent with it, where the app wants the browser back, and for a link the account. Spent
  // by the callback (deleted), good for 10 minutes.
  yield* sql`
    CREATE TABLE oidc_states (
      state_hash text PRIMARY KEY,
      provider text NOT NULL,
      nonce text NOT NULL,
      code_verifier text NOT NULL,
      redirect_uri text NOT NULL,
      user_id uuid REFERENCES users (id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL
    )
  `
  yield* sql`CREATE INDEX oidc_states_user_idx ON oidc_states (user_id)`
  yield* sql`CREATE INDEX oidc_states_expires_idx ON oidc_states (expires_at)`

  // What a callback proved, waiting for the app to spend its one-time code (SHA-256 only, 60
  // seconds, once): the provider identity and its claims, and for a link the account it is for.
  yield* sql`
    CREATE TABLE oidc_codes (
      code_hash text PRIMARY KEY,
      provider text NOT NULL,
      subject text NOT NULL,
      email text,
      email_verified boolean NOT NULL,
      name text,
      user_id uuid REFERENCES users (id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL
    )
  `
  yield* sql`CREATE INDEX oidc_codes_user_idx ON oidc_codes (user_id)`
  yield* sql`CREATE INDEX oidc_codes_expires_idx ON oidc_codes (expires_at)`
})
