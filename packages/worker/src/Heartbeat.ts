import { Config, Context, DateTime, Duration, Effect, Layer, Option, Ref, Schedule } from "effect"
import { SqlClient } from "effect/sql"
import { WorkerIdentity } from "./WorkerIdentity.ts"

export const heartbeatInterval = Duration.seconds(15)

/**
 * How long a job may stay locked by a worker that stopped beating (killed, frozen, cut off) before
 * another worker releases it to run again. Longer than a few missed beats, so a worker that is only
 * slow keeps its jobs.
 */
const lockTimeout = Config.Duration("WORKER_LOCK_TIMEOUT").pipe(Config.withDefault(Duration.minutes(2)))

/**
 * This worker's liveness record: every 15 s it upserts its row in `worker_heartbeats` (with the id
 * its job pool locks jobs with), which the ops endpoint lists; `lastBeat` feeds the worker's
 * `/health/ready`. The row is removed on a clean shutdown so operators see only live workers.
 *
 * After each beat it releases the jobs of dead workers: a job locked for longer than
 * `WORKER_LOCK_TIMEOUT` by a lock id no worker has beaten with within that time. graphile-worker
 * would otherwise leave such a job locked for four hours. The job then runs again from the start,
 * so handlers are written to apply their effects once however often they run.
 */
export class Heartbeat extends Context.Service<
  Heartbeat,
  {
    readonly beat: Effect.Effect<void>
    /** Records the id this worker's job pool locks jobs with, from now on in every beat. */
    readonly holdsLocksAs: (lockId: string) => Effect.Effect<void>
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
      const lockId = yield* Ref.make<string | null>(null)
      const timeoutSeconds = Math.max(1, Math.floor(Duration.toSeconds(yield* lockTimeout)))

      const beat = Effect.gen(function* () {
        const now = yield* DateTime.now
        yield* sql`
          INSERT INTO worker_heartbeats ${sql.insert({
            workerId: identity.workerId,
            hostname: identity.hostname,
            pid: identity.pid,
            startedAt: DateTime.toDateUtc(identity.startedAt),
            lastSeenAt: DateTime.toDateUtc(now),
            lockId: yield* Ref.get(lockId)
          })}
          ON CONFLICT (worker_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, lock_id = EXCLUDED.lock_id
        `
        yield* Ref.set(last, Option.some(now))
      }).pipe(
        Effect.catchCause((cause) => Effect.logWarning("heartbeat failed", cause)),
        Effect.withSpan("Heartbeat.beat")
      )

      const releaseDeadWorkersJobs = Effect.gen(function* () {
        const released = yield* sql<{ readonly lockedBy: string; readonly jobs: number }>`
          WITH live AS (
            SELECT lock_id FROM worker_heartbeats
            WHERE lock_id IS NOT NULL AND last_seen_at > now() - make_interval(secs => ${timeoutSeconds})
          ),
          dead AS (
            SELECT locked_by, count(*)::int AS jobs FROM graphile_worker._private_jobs
            WHERE locked_by IS NOT NULL
              AND locked_at < now() - make_interval(secs => ${timeoutSeconds})
              AND locked_by NOT IN (SELECT lock_id FROM live)
            GROUP BY locked_by
          ),
          unlocked AS (
            SELECT graphile_worker.force_unlock_workers(array_agg(locked_by)) FROM dead HAVING count(*) > 0
          )
          SELECT dead.locked_by, dead.jobs FROM dead, unlocked
        `
        for (const row of released) {
          yield* Effect.logWarning("released the jobs of a worker that stopped beating").pipe(
            Effect.annotateLogs({ lockedBy: row.lockedBy, jobs: row.jobs })
          )
        }
      }).pipe(
        Effect.catchCause((cause) => Effect.logWarning("releasing dead workers' jobs failed", cause)),
        Effect.withSpan("Heartbeat.releaseDeadWorkersJobs")
      )

      const recordCronRun = Effect.gen(function* () {
        yield* beat
        yield* sql`UPDATE worker_heartbeats SET last_cron_at = now() WHERE worker_id = ${identity.workerId}`
        yield* sql`DELETE FROM worker_heartbeats WHERE last_seen_at < now() - interval '1 day'`
      }).pipe(Effect.orDie, Effect.withSpan("Heartbeat.recordCronRun"))

      yield* beat
      yield* Effect.forkScoped(
        Effect.repeat(Effect.andThen(beat, releaseDeadWorkersJobs), Schedule.spaced(heartbeatInterval))
      )
      yield* Effect.addFinalizer(() =>
        sql`DELETE FROM worker_heartbeats WHERE worker_id = ${identity.workerId}`.pipe(Effect.ignore)
      )

      const holdsLocksAs = (id: string) => Effect.andThen(Ref.set(lockId, id), beat)

      return Heartbeat.of({ beat, holdsLocksAs, recordCronRun, lastBeat: Ref.get(last) })
    })
  )
}
