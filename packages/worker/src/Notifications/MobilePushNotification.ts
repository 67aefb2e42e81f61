import { DeliverMobilePush } from "@moim/domain/Notifications/MobilePushDelivery"
import { MobilePushDelivery } from "@moim/server/Notifications/MobilePushDelivery"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/**
 * Pushes one notification to one phone through FCM or APNs. A push service that is down or busy (5xx,
 * 429, no answer) is retried with backoff; a refusal retrying cannot change fails the job for good.
 */
export const DeliverMobilePushHandler = JobHandler.make(DeliverMobilePush, ({ notificationId, deviceId }) =>
  MobilePushDelivery.use((delivery) => delivery.deliver(notificationId, deviceId)).pipe(
    Effect.mapError((error) =>
      error.retryable ? error : new JobHandler.PermanentJobFailure({ message: error.message })
    ),
    Effect.asVoid
  )
)
