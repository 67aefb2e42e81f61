import { Clock, Config, Context, Effect, Layer, Schema } from "effect"
import { ActivityRepo, partitionMonth, partitionName } from "./ActivityRepo.ts"

/** How many months of activity are kept (`ANALYTICS_RETENTION`, default 13). */
export const analyticsRetention = Config.schema(
  Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 120 })),
  "ANALYTICS_RETENTION"
).pipe(Config.withDefault(13))

/** Months made ahead of the current one, so the first insert of a month never lands in the default partition. */
export const monthsAhead = 3

/** What one run changed. */
export interface PartitionChanges {
  readonly created: ReadonlyArray<string>
  readonly dropped: ReadonlyArray<string>
  /** Rows older than the retention deleted from the default partition. */
  readonly purged: number
}

const monthStart = (year: number, month: number) => new Date(Date.UTC(year, month, 1))

/** The monthly partitions of `activity_events`, kept by the worker's daily cron. */
export class ActivityPartitions extends Context.Service<
  ActivityPartitions,
  {
    /**
     * At the clock's time: makes the partitions of this month and the next `monthsAhead` that are
     * missing, drops those of months before the retention (this month and the `retention - 1`
     * before it are kept whole) and deletes older rows from the default partition. Idempotent.
     */
    readonly maintain: (retentionMonths: number) => Effect.Effect<PartitionChanges>
  }
>()("@moim/server/Analytics/ActivityPartitions") {
  static readonly layer = Layer.effect(
    ActivityPartitions,
    Effect.gen(function* () {
      const repo = yield* ActivityRepo
      return ActivityPartitions.of({
        maintain: Effect.fn("ActivityPartitions.maintain")(function* (retentionMonths) {
          const now = new Date(yield* Clock.currentTimeMillis)
          const year = now.getUTCFullYear()
          const month = now.getUTCMonth()
          const cutoff = monthStart(year, month - (retentionMonths - 1))
          const existing = new Set(yield* repo.partitions)
          const created: Array<string> = []
          for (let ahead = 0; ahead <= monthsAhead; ahead++) {
            const start = monthStart(year, month + ahead)
            const name = partitionName(start)
            if (existing.has(name)) continue
            yield* repo.createPartition(start)
            created.push(name)
          }
          const dropped: Array<string> = []
          for (const name of existing) {
            const start = partitionMonth(name)
            if (start === undefined || start.getTime() >= cutoff.getTime()) continue
            yield* repo.dropPartition(name)
            dropped.push(name)
          }
          const purged = yield* repo.purgeDefault(cutoff)
          return { created, dropped, purged }
        })
      })
    })
  )
}
