import { PurgeReadNotifications } from "@moim/domain/Notifications/PurgeReadNotifications"
import { NotificationsPurgeLive, purgeReadNotifications } from "@moim/server/Notifications/NotificationsPurge"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/** Daily at 04:07 (cron): notifications read past their retention. */
export const PurgeReadNotificationsHandler = JobHandler.make(
  PurgeReadNotifications,
  () =>
    Effect.gen(function* () {
      const removed = yield* purgeReadNotifications
      yield* Effect.logInfo("purged read notifications").pipe(Effect.annotateLogs(removed))
    }).pipe(Effect.provide(NotificationsPurgeLive)),
  { schedule: "7 4 * * *" }
)
