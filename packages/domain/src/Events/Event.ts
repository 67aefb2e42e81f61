import { Schema, SchemaTransformation } from "effect"
import { PublicProfile } from "../Accounts/User.ts"
import { GroupId } from "../Groups/Group.ts"
import { Page } from "../Kit/Page.ts"
import { isLengthBetween, Text, TrimmedText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

export const EventId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("EventId"))
  .annotate({ identifier: "EventId", description: "An event's id (UUIDv7)" })
export type EventId = typeof EventId.Type

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

const localPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/

/** `YYYY-MM-DDTHH:mm`, a wall-clock time that exists on the calendar (no 24:00, no February 30). */
const isCalendarTime = Schema.makeFilter(
  (value: string) => {
    if (!localPattern.test(value)) return false
    const [year = 0, month = 0, day = 0, hour = 0, minute = 0] = value.split(/[-T:]/).map(Number)
    return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59
  },
  {
    expected: "a date and time on the calendar, YYYY-MM-DDTHH:mm",
    toJsonSchema: () => ({ pattern: localPattern.source })
  }
)

export const LocalDateTime = Schema.String.annotate({
  description: "A wall-clock time in the event's time zone, `YYYY-MM-DDTHH:mm`",
  examples: ["2026-07-14T19:00"]
}).check(isLengthBetween(16, 16), isCalendarTime)
export type LocalDateTime = typeof LocalDateTime.Type

const zones = new Set([...Intl.supportedValuesOf("timeZone"), "UTC"])

export const TimeZone = Text({
  minLength: 1,
  maxLength: 64,
  annotations: { description: "An IANA time zone, e.g. `Europe/Berlin`", examples: ["Europe/Berlin"] }
}).check(Schema.makeFilter((value: string) => zones.has(value), { expected: "an IANA time zone" }))
export type TimeZone = typeof TimeZone.Type

/** An instant a client sends (a deadline, a calendar's bounds): ISO-8601, read as `DateTime.Utc`. */
export const instantInput = (description: string) =>
  Text({
    minLength: 1,
    maxLength: 40,
    annotations: { format: "date-time", description, examples: ["2030-07-01T00:00:00.000Z"] }
  }).pipe(Schema.decodeTo(Schema.DateTimeUtc, SchemaTransformation.dateTimeUtcFromString))

export const EventTitle = TrimmedText({
  minLength: 1,
  maxLength: 200,
  annotations: { description: "1 to 200 characters" }
})

export const EventDescription = Text({
  maxLength: 10_000,
  annotations: { description: "Plain text, up to 10000 characters" }
})

export const EventLocationName = TrimmedText({
  minLength: 0,
  maxLength: 300,
  annotations: { description: "Where, in words (an address, a meeting point); up to 300 characters" }
})

export const Latitude = Schema.Number.check(Schema.isBetween({ minimum: -90, maximum: 90 })).annotate({
  description: "Degrees north, -90 to 90"
})
export const Longitude = Schema.Number.check(Schema.isBetween({ minimum: -180, maximum: 180 })).annotate({
  description: "Degrees east, -180 to 180"
})

export const EventLocation = Schema.Struct({
  name: EventLocationName,
  latitude: Schema.optional(Latitude),
  longitude: Schema.optional(Longitude)
}).annotate({ identifier: "EventLocation", description: "A place, with optional coordinates (both or neither)" })

export const OnlineUrl = Text({
  minLength: 8,
  maxLength: 2000,
  annotations: { description: "An `http(s)://` link to join online" }
}).check(Schema.isPattern(/^https?:\/\/\S+$/))

export const EventCapacity = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100_000 })).annotate({
  description: "Seats for people `going`, 1 to 100000; without one, no limit"
})

export const CancelReason = TrimmedText({
  minLength: 1,
  maxLength: 500,
  annotations: { description: "Why it is cancelled, 1 to 500 characters" }
})

export const EventStatus = Schema.Literals(["scheduled", "cancelled"]).annotate({
  identifier: "EventStatus",
  description: "`scheduled`, or `cancelled` (still readable, with its reason; no more RSVPs)"
})
export type EventStatus = typeof EventStatus.Type

export const RsvpStatus = Schema.Literals(["going", "interested", "not_going"]).annotate({
  identifier: "RsvpStatus",
  description: "`going` (a seat, or a waitlist place when the event is full), `interested`, `not_going`"
})
export type RsvpStatus = typeof RsvpStatus.Type

