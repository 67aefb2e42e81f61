import { NotifyEventChanged, NotifyEventPromoted, SendEventReminders } from "@moim/domain/Events/EventNotifications"
import { EventNotifier } from "@moim/server/Events/EventNotifier"
import { EventReminders } from "@moim/server/Events/EventReminders"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/** Tells people moved from an event's waitlist that they have a seat. */
export const NotifyEventPromotedHandler = JobHandler.make(NotifyEventPromoted, ({ promotionId, eventId, userIds }) =>
  EventNotifier.use((notifier) => notifier.notifyPromoted(promotionId, eventId, userIds))
)

/** Tells the people going to an event (or an occurrence) that its time or place changed, or that it is cancelled. */
export const NotifyEventChangedHandler = JobHandler.make(NotifyEventChanged, (change) =>
  EventNotifier.use((notifier) => notifier.notifyChanged(change))
)

/** Every minute (cron): reminds people of the occurrences they are going to, at the offsets they chose. */
export const SendEventRemindersHandler = JobHandler.make(
  SendEventReminders,
  () =>
    Effect.gen(function* () {
      const sent = yield* EventReminders.use((reminders) => reminders.sendDue)
      if (sent > 0) yield* Effect.logInfo("event reminders sent").pipe(Effect.annotateLogs({ sent }))
    }),
  { schedule: "* * * * *" }
)

/** The events feature's jobs. */
export const EventsJobs = [NotifyEventPromotedHandler, NotifyEventChangedHandler, SendEventRemindersHandler] as const
