import { Context, DateTime, Duration, Effect, Layer, Option, Ref, Schedule } from "effect"
import { SqlClient } from "effect/sql"
import { WorkerIdentity } from "./WorkerIdentity.ts"

export const heartbeatInterval = Duration.seconds(15)

/**
 * This worker's liveness record: every 15 s it upserts its row in `worker_heartbeats`, which the
 * ops endpoint lists; `lastBeat` feeds the worker's `/health/ready`. The row is removed on a clean
 * shutdown so operators see only live workers.
 */
export class Heartbeat extends Context.Service<
  Heartbeat,
  {
    readonly beat: Effect.Effect<void>
    readonly recordCronRun: Effect.Effect<void>
    readonly lastBeat: Effect.Effect<Option.Option<DateTime.Utc>>
  }
>()("@moim/worker/Heartbeat") {
  static readonly layer = Layer.effect(
    Heartbeat,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const identity = yield* WorkerIdentity
      const last = yield* Ref.make(Option.none<DateTime.Utc>())

      const beat = Effect.gen(function* () {
        const now = yield* DateTime.now
        yield* sql`
          INSERT INTO worker_heartbeats ${sql.insert({
            workerId: identity.workerId,
            hostname: identity.hostname,
            pid: identity.pid,
            startedAt: DateTime.toDateUtc(identity.startedAt),
            lastSeenAt: DateTime.toDateUtc(now)
          })}
          ON CONFLICT (worker_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
        `
        yield* Ref.set(last, Option.some(now))
      }).pipe(
        Effect.catchCause((cause) => Effect.logWarning("heartbeat failed", cause)),
        Effect.withSpan("Heartbeat.beat")
      )

      const recordCronRun = Effect.gen(function* () {
        yield* beat
        yield* sql`UPDATE worker_heartbeats SET last_cron_at = now() WHERE worker_id = ${identity.workerId}`
        yield* sql`DELETE FROM worker_heartbeats WHERE last_seen_at < now() - interval '1 day'`
      }).pipe(Effect.orDie, Effect.withSpan("Heartbeat.recordCronRun"))

      yield* beat
      yield* Effect.forkScoped(Effect.repeat(beat, Schedule.spaced(heartbeatInterval)))
      yield* Effect.addFinalizer(() =>
        sql`DELETE FROM worker_heartbeats WHERE worker_id = ${identity.workerId}`.pipe(Effect.ignore)
      )

      return Heartbeat.of({ beat, recordCronRun, lastBeat: Ref.get(last) })
    })
  )
}
