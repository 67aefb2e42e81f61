import { SendNotificationDigestHandler, SendNotificationDigestsHandler } from "./EmailDigests.ts"
import { SendNotificationEmailHandler } from "./EmailNotification.ts"
import { DeliverPushHandler } from "./PushNotification.ts"

/** The notifications feature's jobs: delivery on the channels beyond in-app. */
export const NotificationsJobs = [
  SendNotificationEmailHandler,
  SendNotificationDigestsHandler,
  SendNotificationDigestHandler,
  DeliverPushHandler
] as const
