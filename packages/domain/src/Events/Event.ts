import { DateTime, Schema, SchemaTransformation } from "effect"
import { PublicProfile } from "../Accounts/User.ts"
import { GroupId } from "../Groups/Group.ts"
import { EditVersion } from "../Kit/ConditionalRequests.ts"
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

/**
 * Years 1 to 9999: what ISO-8601 writes with four digits, and well inside what Postgres stores
 * (an expanded year such as `-126778` reads as a date but is out of the database's range).
 */
const isStorableInstant = Schema.makeFilter(
  (instant: DateTime.Utc) => {
    const year = DateTime.getPartUtc(instant, "year")
    return year >= 1 && year <= 9999
  },
  { expected: "an instant in the years 1 to 9999" }
)

/** An instant a client sends (a deadline, a calendar's bounds): ISO-8601, read as `DateTime.Utc`. */
export const instantInput = (description: string) =>
  Text({
    minLength: 1,
    maxLength: 40,
    annotations: { format: "date-time", description, examples: ["2030-07-01T00:00:00.000Z"] }
  }).pipe(Schema.decodeTo(Schema.DateTimeUtc.check(isStorableInstant), SchemaTransformation.dateTimeUtcFromString))

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

export const RecurrenceFrequency = Schema.Literals(["daily", "weekly", "monthly", "yearly"]).annotate({
  identifier: "RecurrenceFrequency",
  description: "How often the series repeats"
})
export type RecurrenceFrequency = typeof RecurrenceFrequency.Type

export const Weekday = Schema.Literals(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]).annotate({
  identifier: "Weekday",
  description: "A day of the week, as RFC 5545 spells it"
})
export type Weekday = typeof Weekday.Type

/** The most occurrences one series may have. */
export const maxOccurrences = 730

export const RecurrenceRule = Schema.Struct({
  frequency: RecurrenceFrequency,
  interval: Schema.optional(
    Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 99 })).annotate({
      description: "Every `interval` days, weeks, months or years; default 1"
    })
  ),
  byWeekday: Schema.optional(
    Schema.Array(Weekday).check(Schema.isMinLength(1), Schema.isMaxLength(7)).annotate({
      description: "Weekly: the days it happens on. Monthly or yearly with `bySetPos`: the weekday to count"
    })
  ),
  byMonthDay: Schema.optional(
    Schema.Array(
      Schema.Int.check(
        Schema.isBetween({ minimum: -31, maximum: 31 }),
        Schema.makeFilter((day: number) => day !== 0, { expected: "a day of the month, 1 to 31 or -31 to -1" })
      )
    )
      .check(Schema.isMinLength(1), Schema.isMaxLength(31))
      .annotate({ description: "Monthly or yearly: the days of the month (-1 is the last)" })
  ),
  bySetPos: Schema.optional(
    Schema.Int.check(
      Schema.isBetween({ minimum: -5, maximum: 5 }),
      Schema.makeFilter((position: number) => position !== 0, { expected: "1 to 5, or -5 to -1" })
    ).annotate({
      description: "Monthly or yearly, with one `byWeekday`: which of them (2 and `TU` is the 2nd Tuesday, -1 the last)"
    })
  ),
  count: Schema.optional(
    Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: maxOccurrences })).annotate({
      description: `How many occurrences, 1 to ${maxOccurrences}`
    })
  ),
  until: Schema.optional(LocalDateTime)
}).annotate({
  identifier: "RecurrenceRule",
  description:
    "A repeating series in the event's time zone (RFC 5545 RRULE); exactly one of `count` and `until` (the last possible start, wall-clock in the event's zone, at most 2 years after the first)"
})
export type RecurrenceRule = typeof RecurrenceRule.Type

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

export const OccurrenceViewer = Schema.Struct({
  rsvp: Schema.NullOr(RsvpStatus).annotate({ description: "Your answer for this occurrence, if you answered" }),
  waitlisted: Schema.Boolean.annotate({ description: "`going`, but waiting for a seat" }),
  waitlistPosition: Schema.NullOr(Schema.Int).annotate({ description: "Your place on the waitlist, from 1" })
}).annotate({ identifier: "OccurrenceViewer", description: "Where you stand with one occurrence" })

