import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"
import { MobileDeviceId } from "./MobileDevice.ts"
import { NotificationId } from "./Notification.ts"

/**
 * Pushes one notification to one of its recipient's phones, through FCM or APNs. Keyed by both, as
 * `DeliverPush`: a notification that collapses while its push waits is pushed once, as it is then.
 */
export const DeliverMobilePush = Job.make(
  "DeliverMobilePush",
  Schema.Struct({ notificationId: NotificationId, deviceId: MobileDeviceId }),
  { maxAttempts: 8, key: (payload) => `mobile-push:${payload.notificationId}:${payload.deviceId}` }
)
