import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE worker_heartbeats (
      worker_id text PRIMARY KEY,
      hostname text NOT NULL,
      pid integer NOT NULL,
      started_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      last_cron_at timestamptz
    )
  `
  yield* sql`CREATE INDEX worker_heartbeats_last_seen_at_idx ON worker_heartbeats (last_seen_at DESC)`
})