export class EventOccurrence extends Schema.Class<EventOccurrence>("EventOccurrence")(
  Schema.Struct({
    eventId: EventId,
    occurrenceStart: LocalDateTime.annotate({
      description: "The occurrence's start as the rule places it: its key, which a move does not change"
    }),
    start: LocalDateTime.annotate({ description: "Its start after any change" }),
    end: LocalDateTime,
    startsAt: Timestamp,
    endsAt: Timestamp,
    status: EventStatus.annotate({ description: "`cancelled` when the event or this occurrence is" }),
    cancelReason: Schema.NullOr(Schema.String),
    location: Schema.NullOr(EventLocation),
    capacity: Schema.NullOr(Schema.Int),
    changed: Schema.Boolean.annotate({ description: "Differs from the series (moved, moved elsewhere, cancelled)" }),
    goingCount: Schema.Int,
    waitlistCount: Schema.Int,
    interestedCount: Schema.Int,
    viewer: OccurrenceViewer
  }).annotate({ description: "One occurrence of an event (a single event has one)" }),
  { description: "One occurrence of an event (a single event has one)" }
) {}

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
    recurrence: Schema.NullOr(RecurrenceRule).annotate({ description: "The series' rule; null for a single event" }),
    rrule: Schema.NullOr(Schema.String).annotate({
      description: "The rule as an RFC 5545 `RRULE` line (`UNTIL` in UTC), for calendar apps"
    }),
    capacity: Schema.NullOr(Schema.Int),
    rsvpDeadline: Schema.NullOr(Timestamp).annotate({ description: "No RSVP changes after it" }),
    status: EventStatus,
    cancelReason: Schema.NullOr(Schema.String),
    hosts: Schema.Array(EventHost),
    goingCount: Schema.Int.annotate({ description: "People with a seat (a series counts per occurrence)" }),
    waitlistCount: Schema.Int,
    interestedCount: Schema.Int,
    version: EditVersion,
    createdAt: Timestamp,
    viewer: EventViewer,
    occurrences: Schema.optional(Schema.Array(EventOccurrence)).annotate({
      description: "In the range lists (a group's events with a range, my calendar): its occurrences in the range"
    })
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

export class EventOccurrences extends Schema.Class<EventOccurrences>("EventOccurrences")(
  Schema.Struct({ items: Schema.Array(EventOccurrence) }).annotate({
    description: "An event's occurrences in a range, by start"
  }),
  { description: "An event's occurrences in a range, by start" }
) {}

export class OccurrenceRsvp extends Schema.Class<OccurrenceRsvp>("OccurrenceRsvp")(
  Schema.Struct({
    eventId: EventId,
    occurrenceStart: LocalDateTime,
    status: RsvpStatus,
    waitlisted: Schema.Boolean,
    waitlistPosition: Schema.NullOr(Schema.Int),
    occurrence: EventOccurrence
  }).annotate({ description: "Your answer for one occurrence, and the occurrence as it now stands" }),
  { description: "Your answer for one occurrence, and the occurrence as it now stands" }
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

export class InvalidRecurrence extends Schema.TaggedError<InvalidRecurrence>()(
  "InvalidRecurrence",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "InvalidRecurrence",
    description: `A rule that does not fit together: exactly one of \`count\` and \`until\`, \`until\` within 2 years of the start, at most ${maxOccurrences} occurrences, \`bySetPos\` with one \`byWeekday\`, weekdays and month days only where the frequency takes them`
  }
) {}

export class OccurrenceNotFound extends Schema.TaggedError<OccurrenceNotFound>()(
  "OccurrenceNotFound",
  { message: Schema.String },
  {
    httpApiStatus: 404,
    identifier: "OccurrenceNotFound",
    description: "The event has no occurrence starting then (by the rule, in its time zone)"
  }
) {}

export class InvalidEditScope extends Schema.TaggedError<InvalidEditScope>()(
  "InvalidEditScope",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "InvalidEditScope",
    description:
      "`this` and `thisAndFollowing` need an `occurrence` of a series; `this` changes only `start`, `end`, `location` and `capacity`"
  }
) {}
