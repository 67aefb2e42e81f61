import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/**
 * Each list's digest: a 53-bit hash of its content, computed by the rebuild (`ListsWire.listDigest`).
 * The nightly rebuild reads the digests of a batch's stored lists and sends only the lists whose
 * digest changed: most of a night's lists are the same, and sending each to be compared item by item
 * with the stored one was most of the writing's time in Postgres. Null (the lists stored before, and
 * a list a dismissal has changed) means unknown, so the next rebuild writes it.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE recommendations ADD COLUMN digest bigint`
})
