import type { MobilePlatform } from "@moim/domain/Notifications/MobileDevice"
import { DeliverMobilePush } from "@moim/domain/Notifications/MobilePushDelivery"
import { Effect, Option } from "effect"
import { JobQueue } from "../platform/JobQueue.ts"
import type { ChannelDispatcher } from "./DeliveryChannels.ts"
import { MobileDevicesRepo } from "./MobileDevicesRepo.ts"
import { MobilePushConfig } from "./MobilePushConfig.ts"

/**
 * The mobile push channel: one `DeliverMobilePush` job per notification whose plan has a push and per
 * phone of its recipient, due when the plan says. The plan's push is web push's (the kind's `push`
 * setting, mutes, quiet hours), so a person's push settings cover their browsers and phones alike.
 * Per batch, one query finds the recipients' phones and one statement adds the jobs, in the batch's
 * transaction. Nothing is queued for a platform this server does not push to.
 */
export const MobilePushDispatcher: Effect.Effect<
  ChannelDispatcher,
  never,
  MobilePushConfig | MobileDevicesRepo | JobQueue
> = Effect.gen(function* () {
  const config = yield* MobilePushConfig
  const repo = yield* MobileDevicesRepo
  const jobs = yield* JobQueue
  const platforms = (["fcm", "apns"] as const).filter((platform: MobilePlatform) => config.enabled(platform))
  return {
    name: "mobilePush",
    dispatch: Effect.fn("MobilePushDispatcher.dispatch")(function* (batch) {
      if (platforms.length === 0) return
      const wanted = batch.delivered.flatMap((delivered) =>
        Option.match(delivered.plan.push, { onNone: () => [], onSome: (runAt) => [{ delivered, runAt }] })
      )
      if (wanted.length === 0) return
      const devices = yield* repo.devicesOf(
        wanted.map(({ delivered }) => delivered.recipientId),
        platforms
      )
      if (devices.length === 0) return
      const byRecipient = Map.groupBy(devices, (device) => device.userId)
      const entries = wanted.flatMap(({ delivered, runAt }) =>
        (byRecipient.get(delivered.recipientId) ?? []).map((device) => ({
          payload: { notificationId: delivered.notificationId, deviceId: device.id },
          runAt
        }))
      )
      const queued = yield* jobs.enqueueMany(DeliverMobilePush, entries)
      yield* Effect.annotateCurrentSpan({ type: batch.kind.type, pushes: queued })
    })
  }
})
