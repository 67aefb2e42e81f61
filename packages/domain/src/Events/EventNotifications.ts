import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import * as Job from "../Jobs/Job.ts"
import { Timestamp } from "../Kit/Timestamp.ts"
import * as NotificationKind from "../Notifications/NotificationKind.ts"
import { EventId, EventLocation } from "./Event.ts"
import { ReminderOffset } from "./EventReminders.ts"

export const EventPromotedNotification = NotificationKind.make({
  type: "event.promoted",
  identifier: "EventPromotedNotification",
  description: "A seat freed up and you moved from the waitlist to going",
  subject: "event",
  data: Schema.Struct({ eventId: EventId, title: Schema.String }),
  defaults: { email: true, push: true },
  text: (_who, data) => `A seat freed up: you are going to ${data.title}`
})

const changeData = {
  eventId: EventId,
  title: Schema.String,
  occurrenceStart: Schema.NullOr(Schema.String).annotate({
    description: "The occurrence (its `occurrenceStart`) that changed; null for the whole event"
  })
}

export const EventChangedNotification = NotificationKind.make({
  type: "event.changed",
  identifier: "EventChangedNotification",
  description: "The time or place of an event (or one occurrence) you are going to or waiting for changed",
  subject: "event",
  data: Schema.Struct({
    ...changeData,
    fields: Schema.Array(Schema.String).annotate({ description: "What changed: `time`, `place`" })
  }),
  defaults: { email: true, push: true },
  text: (_who, data) =>
    `${data.title}${data.occurrenceStart === null ? "" : ` (${data.occurrenceStart.replace("T", " ")})`}: the ${data.fields.join(" and ")} changed`
})

export const EventCancelledNotification = NotificationKind.make({
  type: "event.cancelled",
  identifier: "EventCancelledNotification",
  description: "An event (or one occurrence) you are going to or waiting for was cancelled",
  subject: "event",
  data: Schema.Struct({ ...changeData, reason: Schema.String }),
  defaults: { email: true, push: true },
  text: (_who, data) =>
    `${data.title}${data.occurrenceStart === null ? "" : ` (${data.occurrenceStart.replace("T", " ")})`} is cancelled: ${data.reason}`
})

const inWords = (minutes: number) =>
  minutes % 1440 === 0
    ? minutes === 10080
      ? "in 1 week"
      : `in ${minutes / 1440} day${minutes === 1440 ? "" : "s"}`
    : minutes % 60 === 0
      ? `in ${minutes / 60} hour${minutes === 60 ? "" : "s"}`
      : `in ${minutes} minutes`

export const EventReminderNotification = NotificationKind.make({
  type: "event.reminder",
  identifier: "EventReminderNotification",
  description: "An occurrence you are going to starts soon (when: your `eventReminders` preference)",
  subject: "event",
  data: Schema.Struct({
    eventId: EventId,
    title: Schema.String,
    occurrenceStart: Schema.NullOr(Schema.String).annotate({
      description: "The occurrence (its `occurrenceStart`) in a series; null for a single event"
    }),
    startsAt: Timestamp.annotate({ description: "When the occurrence starts (after any change)" }),
    start: Schema.String.annotate({ description: "The same start, wall-clock in `timeZone`, `YYYY-MM-DDTHH:mm`" }),
    timeZone: Schema.String,
    location: Schema.NullOr(EventLocation),
    onlineUrl: Schema.NullOr(Schema.String),
    minutesBefore: ReminderOffset
  }),
  defaults: { email: true, push: true },
  text: (_who, data) =>
    `Reminder: ${data.title} starts ${inWords(data.minutesBefore)} (${data.start.replace("T", " ")} ${data.timeZone})`
})

/** Every notification the events feature sends. */
export const EventNotificationKinds = [
  EventPromotedNotification,
  EventChangedNotification,
  EventCancelledNotification,
  EventReminderNotification
] as const

/** A notification from the events feature, as clients receive it. */
export const EventNotification = Schema.Union([
  EventPromotedNotification.schema,
  EventChangedNotification.schema,
  EventCancelledNotification.schema,
  EventReminderNotification.schema
])

/**
 * Cron (every minute): reminds the people going to the occurrences that start within their chosen
 * offsets (`eventReminders`). A run that fails is not retried: the next minute's run covers it.
 */
export const SendEventReminders = Job.make("SendEventReminders", Schema.Struct({}), { maxAttempts: 1 })

/**
 * People moved from an event's waitlist to going: each is told. Enqueued in the transaction that
 * freed the seats.
 */
export const NotifyEventPromoted = Job.make(
  "NotifyEventPromoted",
  Schema.Struct({ eventId: EventId, userIds: Schema.Array(UserId), promotionId: Schema.String }),
  { key: (payload) => `event-promoted:${payload.promotionId}` }
)

/**
 * An event's (or one occurrence's) time or place changed, or it was cancelled: the people going
 * (seated or waiting) are told. Enqueued in the transaction of the change (its version).
 */
export const NotifyEventChanged = Job.make(
  "NotifyEventChanged",
  Schema.Struct({
    eventId: EventId,
    changeId: Schema.String,
    actorId: Schema.NullOr(UserId),
    occurrence: Schema.NullOr(Schema.String),
    cancelled: Schema.Boolean,
    reason: Schema.NullOr(Schema.String),
    fields: Schema.Array(Schema.String)
  }),
  { key: (payload) => `event-changed:${payload.changeId}` }
)
