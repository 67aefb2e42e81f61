import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import { Page } from "../Kit/Page.ts"
import { Timestamp } from "../Kit/Timestamp.ts"
import { EventId } from "./Event.ts"

export const EventVersionId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("EventVersionId"))
  .annotate({ identifier: "EventVersionId", description: "A version's id (UUIDv7)" })
export type EventVersionId = typeof EventVersionId.Type

export const EventVersionAction = Schema.Literals([
  "created",
  "updated",
  "cancelled",
  "occurrence_changed",
  "occurrence_cancelled",
  "cohost_added",
  "cohost_removed",
  "restored"
]).annotate({ identifier: "EventVersionAction", description: "What the change was" })
export type EventVersionAction = typeof EventVersionAction.Type

export const EventFieldChange = Schema.Struct({
  field: Schema.String.annotate({
    description:
      "The field: an event's (`title`, `start`, `location`, `status`, `cohosts`, ...) or an occurrence's, as `occurrences.<occurrenceStart>.<field>`"
  }),
  before: Schema.NullOr(Schema.String).annotate({ description: "The value before, as JSON text; null if absent" }),
  after: Schema.NullOr(Schema.String).annotate({ description: "The value after, as JSON text; null if absent" })
}).annotate({ identifier: "EventFieldChange", description: "One field a version changed" })

export class EventVersion extends Schema.Class<EventVersion>("EventVersion")(
  Schema.Struct({
    id: EventVersionId,
    eventId: EventId,
    number: Schema.Int.annotate({ description: "1 for the creation, then one more per change" }),
    action: EventVersionAction,
    actorId: Schema.NullOr(UserId).annotate({ description: "Who made the change (null once they are gone)" }),
    changes: Schema.Array(EventFieldChange),
    restoredFrom: Schema.NullOr(Schema.Int).annotate({ description: "For `restored`: the version restored" }),
    createdAt: Timestamp
  }).annotate({ description: "One change of an event: who, when, which fields, before and after" }),
  { description: "One change of an event: who, when, which fields, before and after" }
) {}

export const EventVersionPage = Page(EventVersion, "EventVersionPage")

export class EventVersionDiff extends Schema.Class<EventVersionDiff>("EventVersionDiff")(
  Schema.Struct({
    from: Schema.Int.annotate({ description: "The number of the first version compared" }),
    to: Schema.Int.annotate({ description: "The number of the second version compared" }),
    changes: Schema.Array(EventFieldChange).annotate({
      description:
        "The event's fields that differ between the two, `before` as the first left them and `after` as the second"
    })
  }).annotate({ description: "What differs between two versions of an event" }),
  { description: "What differs between two versions of an event" }
) {}

export class EventVersionNotFound extends Schema.TaggedError<EventVersionNotFound>()(
  "EventVersionNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "EventVersionNotFound", description: "The event has no such version" }
) {}
