import type { NotificationId } from "@moim/domain/Notifications/Notification"
import { PushMessage } from "@moim/domain/Notifications/PushMessage"
import type { PushSubscriptionId } from "@moim/domain/Notifications/PushSubscription"
import { Context, Duration, Effect, Layer, Option, Schema } from "effect"
import { Profiles } from "../Accounts/Profiles.ts"
import { NotificationSubjects } from "./NotificationSubjects.ts"
import { NotificationViews } from "./NotificationViews.ts"
import { PushConfig } from "./PushConfig.ts"
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

/** The longest sentence a push carries: the payload must stay well under the 4 KB a push may hold. */
const maxTextLength = 1000

const encodeMessage = Schema.encodeSync(Schema.fromJsonString(Schema.toCodecJson(PushMessage)))

const shorten = (text: string) => {
  const characters = [...text]
  return characters.length <= maxTextLength ? text : `${characters.slice(0, maxTextLength - 1).join("")}…`
}

/**
 * Pushes one notification to one device of its recipient, for the worker's `DeliverPush` job.
 *
 * A push is a nudge to look at something new, so it goes out only while that is still true when it
 * is due (quiet hours may have held it for the night): nothing is pushed for a notification that was
 * read, deleted or is no longer visible to its recipient (the list would not show it), nor to a
 * suspended account, nor to a device that now belongs to someone else. A device already pushed this
 * version of the notification is not pushed again, so a job run twice pushes once. A 404 or 410 from
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
      const views = yield* NotificationViews
      const subjects = yield* NotificationSubjects
      const profiles = yield* Profiles

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
          if (row.readAt !== null) return yield* skip("read already")
          if (target.pushedVersion !== null && target.pushedVersion.getTime() >= row.updatedAt.getTime()) {
            return yield* skip("pushed already")
          }
          if (Option.isNone(yield* profiles.findActive(row.recipientId)))
            return yield* skip("the account is not active")
          // Seen as a member sees it: a site admin is pushed what their memberships show them.
          const subject = { kind: row.subjectKind, id: row.subjectId }
          const visible = yield* subjects.visible({ userId: row.recipientId, siteRole: "user" }, [subject])
          if (!visible.has(NotificationSubjects.keyOf(subject))) return yield* skip("the subject is hidden")
          const [notification] = yield* views.notifications([row])
          if (notification === undefined) return yield* skip("the notification does not match its kind")

          yield* config
            .checkEndpoint(target.endpoint)
            .pipe(Effect.mapError((refused) => new PushFailed({ message: refused.message, retryable: false })))
          const status = yield* sender.send(vapid, {
            endpoint: target.endpoint,
            p256dh: target.p256dh,
            auth: target.auth,
            payload: encodeMessage({
              id: notification.id,
              type: notification.type,
              text: shorten(notification.text),
              subject: notification.subject,
              updatedAt: notification.updatedAt
            }),
            ttl: pushTtl,
            urgency: "normal",
            // A UUID without its dashes: 32 characters of the base64url alphabet.
            topic: notification.id.replaceAll("-", "")
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
