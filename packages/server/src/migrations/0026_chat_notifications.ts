import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // What each person in a channel is notified of: `all` messages, `mentions` (and followed threads)
  // or `nothing`. Null is the default: `all` in a direct conversation, `mentions` in a channel.
  yield* sql`
    ALTER TABLE chat_members
      ADD COLUMN notify text CHECK (notify IN ('all', 'mentions', 'nothing'))
  `
})
