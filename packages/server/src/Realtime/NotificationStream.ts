import { Effect } from "effect"
import type { ChannelDispatcher } from "../Notifications/DeliveryChannels.ts"
import { StreamOutbox, userTopic } from "./StreamOutbox.ts"

/**
 * The realtime channel of notifications: each notification delivered in-app is announced on its
 * recipient's own topic, in the delivery's transaction. Streams render it for their user when they
 * pass it on (so a notification hidden meanwhile is not shown), followed by the new counts.
 */
export const NotificationStream = Effect.gen(function* () {
  const outbox = yield* StreamOutbox
  return {
    name: "stream",
    dispatch: (batch) =>
      outbox.publish(
        batch.delivered.map((delivered) => ({
          topic: userTopic(delivered.recipientId),
          type: "notification.created",
          data: { notificationId: delivered.notificationId }
        }))
      )
  } satisfies ChannelDispatcher
})
