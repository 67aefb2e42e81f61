import { Layer } from "effect"
import { EventNotifier } from "./EventNotifier.ts"
import { Events } from "./Events.ts"
import { EventsRepo } from "./EventsRepo.ts"

/** The events feature's services, on groups (`GroupAccess`) and accounts (`Profiles`). */
export const EventsLive = Events.layer.pipe(Layer.provide(EventsRepo.layer))

/** Who hears of seats freed (for the worker), on the notifications feature's `Notifications`. */
export const EventNotifierLive = EventNotifier.layer.pipe(Layer.provide(EventsRepo.layer))
