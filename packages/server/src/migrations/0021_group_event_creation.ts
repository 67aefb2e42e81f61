import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Who may create a group's events: any member (as before this setting), or only its owner and admins.
  yield* sql`
    ALTER TABLE groups ADD COLUMN event_creation text NOT NULL DEFAULT 'members'
      CHECK (event_creation IN ('members', 'admins'))`
})
