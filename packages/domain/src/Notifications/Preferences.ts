import { Schema } from "effect"
import { EventReminders } from "../Events/EventReminders.ts"
import { GroupId } from "../Groups/Group.ts"
import { Text } from "../Kit/Text.ts"
import { NotificationType } from "./Catalogue.ts"

const isTimeZone = Schema.makeFilter(
  (value: string) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: value })
      return true
    } catch {
      return false
    }
  },
  { expected: "an IANA time zone such as Europe/Berlin" }
)

/** An IANA time zone name. */
export const TimeZone = Text({
  minLength: 1,
  maxLength: 64,
  annotations: { description: "An IANA time zone, e.g. `Europe/Berlin`", examples: ["Europe/Berlin"] }
}).check(isTimeZone)

/** A time of day, `HH:MM`, 24-hour clock. */
export const TimeOfDay = Schema.String.annotate({ description: "`HH:MM`, 24-hour clock", examples: ["22:00"] }).check(
  Schema.isMaxLength(5),
  Schema.isPattern(/^([01]\d|2[0-3]):[0-5]\d$/u)
)

export const QuietHours = Schema.Struct({ start: TimeOfDay, end: TimeOfDay }).annotate({
  identifier: "QuietHours",
  description:
    "Push and email wait until `end` (in your time zone) when they fall between `start` and `end`; in-app does not wait. `end` before `start` spans midnight."
})
export type QuietHours = typeof QuietHours.Type

export const DigestFrequency = Schema.Literals(["off", "daily", "weekly"]).annotate({
  identifier: "DigestFrequency",
  description:
    "`off`: one email per notification; `daily` or `weekly`: one email of your unread notifications instead, at 08:00 your time (weekly: on Mondays)"
})
export type DigestFrequency = typeof DigestFrequency.Type

export const TypePreference = Schema.Struct({
  type: NotificationType,
  description: Schema.String,
  inApp: Schema.Boolean,
  email: Schema.Boolean,
  push: Schema.Boolean
}).annotate({ identifier: "NotificationTypePreference", description: "Where one kind of notification reaches you" })

export class NotificationPreferences extends Schema.Class<NotificationPreferences>("NotificationPreferences")(
  {
    timeZone: Schema.String.annotate({ description: "Your IANA time zone (default `UTC`)" }),
    quietHours: Schema.NullOr(QuietHours),
    digest: DigestFrequency,
    types: Schema.Array(TypePreference).annotate({ description: "Every kind of notification, with its channels" }),
    mutedGroups: Schema.Array(GroupId).annotate({
      description: "Groups whose activity does not notify you (news about your own membership still does)"
    }),
    eventReminders: EventReminders
  },
  { description: "How and when you are notified" }
) {}

export const UpdateNotificationPreferencesPayload = Schema.Struct({
  timeZone: Schema.optional(TimeZone),
  quietHours: Schema.optional(Schema.NullOr(QuietHours)),
  digest: Schema.optional(DigestFrequency),
  eventReminders: Schema.optional(EventReminders),
  types: Schema.optional(
    Schema.Array(
      Schema.Struct({
        type: NotificationType,
        inApp: Schema.optional(Schema.Boolean),
        email: Schema.optional(Schema.Boolean),
        push: Schema.optional(Schema.Boolean)
      })
    ).check(Schema.isMaxLength(100))
  )
}).annotate({
  identifier: "UpdateNotificationPreferencesPayload",
  description: "Only the fields present change; `types` changes only the channels it names"
})
