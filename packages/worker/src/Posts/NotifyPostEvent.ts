import { NotifyPostEvent } from "@moim/domain/Posts/PostNotifications"
import { PostNotifier } from "@moim/server/Posts/PostNotifier"
import * as JobHandler from "../JobHandler.ts"

/** Tells the people concerned of a post event; delivering an event twice reaches nobody twice. */
export const NotifyPostEventHandler = JobHandler.make(NotifyPostEvent, ({ eventId, event }) =>
  PostNotifier.use((notifier) => notifier.notify(eventId, event))
)
