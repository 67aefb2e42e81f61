import { Schema } from "effect"
import { EventId, LocalDateTime } from "./Event.ts"
import { EventVersionAction } from "./EventVersion.ts"

/** What the events feature tells the realtime stream: ids only; fetch what you show. */
export const EventUpdatedEvent = Schema.Struct({ eventId: EventId, action: EventVersionAction })

/**
 * An answer changed an event's counts (or an occurrence's): the counts as they now stand, never
 * who answered, so that the topic tells nobody more than the event itself does.
 */
export const EventRsvpsEvent = Schema.Struct({
  eventId: EventId,
  occurrenceStart: Schema.NullOr(LocalDateTime).annotate({
    description: "The occurrence of a series whose counts these are (its `occurrenceStart`); null for a single event"
  }),
  goingCount: Schema.Int.annotate({ description: "People with a seat" }),
  waitlistCount: Schema.Int.annotate({ description: "People waiting for a seat" }),
  interestedCount: Schema.Int.annotate({ description: "People interested" })
})
