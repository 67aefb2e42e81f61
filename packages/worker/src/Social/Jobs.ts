import { NotifyContactJoined, NotifySocialEvent } from "@moim/domain/Social/SocialNotifications"
import { SocialNotifier } from "@moim/server/Social/SocialNotifier"
import * as JobHandler from "../JobHandler.ts"

/** Tells people of follows, follow requests and friend requests, and of their answers. */
export const NotifySocialEventHandler = JobHandler.make(NotifySocialEvent, (event) =>
  SocialNotifier.use((notifier) => notifier.notify(event))
)

/** Tells people that someone in their contacts joined. */
export const NotifyContactJoinedHandler = JobHandler.make(NotifyContactJoined, ({ userId, contactHash }) =>
  SocialNotifier.use((notifier) => notifier.contactJoined(userId, contactHash))
)

/** The social feature's jobs. */
export const SocialJobs = [NotifySocialEventHandler, NotifyContactJoinedHandler] as const
