import { Effect, Option, Schema } from "effect"

/**
 * Decodes database rows with a schema instead of trusting a type argument: a column renamed or
 * retyped in a migration fails the first test that reads it, not a user's request later. A row that
 * does not match is a defect (the code and the schema of the database disagree).
 */
export const Rows = {
  all: <A>(schema: Schema.Codec<A, unknown>) => {
    const decode = Schema.decodeUnknownEffect(Schema.Array(schema))
    return (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<A>> => Effect.orDie(decode(rows))
  },
  first: <A>(schema: Schema.Codec<A, unknown>) => {
    const decode = Schema.decodeUnknownEffect(schema)
    return (rows: ReadonlyArray<unknown>): Effect.Effect<Option.Option<A>> =>
      rows.length === 0 ? Effect.succeedNone : Effect.orDie(Effect.map(decode(rows[0]), Option.some))
  }
}
