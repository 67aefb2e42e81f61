import { PgClient } from "@effect/sql-pg"
import { Config, Duration, Effect, Layer, Queue } from "effect"
import { outboxChannel } from "./StreamOutbox.ts"
import { StreamRepo } from "./StreamRepo.ts"

/** How often the sequencer looks at the outbox when no wake-up came. */
const pollInterval = "1 second"
const batchSize = 1000

/**
 * Runs in every worker: moves what features published from the outbox into the stream, numbering
 * events in the order they became visible, woken by producers' `pg_notify` (and a poll, should a
 * notification be missed). Sequencers of several workers take turns under a database lock.
 */
export const StreamSequencerLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const repo = yield* StreamRepo
    const pg = yield* PgClient.PgClient
    const wakeUps = yield* pg.listen(outboxChannel).pipe(Effect.orDie)
    const drain: Effect.Effect<void> = Effect.gen(function* () {
      while ((yield* repo.sequence(batchSize)) === batchSize) yield* Effect.yieldNow
    })
    const nextWakeUp = Queue.take(wakeUps).pipe(
      Effect.timeoutOption(pollInterval),
      Effect.catchCause(() => Effect.sleep(pollInterval))
    )
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.gen(function* () {
          yield* drain.pipe(Effect.catchCause((cause) => Effect.logError("the stream sequencer could not run", cause)))
          yield* nextWakeUp
          yield* Queue.clear(wakeUps).pipe(Effect.ignore)
        })
      )
    )
  })
).pipe(Layer.provide(StreamRepo.layer))

/** How long the stream keeps events for clients to catch up on (`STREAM_RETENTION`, default 24 hours). */
export const streamRetention = Config.Duration("STREAM_RETENTION").pipe(Config.withDefault(Duration.hours(24)))
