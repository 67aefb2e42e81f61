import { DeliverPush } from "@moim/domain/Notifications/PushDelivery"
import { PushDelivery } from "@moim/server/Notifications/PushDelivery"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/**
 * Pushes one notification to one device. A push service that is down or busy (5xx, 429, no answer) is
 * retried with backoff; a refusal retrying cannot change fails the job for good.
 */
export const DeliverPushHandler = JobHandler.make(DeliverPush, ({ notificationId, subscriptionId }) =>
  PushDelivery.use((delivery) => delivery.deliver(notificationId, subscriptionId)).pipe(
    Effect.mapError((error) =>
      error.retryable ? error : new JobHandler.PermanentJobFailure({ message: error.message })
    ),
    Effect.asVoid
  )
)
