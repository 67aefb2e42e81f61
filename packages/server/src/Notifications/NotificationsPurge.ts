import { Effect } from "effect"
import { inBatches, purgeBatchSize, Retention, retentionSeconds } from "../platform/Purge.ts"
import { NotificationsRepo } from "./NotificationsRepo.ts"

/** What the purge needs, for the worker's handler. */
export const NotificationsPurgeLive = NotificationsRepo.layer

/**
 * The `PurgeReadNotifications` cron's work: notifications read more than `NOTIFICATION_RETENTION`
 * ago. Unread ones stay however old. How many it removed.
 */
export const purgeReadNotifications = Effect.gen(function* () {
  const notifications = yield* NotificationsRepo
  const retention = retentionSeconds(yield* Retention.readNotifications)
  return { notifications: yield* inBatches(notifications.purgeRead(retention, purgeBatchSize)) }
}).pipe(Effect.withSpan("purgeReadNotifications"))
