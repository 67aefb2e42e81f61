import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Every change of an event, numbered per event from 1 (its creation), written in the change's
  // transaction on the event's locked row. `changes` is the JSON array of the fields changed with
  // their values before and after; `snapshot` the event's fields as the change left them (JSON), which
  // a restore writes back.
  yield* sql`
    CREATE TABLE event_versions (
      id uuid PRIMARY KEY,
      event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
      number integer NOT NULL,
      action text NOT NULL,
      actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
      changes text NOT NULL,
      snapshot text NOT NULL,
      restored_from integer,
      created_at timestamptz(3) NOT NULL,
      UNIQUE (event_id, number)
    )
  `
})
