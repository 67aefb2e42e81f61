import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // What features publish, in their own transactions; the sequencer moves it into `stream_events`.
  yield* sql`
    CREATE TABLE stream_outbox (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      type text NOT NULL,
      data jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `
  // The stream: `seq` is assigned by the one sequencer at a time, in the order events became
  // visible, so a reader that has seen `seq` n never later finds a committed event below n.
  yield* sql`
    CREATE TABLE stream_events (
      seq bigint PRIMARY KEY,
      topic text NOT NULL,
      type text NOT NULL,
      data jsonb NOT NULL,
      created_at timestamptz NOT NULL
    )
  `
  yield* sql`CREATE INDEX stream_events_topic_idx ON stream_events (topic, seq)`
  yield* sql`CREATE INDEX stream_events_created_idx ON stream_events (created_at)`
  // The highest `seq` purged: a cursor below it can no longer be replayed.
  yield* sql`
    CREATE TABLE stream_state (
      id smallint PRIMARY KEY CHECK (id = 1),
      purged_through bigint NOT NULL
    )
  `
  yield* sql`INSERT INTO stream_state (id, purged_through) VALUES (1, 0)`
})
