import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

/** The channel the sequencer tells servers of new events on, with the highest `seq` as payload. */
export const eventsChannel = "moim_stream"

export const StreamRow = Schema.Struct({
  seq: Schema.FiniteFromString,
  topic: Schema.String,
  type: Schema.String,
  data: Schema.Unknown
})
export type StreamRow = typeof StreamRow.Type

const decodeRows = Rows.all(StreamRow)
const decodeSeq = Rows.first(Schema.Struct({ seq: Schema.FiniteFromString }))

/** A lock only sequencers take: one of them at a time assigns `seq`. */
const sequencerLock = 7_305_120_001

/**
 * The `stream_outbox`, `stream_events` and `stream_state` tables. Only the sequencer writes
 * `stream_events`; servers read it to deliver live events and to replay what a client missed.
 */
export class StreamRepo extends Context.Service<
  StreamRepo,
  {
    /** The highest `seq` in the stream (0 when empty). */
    readonly latest: Effect.Effect<number>
    /** Cursors at or below this were purged and can no longer be replayed. */
    readonly purgedThrough: Effect.Effect<number>
    /** Events after `seq` (up to `through`), of any topic (all topics when `topics` is null), in order. */
    readonly after: (options: {
      readonly seq: number
      readonly through?: number | undefined
      readonly topics: ReadonlyArray<string> | null
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<StreamRow>>
    /**
     * Moves up to `limit` published events from the outbox into the stream, numbered after the last,
     * in one transaction under the sequencer lock, and tells servers; returns how many it moved.
     */
    readonly sequence: (limit: number) => Effect.Effect<number>
    /** Deletes events older than `retentionSeconds`; returns how many. */
    readonly purge: (retentionSeconds: number) => Effect.Effect<number>
  }
>()("@moim/server/Realtime/StreamRepo") {
  static readonly layer = Layer.effect(
    StreamRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient

      const latest = sql`SELECT coalesce(max(seq), 0)::text AS seq FROM stream_events`.pipe(
        Effect.flatMap(decodeSeq),
        Effect.map(Option.match({ onNone: () => 0, onSome: (row) => row.seq })),
        Effect.orDie
      )

      return StreamRepo.of({
        latest,

        purgedThrough: sql`SELECT purged_through::text AS seq FROM stream_state WHERE id = 1`.pipe(
          Effect.flatMap(decodeSeq),
          Effect.map(Option.match({ onNone: () => 0, onSome: (row) => row.seq })),
          Effect.orDie
        ),

        after: Effect.fn("StreamRepo.after")(function* (options) {
          const topics = options.topics === null ? sql`` : sql`AND e.topic = ANY(${[...options.topics]}::text[])`
          const through = options.through === undefined ? sql`` : sql`AND e.seq <= ${options.through}`
          return yield* sql`
            SELECT e.seq::text AS seq, e.topic, e.type, e.data FROM stream_events e
            WHERE e.seq > ${options.seq} ${through} ${topics}
            ORDER BY e.seq LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeRows))
        }, Effect.orDie),

        sequence: Effect.fn("StreamRepo.sequence")(function* (limit) {
          return yield* sql.withTransaction(
            Effect.gen(function* () {
              yield* sql`SELECT pg_advisory_xact_lock(${sequencerLock})`
              const moved = yield* sql`
                WITH moved AS (
                  DELETE FROM stream_outbox WHERE id IN (SELECT id FROM stream_outbox ORDER BY id LIMIT ${limit})
                  RETURNING id, topic, type, data, created_at
                ),
                base AS (
                  SELECT greatest(
                    (SELECT coalesce(max(seq), 0) FROM stream_events),
                    (SELECT purged_through FROM stream_state WHERE id = 1)
                  ) AS seq
                )
                INSERT INTO stream_events (seq, topic, type, data, created_at)
                SELECT base.seq + row_number() OVER (ORDER BY moved.id), moved.topic, moved.type, moved.data, moved.created_at
                FROM moved, base
                RETURNING seq::text AS seq`.pipe(
                Effect.flatMap(Rows.all(Schema.Struct({ seq: Schema.FiniteFromString })))
              )
              const highest = moved.reduce((max, row) => Math.max(max, row.seq), 0)
              if (highest > 0) yield* sql`SELECT pg_notify(${eventsChannel}, ${String(highest)})`
              return moved.length
            })
          )
        }, Effect.orDie),

        purge: Effect.fn("StreamRepo.purge")(function* (retentionSeconds) {
          return yield* sql.withTransaction(
            Effect.gen(function* () {
              const purged = yield* sql`
                DELETE FROM stream_events WHERE created_at < now() - make_interval(secs => ${retentionSeconds})
                RETURNING seq::text AS seq`.pipe(
                Effect.flatMap(Rows.all(Schema.Struct({ seq: Schema.FiniteFromString })))
              )
              const highest = purged.reduce((max, row) => Math.max(max, row.seq), 0)
              if (highest > 0) {
                yield* sql`UPDATE stream_state SET purged_through = greatest(purged_through, ${highest}) WHERE id = 1`
              }
              return purged.length
            })
          )
        }, Effect.orDie)
      })
    })
  )
}
