import type { UserId } from "@moim/domain/Accounts/User"
import { Config, Context, Duration, Effect, Layer, Option, Stream } from "effect"
import { Transaction } from "../platform/Transaction.ts"
import { RebuildRepo } from "./RebuildRepo.ts"
import { Interner, type RebuildSettings, type Snapshot, suggest } from "./Scoring.ts"

/** What a full rebuild did, and how long each of its three phases took. */
export interface RebuildReport {
  readonly users: number
  readonly batches: number
  readonly suggestions: number
  /** Taking the snapshot (Postgres's work). */
  readonly snapshotMs: number
  /** Loading it into this process. */
  readonly loadMs: number
  /** The batches of users, from the first read to the last commit. */
  readonly batchesMs: number
}

const millis = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.timed(effect), ([duration, value]) => [Duration.toMillis(duration), value] as const)

/**
 * The worker's rebuild of suggestions. The full one (nightly) takes a fresh snapshot (see
 * `RebuildRepo`) and loads it into memory, then walks the active users by id in batches of
 * `RECOMMENDATIONS_BATCH_SIZE`, `RECOMMENDATIONS_CONCURRENCY` batches at a time, each on its own
 * connection and in its own transaction: gather the batch's rows, score them (`Scoring.ts`), replace
 * their inferred interests and suggestions. A reader sees a user's old suggestions or their new ones,
 * never a mix or none. While one batch is scored in this process, the next one's rows are read by
 * Postgres. `refresh` is the same for one user, after something they did, with only the snapshot rows
 * that user reaches.
 */
export class Rebuild extends Context.Service<
  Rebuild,
  {
    readonly all: Effect.Effect<RebuildReport>
    readonly refresh: (userId: UserId) => Effect.Effect<void>
  }
>()("@moim/server/Recommendations/Rebuild") {
  static readonly layer = Layer.effect(
    Rebuild,
    Effect.gen(function* () {
      const repo = yield* RebuildRepo
      const transaction = yield* Transaction.make
      const settings: RebuildSettings = {
        radiusKm: yield* Config.Number("RECOMMENDATIONS_RADIUS_KM").pipe(Config.withDefault(50)),
        keep: yield* Config.Int("RECOMMENDATIONS_PER_KIND").pipe(Config.withDefault(20))
      }
      const batchSize = yield* Config.Int("RECOMMENDATIONS_BATCH_SIZE").pipe(Config.withDefault(2000))
      const concurrency = yield* Config.Int("RECOMMENDATIONS_CONCURRENCY").pipe(Config.withDefault(2))

      /** One batch, in the caller's transaction: how many suggestions it wrote. */
      const rebuildBatch = (ids: ReadonlyArray<UserId>, snapshot: Snapshot | null) =>
        Effect.gen(function* () {
          const interner = snapshot?.interner ?? new Interner()
          const users = yield* repo.gather(ids, interner)
          const reached = snapshot ?? (yield* repo.loadReached(users, interner, settings))
          const now = Date.now()
          return yield* repo.write(
            users.map((user) => suggest(user, reached, settings, now)),
            interner
          )
        })

      return Rebuild.of({
        all: Effect.gen(function* () {
          const [snapshotMs] = yield* millis(repo.snapshot(settings))
          const [loadMs, snapshot] = yield* millis(repo.loadSnapshot(settings))
          // The active users by id, a batch at a time; up to `concurrency` batches in flight, each
          // its own transaction on its own connection, the next starting as soon as one ends.
          const batches = Stream.paginate(null, (after: UserId | null) =>
            Effect.map(repo.activeUsers(after, batchSize), (ids) => {
              const last = ids[ids.length - 1]
              return [
                ids.length === 0 ? [] : [ids],
                ids.length < batchSize || last === undefined ? Option.none() : Option.some(last)
              ] as const
            })
          )
          const [batchesMs, done] = yield* millis(
            batches.pipe(
              Stream.mapEffect(
                (ids) =>
                  Effect.map(transaction(rebuildBatch(ids, snapshot)), (suggestions) => ({
                    users: ids.length,
                    suggestions
                  })),
                { concurrency, unordered: true }
              ),
              Stream.runFold(
                () => ({ users: 0, batches: 0, suggestions: 0 }),
                (done, batch) => ({
                  users: done.users + batch.users,
                  batches: done.batches + 1,
                  suggestions: done.suggestions + batch.suggestions
                })
              )
            )
          )
          return { ...done, snapshotMs, loadMs, batchesMs } satisfies RebuildReport
        }).pipe(Effect.withSpan("Rebuild.all")),

        refresh: Effect.fn("Rebuild.refresh")(function* (userId) {
          yield* transaction(rebuildBatch([userId], null))
        })
      })
    })
  )
}
