import type { NotificationId } from "@moim/domain/Notifications/Notification"
import { PushMessage } from "@moim/domain/Notifications/PushMessage"
import type { PushSubscriptionId } from "@moim/domain/Notifications/PushSubscription"
import { Context, Duration, Effect, Layer, Option, Result, Schema } from "effect"
import { PushConfig } from "./PushConfig.ts"
import { PushNews } from "./PushNews.ts"
import { PushFailed, PushSender } from "./PushSender.ts"
import { PushSubscriptionsRepo } from "./PushSubscriptionsRepo.ts"

/** What became of one push. */
export type PushOutcome =
  /** The push service took it. */
  | "sent"
  /** The push service says the subscription is gone (404, 410): it was removed. */
  | "gone"
  /** Nothing to push (see `deliver`). */
  | "skipped"

/** A push waits at most a day for its device to come online; by then it is old news. */
const pushTtl = Duration.days(1)

const encodeMessage = Schema.encodeSync(Schema.fromJsonString(Schema.toCodecJson(PushMessage)))

/**
 * Pushes one notification to one device of its recipient, for the worker's `DeliverPush` job.
 *
 * A push goes out only while it is still news when due (`PushNews`), and never to a device that now
 * belongs to someone else. A device already pushed this version of the notification is not pushed
 * again, so a job run twice pushes once. A 404 or 410 from
 * the push service removes the subscription; 429, 5xx and network failures are `retryable`; any other
 * refusal is not.
 */
export class PushDelivery extends Context.Service<
  PushDelivery,
  {
    readonly deliver: (
      notificationId: NotificationId,
      subscriptionId: PushSubscriptionId
    ) => Effect.Effect<PushOutcome, PushFailed>
  }
>()("@moim/server/Notifications/PushDelivery") {
  static readonly layer = Layer.effect(
    PushDelivery,
    Effect.gen(function* () {
      const config = yield* PushConfig
      const repo = yield* PushSubscriptionsRepo
      const sender = yield* PushSender
      const news = yield* PushNews

      const skip = (reason: string) =>
        Effect.as(Effect.logDebug("push skipped").pipe(Effect.annotateLogs({ reason })), "skipped" as const)

      return PushDelivery.of({
        deliver: Effect.fn("PushDelivery.deliver")(function* (notificationId, subscriptionId) {
          if (Option.isNone(config.vapid)) return yield* skip("push is off")
          const vapid = config.vapid.value
          const found = yield* repo.target(notificationId, subscriptionId)
          if (Option.isNone(found)) return yield* skip("the notification or the device is gone")
          const target = found.value
          const row = target.notification
          const checked = yield* news.check(row, target.pushedVersion)
          if (Result.isFailure(checked)) return yield* skip(checked.failure)
          const message = checked.success

          yield* config
            .checkEndpoint(target.endpoint)
            .pipe(Effect.mapError((refused) => new PushFailed({ message: refused.message, retryable: false })))
          const status = yield* sender.send(vapid, {
            endpoint: target.endpoint,
            p256dh: target.p256dh,
            auth: target.auth,
            payload: encodeMessage(message),
            ttl: pushTtl,
            urgency: "normal",
            // A UUID without its dashes: 32 characters of the base64url alphabet.
            topic: message.id.replaceAll("-", "")
          })
          yield* Effect.annotateCurrentSpan({ status })
          if (status === 404 || status === 410) {
            yield* repo.removeGone(target.subscriptionId, target.endpoint, target.p256dh)
            return "gone" as const
          }
          if (status === 429 || status >= 500) {
            return yield* new PushFailed({ message: `The push service answered ${status}`, retryable: true })
          }
          if (status < 200 || status >= 300) {
            return yield* new PushFailed({ message: `The push service refused the push: ${status}`, retryable: false })
          }
          yield* repo.markPushed(row.id, target.subscriptionId, row.updatedAt)
          return "sent" as const
        })
      })
    })
  )
}
