import { SendNotificationDigestHandler, SendNotificationDigestsHandler } from "./EmailDigests.ts"
import { SendNotificationEmailHandler } from "./EmailNotification.ts"
import { DeliverMobilePushHandler } from "./MobilePushNotification.ts"
import { PurgeReadNotificationsHandler } from "./PurgeReadNotifications.ts"
import { DeliverPushHandler } from "./PushNotification.ts"

/** The notifications feature's jobs: delivery on the channels beyond in-app; the purge of read ones. */
export const NotificationsJobs = [
  SendNotificationEmailHandler,
  SendNotificationDigestsHandler,
  SendNotificationDigestHandler,
  DeliverPushHandler,
  DeliverMobilePushHandler,
  PurgeReadNotificationsHandler
] as const
