import { Layer } from "effect"
import { CalendarFeeds } from "./CalendarFeeds.ts"
import { CalendarFeedsRepo } from "./CalendarFeedsRepo.ts"
import { EventNotifier } from "./EventNotifier.ts"
import { Events } from "./Events.ts"
import { EventsRepo } from "./EventsRepo.ts"
import { EventVersionsRepo } from "./EventVersionsRepo.ts"

/** The events feature's services, on groups (`GroupAccess`) and accounts (`Profiles`): events and their iCal feeds. */
export const EventsLive = Layer.mergeAll(Events.layer, CalendarFeeds.layer).pipe(
  Layer.provide([EventsRepo.layer, CalendarFeedsRepo.layer, EventVersionsRepo.layer])
)

/** Who hears of seats freed (for the worker), on the notifications feature's `Notifications`. */
export const EventNotifierLive = EventNotifier.layer.pipe(Layer.provide(EventsRepo.layer))
