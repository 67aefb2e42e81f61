import { NotifyGroupEvent } from "@moim/domain/Groups/GroupNotifications"
import { GroupNotifier } from "@moim/server/Groups/GroupNotifier"
import * as JobHandler from "../JobHandler.ts"

/** Tells the people concerned of a group event; delivering an event twice reaches nobody twice. */
export const NotifyGroupEventHandler = JobHandler.make(NotifyGroupEvent, ({ eventId, event }) =>
  GroupNotifier.use((notifier) => notifier.notify(eventId, event))
)
