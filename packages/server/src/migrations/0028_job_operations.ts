import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // The crontab the workers run, as the last worker to start registered it: the schedules live in
  // the worker's code, and operators (the API, the CLI) read them here to show the crons with their
  // next run and to allow running one by hand.
  yield* sql`
    CREATE TABLE job_crons (
      task text PRIMARY KEY,
      schedule text NOT NULL,
      registered_at timestamptz NOT NULL
    )
  `

  // The id a worker's job pool locks jobs with (graphile-worker's `locked_by`), beside its heartbeat:
  // a job locked by a pool whose worker stopped beating is released to run again.
  yield* sql`ALTER TABLE worker_heartbeats ADD COLUMN lock_id text`

  // What the cleanup crons look for, so each batch is an index scan.
  yield* sql`CREATE INDEX sessions_ended_idx ON sessions (least(expires_at, coalesce(revoked_at, 'infinity')))`
  yield* sql`CREATE INDEX refresh_tokens_spent_idx ON refresh_tokens (spent_at) WHERE spent_at IS NOT NULL`
  yield* sql`CREATE INDEX email_tokens_ended_idx ON email_tokens (least(expires_at, coalesce(used_at, 'infinity')))`
  yield* sql`CREATE INDEX notifications_read_idx ON notifications (read_at) WHERE read_at IS NOT NULL`
  yield* sql`CREATE INDEX chat_messages_deleted_idx ON chat_messages (deleted_at) WHERE deleted_at IS NOT NULL`
})
