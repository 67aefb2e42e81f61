import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"

/** The channel the outbox wakes the sequencer on (`pg_notify`, delivered when the transaction commits). */
export const outboxChannel = "moim_stream_outbox"

/** The topic of a user's own stream: their notifications, counts and changes to what they may see. */
export const userTopic = (userId: string) => `user:${userId}`

/** One event for the realtime stream. */
export interface StreamPublication {
  /** `user:<id>` (one user's own stream) or a topic clients join, e.g. `group:<id>`. */
  readonly topic: string
  readonly type: string
  readonly data: unknown
}

/**
 * How features publish to the realtime stream: rows in `stream_outbox` on the caller's connection,
 * so inside a transaction they are published if and only if it commits, and a wake-up for the
 * sequencer (in the worker) that moves them into the stream in order. Publishing never waits for
 * another transaction: concurrent producers do not serialise on anything.
 */
export class StreamOutbox extends Context.Service<
  StreamOutbox,
  { readonly publish: (events: ReadonlyArray<StreamPublication>) => Effect.Effect<void> }
>()("@moim/server/Realtime/StreamOutbox") {
  static readonly layer = Layer.effect(
    StreamOutbox,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return StreamOutbox.of({
        publish: Effect.fn("StreamOutbox.publish")(function* (events) {
          if (events.length === 0) return
          yield* sql`
            INSERT INTO stream_outbox (topic, type, data)
            SELECT topic, type, data::jsonb
            FROM unnest(${events.map((event) => event.topic)}::text[], ${events.map((event) => event.type)}::text[],
              ${events.map((event) => JSON.stringify(event.data))}::text[]) AS published (topic, type, data)`
          yield* sql`SELECT pg_notify(${outboxChannel}, '')`
        }, Effect.orDie)
      })
    })
  )
}
