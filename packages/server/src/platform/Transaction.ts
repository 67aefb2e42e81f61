import { Effect } from "effect"
import { SqlClient, SqlError } from "effect/sql"

// TypeScript cannot narrow a type parameter by a guard: past it, `error` is not a `SqlError`.
const dieOnSqlError = <E>(error: E): Effect.Effect<never, Exclude<E, SqlError.SqlError>> =>
  SqlError.isSqlError(error) ? Effect.die(error) : Effect.fail(error as Exclude<E, SqlError.SqlError>)

/** Runs an effect in one database transaction (see `Transaction.make`). */
export type Transaction = <A, E, R>(
  effect: Effect.Effect<A, E, R>
) => Effect.Effect<A, Exclude<E, SqlError.SqlError>, R>

export const Transaction = {
  /**
   * The transaction helper every service uses: `const transaction = yield* Transaction.make`. Only
   * `SqlError` becomes a defect (the database failed); a domain failure inside stays typed, and
   * rolls the transaction back.
   */
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const transaction: Transaction = (effect) => sql.withTransaction(effect).pipe(Effect.catch(dieOnSqlError))
    return transaction
  })
}
