import { Config, Duration, Effect } from "effect"

/** How many rows one cleanup statement removes at most: short statements, short row locks. */
export const purgeBatchSize = 1000

/**
 * Repeats a cleanup step (one statement removing at most `purgeBatchSize` rows, returning how many
 * it removed) until a step removes fewer; the total. Each step commits on its own, so a cron never
 * holds many rows locked, and a cron stopped half-way leaves the rest for its next run.
 */
export const inBatches = (step: Effect.Effect<number>): Effect.Effect<number> =>
  Effect.gen(function* () {
    let total = 0
    while (true) {
      const removed = yield* step
      total += removed
      if (removed < purgeBatchSize) return total
    }
  })

/** Seconds of a retention setting, for `make_interval(secs => ...)`. */
export const retentionSeconds = (retention: Duration.Duration) => Math.floor(Duration.toSeconds(retention))

/**
 * Retention of what the cleanup crons remove, from the environment (durations such as `30 days`).
 * Read when a cron runs, so a change applies at the next run after a restart.
 */
export const Retention = {
  /** Sessions that expired or were signed out, with their refresh tokens, after this long. */
  sessions: Config.Duration("SESSION_RETENTION").pipe(Config.withDefault(Duration.days(7))),
  /** Deleted posts (with their comments, versions and reactions), and deleted messages' earlier texts. */
  deletedContent: Config.Duration("DELETED_CONTENT_RETENTION").pipe(Config.withDefault(Duration.days(30))),
  /** Notifications read this long ago. */
  readNotifications: Config.Duration("NOTIFICATION_RETENTION").pipe(Config.withDefault(Duration.days(90)))
}
