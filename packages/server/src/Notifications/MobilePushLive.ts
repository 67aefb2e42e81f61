import { Layer } from "effect"
import { ApnsSender } from "./ApnsSender.ts"
import { FcmSender } from "./FcmSender.ts"
import { MobileDevices } from "./MobileDevices.ts"
import { MobileDevicesRepo } from "./MobileDevicesRepo.ts"
import { MobilePushConfig } from "./MobilePushConfig.ts"
import { MobilePushDelivery } from "./MobilePushDelivery.ts"
import { NotificationViews } from "./NotificationViews.ts"
import { PushNews } from "./PushNews.ts"

/**
 * What the mobile push channel's dispatcher (`MobilePushDispatcher`, registered with the other
 * channels in `Features.ts`) and its services stand on: the FCM and APNs settings, and the devices table.
 */
export const MobilePushChannelLive = Layer.mergeAll(MobilePushConfig.layer, MobileDevicesRepo.layer)

/**
 * The mobile push channel's services: the devices API (`MobileDevices`) and sending
 * (`MobilePushDelivery`, for the worker's jobs, through `FcmSender` and `ApnsSender`), on
 * `MobilePushChannelLive`, accounts (`Profiles`) and the `NotificationSubjects` port.
 */
export const MobilePushLive = Layer.mergeAll(MobileDevices.layer, MobilePushDelivery.layer).pipe(
  Layer.provide([FcmSender.layer, ApnsSender.layer, PushNews.layer.pipe(Layer.provide(NotificationViews.layer))])
)