export const EventHostRole = Schema.Literals(["host", "cohost"]).annotate({
  identifier: "EventHostRole",
  description: "`host` (created it) or `cohost` (added by a host)"
})
export type EventHostRole = typeof EventHostRole.Type

export const EventHost = Schema.Struct({ user: PublicProfile, role: EventHostRole }).annotate({
  identifier: "EventHost",
  description: "Who runs the event"
})

export const EventViewer = Schema.Struct({
  rsvp: Schema.NullOr(RsvpStatus).annotate({ description: "Your answer, if you answered" }),
  waitlisted: Schema.Boolean.annotate({ description: "`going`, but waiting for a seat" }),
  waitlistPosition: Schema.NullOr(Schema.Int).annotate({ description: "Your place on the waitlist, from 1" }),
  canEdit: Schema.Boolean.annotate({ description: "Edit, cancel, and (hosts and the group's admins) manage co-hosts" })
}).annotate({ identifier: "EventViewer", description: "Where you stand with the event" })

export class Event extends Schema.Class<Event>("Event")(
  Schema.Struct({
    id: EventId,
    groupId: GroupId,
    title: Schema.String,
    description: Schema.String,
    location: Schema.NullOr(EventLocation),
    onlineUrl: Schema.NullOr(Schema.String),
    start: LocalDateTime,
    end: LocalDateTime,
    timeZone: TimeZone,
    startsAt: Timestamp.annotate({ description: "`start` in `timeZone`, as an instant" }),
    endsAt: Timestamp.annotate({ description: "`end` in `timeZone`, as an instant" }),
    allDay: Schema.Boolean,
    capacity: Schema.NullOr(Schema.Int),
    rsvpDeadline: Schema.NullOr(Timestamp).annotate({ description: "No RSVP changes after it" }),
    status: EventStatus,
    cancelReason: Schema.NullOr(Schema.String),
    hosts: Schema.Array(EventHost),
    goingCount: Schema.Int.annotate({ description: "People with a seat" }),
    waitlistCount: Schema.Int,
    interestedCount: Schema.Int,
    createdAt: Timestamp,
    viewer: EventViewer
  }).annotate({ description: "An event of a group" }),
  { description: "An event of a group" }
) {}

export class Rsvp extends Schema.Class<Rsvp>("Rsvp")(
  Schema.Struct({
    eventId: EventId,
    status: RsvpStatus,
    waitlisted: Schema.Boolean,
    waitlistPosition: Schema.NullOr(Schema.Int),
    event: Event
  }).annotate({ description: "Your answer, and the event as it now stands" }),
  { description: "Your answer, and the event as it now stands" }
) {}

export class Attendee extends Schema.Class<Attendee>("Attendee")(
  Schema.Struct({ user: PublicProfile, respondedAt: Timestamp }).annotate({
    description: "Someone going, with a seat"
  }),
  { description: "Someone going, with a seat" }
) {}

export const EventPage = Page(Event, "EventPage")
export const AttendeePage = Page(Attendee, "AttendeePage")

export class EventNotFound extends Schema.TaggedError<EventNotFound>()(
  "EventNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "EventNotFound", description: "No such event, or not one you may see" }
) {}

export class EventCancelled extends Schema.TaggedError<EventCancelled>()(
  "EventCancelled",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "EventCancelled", description: "The event is cancelled" }
) {}

export class RsvpClosed extends Schema.TaggedError<RsvpClosed>()(
  "RsvpClosed",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "RsvpClosed", description: "The RSVP deadline has passed" }
) {}

export class InvalidEventTime extends Schema.TaggedError<InvalidEventTime>()(
  "InvalidEventTime",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "InvalidEventTime",
    description: "The end is not after the start, or only one of latitude and longitude is given"
  }
) {}

export class InvalidCalendarRange extends Schema.TaggedError<InvalidCalendarRange>()(
  "InvalidCalendarRange",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "InvalidCalendarRange",
    description: "`to` must be after `from`, at most 92 days later"
  }
) {}

export class CoHostNotMember extends Schema.TaggedError<CoHostNotMember>()(
  "CoHostNotMember",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "CoHostNotMember", description: "A co-host must be a member of the group" }
) {}
