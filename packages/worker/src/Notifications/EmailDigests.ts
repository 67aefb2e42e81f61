import { SendNotificationDigest, SendNotificationDigests } from "@moim/domain/Notifications/EmailJobs"
import { EmailDelivery } from "@moim/server/Notifications/EmailDelivery"
import { DateTime, Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/**
 * Hourly, on the hour (cron): queues the digest of every user for whom it is now 08:00 (on Mondays
 * for weekly digests). Time zones half an hour off UTC get theirs at 08:30.
 */
export const SendNotificationDigestsHandler = JobHandler.make(
  SendNotificationDigests,
  () =>
    Effect.gen(function* () {
      const delivery = yield* EmailDelivery
      const queued = yield* delivery.enqueueDueDigests(yield* DateTime.now)
      if (queued > 0) yield* Effect.logInfo("notification digests queued").pipe(Effect.annotateLogs({ queued }))
    }),
  { schedule: "0 * * * *" }
)

/** Emails one user's digest of one period, once. */
export const SendNotificationDigestHandler = JobHandler.make(SendNotificationDigest, ({ userId, period }) =>
  EmailDelivery.use((delivery) => delivery.sendDigest(userId, period))
)
