import { NotifyEventChanged, NotifyEventPromoted } from "@moim/domain/Events/EventNotifications"
import { EventNotifier } from "@moim/server/Events/EventNotifier"
import * as JobHandler from "../JobHandler.ts"

/** Tells people moved from an event's waitlist that they have a seat. */
export const NotifyEventPromotedHandler = JobHandler.make(NotifyEventPromoted, ({ promotionId, eventId, userIds }) =>
  EventNotifier.use((notifier) => notifier.notifyPromoted(promotionId, eventId, userIds))
)

/** Tells the people going to an event (or an occurrence) that its time or place changed, or that it is cancelled. */
export const NotifyEventChangedHandler = JobHandler.make(NotifyEventChanged, (change) =>
  EventNotifier.use((notifier) => notifier.notifyChanged(change))
)

/** The events feature's jobs. */
export const EventsJobs = [NotifyEventPromotedHandler, NotifyEventChangedHandler] as const
