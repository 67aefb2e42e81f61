import { Layer } from "effect"
import { NotificationViews } from "./NotificationViews.ts"
import { PushConfig } from "./PushConfig.ts"
import { PushDelivery } from "./PushDelivery.ts"
import { PushNews } from "./PushNews.ts"
import { PushSender } from "./PushSender.ts"
import { PushSubscriptions } from "./PushSubscriptions.ts"
import { PushSubscriptionsRepo } from "./PushSubscriptionsRepo.ts"

/**
 * What the push channel's dispatcher (`PushDispatcher`, registered with the other channels in
 * `Features.ts`) and its services stand on: the settings and keys, and the subscriptions table.
 */
export const PushChannelLive = Layer.mergeAll(PushConfig.layer, PushSubscriptionsRepo.layer)

/**
 * The push channel's services: the subscriptions API (`PushSubscriptions`) and sending
 * (`PushDelivery`, for the worker's jobs), on `PushChannelLive`, accounts (`Profiles`) and the
 * `NotificationSubjects` port.
 */
export const PushLive = Layer.mergeAll(PushSubscriptions.layer, PushDelivery.layer).pipe(
  Layer.provide([PushSender.layer, PushNews.layer.pipe(Layer.provide(NotificationViews.layer))])
)
