import type { UserId } from "@moim/domain/Accounts/User"
import { Config, Context, Effect, Layer } from "effect"
import { Transaction } from "../platform/Transaction.ts"
import { RebuildRepo, type RebuildSettings } from "./RebuildRepo.ts"

/** What a full rebuild did. */
export interface RebuildReport {
  readonly users: number
  readonly batches: number
  readonly suggestions: number
}

/**
 * The worker's rebuild of suggestions. The full one (nightly) takes a fresh snapshot (see
 * `RebuildRepo`), then walks the active users by id in batches of `RECOMMENDATIONS_BATCH_SIZE`,
 * `RECOMMENDATIONS_CONCURRENCY` batches at a time, each on its own connection and in its own
 * transaction, which replaces its users' inferred interests and suggestions: a reader sees a user's
 * old suggestions or their new ones, never a mix or none. `refresh` is the same for one user, after
 * something they did.
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

      return Rebuild.of({
        all: Effect.gen(function* () {
          yield* repo.snapshot(settings)
          let after: UserId | null = null
          let users = 0
          let batches = 0
          let suggestions = 0
          // Rounds of \`concurrency\` batches, each batch its own transaction on its own connection.
          while (true) {
            const round: Array<ReadonlyArray<UserId>> = []
            while (round.length < concurrency) {
              const ids: ReadonlyArray<UserId> = yield* repo.activeUsers(after, batchSize)
              if (ids.length === 0) break
              round.push(ids)
              after = ids[ids.length - 1] ?? null
              if (ids.length < batchSize) break
            }
            if (round.length === 0) break
            const counts = yield* Effect.forEach(round, (ids) => transaction(repo.rebuild(ids, settings)), {
              concurrency
            })
            for (const count of counts) suggestions += count
            for (const ids of round) users += ids.length
            batches += round.length
            if ((round[round.length - 1]?.length ?? 0) < batchSize) break
          }
          return { users, batches, suggestions }
        }).pipe(Effect.withSpan("Rebuild.all")),

        refresh: Effect.fn("Rebuild.refresh")(function* (userId) {
          yield* transaction(repo.rebuild([userId], settings))
        })
      })
    })
  )
}
