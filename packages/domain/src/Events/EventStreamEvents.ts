import { Schema } from "effect"
import { EventId } from "./Event.ts"
import { EventVersionAction } from "./EventVersion.ts"

/** What the events feature tells the realtime stream: ids only; fetch what you show. */
export const EventUpdatedEvent = Schema.Struct({ eventId: EventId, action: EventVersionAction })
