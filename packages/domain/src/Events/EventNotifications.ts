import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import * as Job from "../Jobs/Job.ts"
import * as NotificationKind from "../Notifications/NotificationKind.ts"
import { EventId } from "./Event.ts"

export const EventPromotedNotification = NotificationKind.make({
  type: "event.promoted",
  identifier: "EventPromotedNotification",
  description: "A seat freed up and you moved from the waitlist to going",
  subject: "event",
  data: Schema.Struct({ eventId: EventId, title: Schema.String }),
  defaults: { email: true, push: true },
  text: (_who, data) => `A seat freed up: you are going to ${data.title}`
})

/** Every notification the events feature sends. */
export const EventNotificationKinds = [EventPromotedNotification] as const

/** A notification from the events feature, as clients receive it. */
export const EventNotification = Schema.Union([EventPromotedNotification.schema])

/**
 * People moved from an event's waitlist to going: each is told. Enqueued in the transaction that
 * freed the seats.
 */
export const NotifyEventPromoted = Job.make(
  "NotifyEventPromoted",
  Schema.Struct({ eventId: EventId, userIds: Schema.Array(UserId), promotionId: Schema.String }),
  { key: (payload) => `event-promoted:${payload.promotionId}` }
)
