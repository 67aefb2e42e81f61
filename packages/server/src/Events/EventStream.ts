import type { EventId } from "@moim/domain/Events/Event"
import type { EventRsvpsEvent } from "@moim/domain/Events/EventStreamEvents"
import type { EventVersionAction } from "@moim/domain/Events/EventVersion"
import { Effect } from "effect"
import { StreamOutbox } from "../Realtime/StreamOutbox.ts"

export const eventTopic = (eventId: EventId) => `event:${eventId}`

/**
 * `const stream = yield* EventStream.make`: what events publish to the realtime stream, in the
 * caller's transaction. Events carry ids and counts only: a client fetches the event, and sees it only
 * if it may.
 */
export const EventStream = {
  make: Effect.gen(function* () {
    const outbox = yield* StreamOutbox
    return {
      /** The event changed (any version but its creation), on the event's topic. */
      updated: (eventId: EventId, action: EventVersionAction) =>
        outbox.publish([{ topic: eventTopic(eventId), type: "event.updated", data: { eventId, action } }]),
      /** An answer changed the counts of the event, or of its occurrence `occurrenceStart`: the counts only. */
      rsvps: (data: typeof EventRsvpsEvent.Type) =>
        outbox.publish([{ topic: eventTopic(data.eventId), type: "event.rsvps", data }])
    }
  })
}
