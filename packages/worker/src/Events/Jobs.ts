import { NotifyEventPromoted } from "@moim/domain/Events/EventNotifications"
import { EventNotifier } from "@moim/server/Events/EventNotifier"
import * as JobHandler from "../JobHandler.ts"

/** Tells people moved from an event's waitlist that they have a seat. */
export const NotifyEventPromotedHandler = JobHandler.make(NotifyEventPromoted, ({ promotionId, eventId, userIds }) =>
  EventNotifier.use((notifier) => notifier.notifyPromoted(promotionId, eventId, userIds))
)

/** The events feature's jobs. */
export const EventsJobs = [NotifyEventPromotedHandler] as const
