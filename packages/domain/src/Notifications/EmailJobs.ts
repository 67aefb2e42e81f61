import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import * as Job from "../Jobs/Job.ts"
import { NotificationId } from "./Notification.ts"

/**
 * Emails one notification, at the end of the recipient's quiet hours (the job's run time). Keyed by
 * the notification: a collapsible one that changes while its email waits is emailed once.
 */
export const SendNotificationEmail = Job.make(
  "SendNotificationEmail",
  Schema.Struct({ notificationId: NotificationId }),
  { maxAttempts: 10, key: (payload) => `notification-email:${payload.notificationId}` }
)

/** Cron (hourly): finds the users whose digest is due (08:00 their time) and queues one job each. */
export const SendNotificationDigests = Job.make("SendNotificationDigests", Schema.Struct({}), { maxAttempts: 1 })

/** Emails one user's digest for one period (their local date); a period is emailed at most once. */
export const SendNotificationDigest = Job.make(
  "SendNotificationDigest",
  Schema.Struct({ userId: UserId, period: Schema.String }),
  { maxAttempts: 10, key: (payload) => `notification-digest:${payload.userId}:${payload.period}` }
)
