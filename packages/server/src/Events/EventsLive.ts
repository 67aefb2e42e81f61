import { Layer } from "effect"
import { CalendarFeeds } from "./CalendarFeeds.ts"
import { CalendarFeedsRepo } from "./CalendarFeedsRepo.ts"
import { EventNotifier } from "./EventNotifier.ts"
import { EventReminders } from "./EventReminders.ts"
import { EventRemindersRepo } from "./EventRemindersRepo.ts"
import { Events } from "./Events.ts"
import { EventsRepo } from "./EventsRepo.ts"
import { EventVersionsRepo } from "./EventVersionsRepo.ts"

/** The events feature's services, on groups (`GroupAccess`) and accounts (`Profiles`): events and their iCal feeds. */
export const EventsLive = Layer.mergeAll(Events.layer, CalendarFeeds.layer).pipe(
  Layer.provide([EventsRepo.layer, CalendarFeedsRepo.layer, EventVersionsRepo.layer])
)

/**
 * Who hears of seats freed and of changes, and the reminders (for the worker), on the notifications
 * feature's `Notifications` and `Preferences` and on groups' `GroupAccess`.
 */
export const EventNotifierLive = Layer.mergeAll(EventNotifier.layer, EventReminders.layer).pipe(
  Layer.provide([EventsRepo.layer, EventRemindersRepo.layer])
)
