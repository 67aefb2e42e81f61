import { PgClient } from "@effect/sql-pg"
import { type Cause, Context, Effect, Layer, Queue, type Scope, Semaphore } from "effect"
import { eventsChannel, StreamRepo, type StreamRow } from "./StreamRepo.ts"

/** How often the hub looks for new events when no notification came. */
const pollInterval = "2 seconds"

/** Events buffered for one connection before it is dropped (its client reconnects with its cursor). */
const maxBuffered = 5_000

/** A connection's live feed: the events of its topics after `position`, in order. */
export interface Subscription {
  /** Every event up to here was delivered before the subscription; later ones go to `queue`. */
  readonly position: number
  /** Ends (`Cause.Done`) when the connection fell too far behind. */
  readonly queue: Queue.Dequeue<StreamRow, Cause.Done>
  /** Changes the topics it receives (a topic left when access was lost). */
  readonly setTopics: (topics: ReadonlySet<string>) => Effect.Effect<void>
}

interface Subscriber {
  topics: ReadonlySet<string>
  readonly queue: Queue.Queue<StreamRow, Cause.Done>
}

/**
 * One per server process: reads each new stream event from the database once, when the sequencer
 * announces it (`LISTEN`, with a poll every few seconds in case a notification was missed), and hands
 * it to the connections subscribed to its topic. Replay for a reconnecting client is the
 * connection's own read of the database up to `position`.
 */
export class StreamHub extends Context.Service<
  StreamHub,
  { readonly subscribe: (topics: ReadonlySet<string>) => Effect.Effect<Subscription, never, Scope.Scope> }
>()("@moim/server/Realtime/StreamHub") {
  static readonly layer = Layer.effect(
    StreamHub,
    Effect.gen(function* () {
      const repo = yield* StreamRepo
      const pg = yield* PgClient.PgClient
      const lock = yield* Semaphore.make(1)
      const byTopic = new Map<string, Set<Subscriber>>()
      let position = yield* repo.latest

      const index = (subscriber: Subscriber, topics: ReadonlySet<string>, add: boolean) => {
        for (const topic of topics) {
          const set = byTopic.get(topic) ?? new Set<Subscriber>()
          if (add) set.add(subscriber)
          else set.delete(subscriber)
          if (set.size === 0) byTopic.delete(topic)
          else byTopic.set(topic, set)
        }
      }

      const dispatch = (row: StreamRow) => {
        for (const subscriber of byTopic.get(row.topic) ?? []) {
          if (Queue.sizeUnsafe(subscriber.queue) >= maxBuffered) {
            index(subscriber, subscriber.topics, false)
            Queue.endUnsafe(subscriber.queue)
          } else Queue.offerUnsafe(subscriber.queue, row)
        }
      }

      const catchUp: Effect.Effect<void> = Effect.gen(function* () {
        while (true) {
          const rows = yield* repo.after({ seq: position, topics: null, limit: 1000 })
          yield* lock.withPermit(
            Effect.sync(() => {
              for (const row of rows) {
                dispatch(row)
                position = row.seq
              }
            })
          )
          if (rows.length < 1000) return
        }
      })

      const wakeUps = yield* pg.listen(eventsChannel).pipe(Effect.orDie)
      // A wake-up, or at the latest a poll: a missed notification (a dropped connection) only delays.
      const nextWakeUp = Queue.take(wakeUps).pipe(
        Effect.timeoutOption(pollInterval),
        Effect.catchCause(() => Effect.sleep(pollInterval))
      )
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.gen(function* () {
            yield* nextWakeUp
            yield* Queue.clear(wakeUps).pipe(Effect.ignore)
            yield* catchUp.pipe(Effect.catchCause((cause) => Effect.logError("the stream hub could not read", cause)))
          })
        )
      )

      return StreamHub.of({
        subscribe: Effect.fn("StreamHub.subscribe")(function* (topics) {
          const queue = yield* Queue.unbounded<StreamRow, Cause.Done>()
          const subscriber: Subscriber = { topics, queue }
          const at = yield* lock.withPermit(
            Effect.sync(() => {
              index(subscriber, topics, true)
              return position
            })
          )
          yield* Effect.addFinalizer(() =>
            lock.withPermit(Effect.sync(() => index(subscriber, subscriber.topics, false)))
          )
          return {
            position: at,
            queue,
            setTopics: (next) =>
              lock.withPermit(
                Effect.sync(() => {
                  index(subscriber, subscriber.topics, false)
                  subscriber.topics = next
                  index(subscriber, next, true)
                })
              )
          }
        })
      })
    })
  )
}
