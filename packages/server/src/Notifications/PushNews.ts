import type { PushMessage } from "@moim/domain/Notifications/PushMessage"
import { Context, Effect, Layer, Option, Result } from "effect"
import { Profiles } from "../Accounts/Profiles.ts"
import { NotificationSubjects } from "./NotificationSubjects.ts"
import type { NotificationRow } from "./NotificationsRepo.ts"
import { NotificationViews } from "./NotificationViews.ts"

/** The longest sentence a push carries: the payload must stay well under the 4 KB a push may hold. */
const maxTextLength = 1000

const shorten = (text: string) => {
  const characters = [...text]
  return characters.length <= maxTextLength ? text : `${characters.slice(0, maxTextLength - 1).join("")}…`
}

/**
 * Whether a notification is still news worth a push when its push is due, for every push channel
 * (web push, FCM, APNs): a push is a nudge to look at something new, and quiet hours may have held it
 * for the night. Not news: a notification read or deleted meanwhile, one whose subject its recipient
 * may no longer see (the list would not show it), one of a suspended account, or a version the device
 * was already pushed. News is answered as the message every channel carries.
 */
export class PushNews extends Context.Service<
  PushNews,
  {
    /** The message to push, or why nothing is pushed. */
    readonly check: (
      notification: NotificationRow,
      pushedVersion: Date | null
    ) => Effect.Effect<Result.Result<PushMessage, string>>
  }
>()("@moim/server/Notifications/PushNews") {
  static readonly layer = Layer.effect(
    PushNews,
    Effect.gen(function* () {
      const views = yield* NotificationViews
      const subjects = yield* NotificationSubjects
      const profiles = yield* Profiles

      return PushNews.of({
        check: Effect.fn("PushNews.check")(function* (row, pushedVersion) {
          if (row.readAt !== null) return Result.fail("read already")
          if (pushedVersion !== null && pushedVersion.getTime() >= row.updatedAt.getTime()) {
            return Result.fail("pushed already")
          }
          if (Option.isNone(yield* profiles.findActive(row.recipientId)))
            return Result.fail("the account is not active")
          // Seen as a member sees it: a site admin is pushed what their memberships show them.
          const subject = { kind: row.subjectKind, id: row.subjectId }
          const visible = yield* subjects.visible({ userId: row.recipientId, siteRole: "user" }, [subject])
          if (!visible.has(NotificationSubjects.keyOf(subject))) return Result.fail("the subject is hidden")
          const [notification] = yield* views.notifications([row])
          if (notification === undefined) return Result.fail("the notification does not match its kind")
          return Result.succeed({
            id: notification.id,
            type: notification.type,
            text: shorten(notification.text),
            subject: notification.subject,
            updatedAt: notification.updatedAt
          })
        })
      })
    })
  )
}
