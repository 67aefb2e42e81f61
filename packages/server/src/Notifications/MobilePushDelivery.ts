import type { MobileDeviceId } from "@moim/domain/Notifications/MobileDevice"
import type { NotificationId } from "@moim/domain/Notifications/Notification"
import { PushMessage } from "@moim/domain/Notifications/PushMessage"
import { Context, Duration, Effect, Layer, Option, Result, Schema } from "effect"
import { ApnsSender } from "./ApnsSender.ts"
import { FcmSender } from "./FcmSender.ts"
import { MobileDevicesRepo } from "./MobileDevicesRepo.ts"
import { MobilePushConfig } from "./MobilePushConfig.ts"
import type { PushOutcome } from "./PushDelivery.ts"
import { PushNews } from "./PushNews.ts"
import type { PushFailed } from "./PushSender.ts"

/** A push waits at most a day for its device to come online, as a web push does. */
const pushTtl = Duration.days(1)

const encodeMessage = Schema.encodeSync(PushMessage)

/**
 * Pushes one notification to one phone of its recipient, through FCM or APNs by the device's
 * platform, for the worker's `DeliverMobilePush` job. It pushes what web push would (`PushNews`: only
 * what is still news when due), never to a device that now belongs to someone else, and each version
 * of a notification once per device. A token its push service refuses (FCM: `UNREGISTERED`, a token
 * that is not one; APNs: 410, `BadDeviceToken`, `DeviceTokenNotForTopic`) has its device removed;
 * 429, 5xx and no answer are `retryable`; any other refusal is not.
 */
export class MobilePushDelivery extends Context.Service<
  MobilePushDelivery,
  {
    readonly deliver: (
      notificationId: NotificationId,
      deviceId: MobileDeviceId
    ) => Effect.Effect<PushOutcome, PushFailed>
  }
>()("@moim/server/Notifications/MobilePushDelivery") {
  static readonly layer = Layer.effect(
    MobilePushDelivery,
    Effect.gen(function* () {
      const config = yield* MobilePushConfig
      const repo = yield* MobileDevicesRepo
      const news = yield* PushNews
      const fcm = yield* FcmSender
      const apns = yield* ApnsSender

      const skip = (reason: string) =>
        Effect.as(Effect.logDebug("mobile push skipped").pipe(Effect.annotateLogs({ reason })), "skipped" as const)

      return MobilePushDelivery.of({
        deliver: Effect.fn("MobilePushDelivery.deliver")(function* (notificationId, deviceId) {
          const found = yield* repo.target(notificationId, deviceId)
          if (Option.isNone(found)) return yield* skip("the notification or the device is gone")
          const target = found.value
          const row = target.notification
          const checked = yield* news.check(row, target.pushedVersion)
          if (Result.isFailure(checked)) return yield* skip(checked.failure)
          const push = {
            token: target.token,
            appId: target.appId,
            message: encodeMessage(checked.success),
            ttl: pushTtl
          }

          const answer =
            target.platform === "fcm"
              ? yield* Option.match(config.fcm, {
                  onNone: () => skip("FCM is off"),
                  onSome: (settings) => fcm.send(settings, push)
                })
              : yield* Option.match(config.apns, {
                  onNone: () => skip("APNs is off"),
                  onSome: (settings) => apns.send(settings, push)
                })
          yield* Effect.annotateCurrentSpan({ platform: target.platform, answer })
          if (answer === "skipped") return answer
          if (answer === "invalidToken") {
            yield* repo.removeInvalid(target.deviceId, target.token)
            return "gone" as const
          }
          yield* repo.markPushed(row.id, target.deviceId, row.updatedAt)
          return "sent" as const
        })
      })
    })
  )
}
