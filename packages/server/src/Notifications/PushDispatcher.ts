import { DeliverPush } from "@moim/domain/Notifications/PushDelivery"
import { Effect, Option } from "effect"
import { JobQueue } from "../platform/JobQueue.ts"
import type { ChannelDispatcher } from "./DeliveryChannels.ts"
import { PushConfig } from "./PushConfig.ts"
import { PushSubscriptionsRepo } from "./PushSubscriptionsRepo.ts"

/**
 * The web push channel: one `DeliverPush` job per notification whose plan has a push and per device
 * of its recipient, due when the plan says (the end of quiet hours, or now). Per batch, one query
 * finds the recipients' devices and one statement adds the jobs, in the batch's transaction, so a
 * large audience costs two round trips per thousand recipients and nothing for those without a
 * device. Nothing is queued while push is off.
 */
export const PushDispatcher: Effect.Effect<ChannelDispatcher, never, PushConfig | PushSubscriptionsRepo | JobQueue> =
  Effect.gen(function* () {
    const config = yield* PushConfig
    const repo = yield* PushSubscriptionsRepo
    const jobs = yield* JobQueue
    return {
      name: "push",
      dispatch: Effect.fn("PushDispatcher.dispatch")(function* (batch) {
        if (Option.isNone(config.vapid)) return
        const wanted = batch.delivered.flatMap((delivered) =>
          Option.match(delivered.plan.push, { onNone: () => [], onSome: (runAt) => [{ delivered, runAt }] })
        )
        if (wanted.length === 0) return
        const devices = yield* repo.subscriptionsOf(wanted.map(({ delivered }) => delivered.recipientId))
        if (devices.length === 0) return
        const byRecipient = Map.groupBy(devices, (device) => device.userId)
        const entries = wanted.flatMap(({ delivered, runAt }) =>
          (byRecipient.get(delivered.recipientId) ?? []).map((device) => ({
            payload: { notificationId: delivered.notificationId, subscriptionId: device.id },
            runAt
          }))
        )
        const queued = yield* jobs.enqueueMany(DeliverPush, entries)
        yield* Effect.annotateCurrentSpan({ type: batch.kind.type, pushes: queued })
      })
    }
  })
