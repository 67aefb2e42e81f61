import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"
import { NotificationId } from "./Notification.ts"
import { PushSubscriptionId } from "./PushSubscription.ts"

/**
 * Pushes one notification to one of its recipient's devices. Keyed by both, so a notification that
 * changes (collapses) while its push waits is pushed once, as it is then. A push service that stays
 * down is retried with backoff for about half an hour, after which a push is stale anyway.
 */
export const DeliverPush = Job.make(
  "DeliverPush",
  Schema.Struct({ notificationId: NotificationId, subscriptionId: PushSubscriptionId }),
  { maxAttempts: 8, key: (payload) => `push:${payload.notificationId}:${payload.subscriptionId}` }
)
