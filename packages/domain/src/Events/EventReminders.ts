import { Schema } from "effect"

/** The reminder offsets one may choose, in minutes before an occurrence starts: 10 min to 1 week. */
export const reminderOffsets = [10, 30, 60, 120, 1440, 2880, 10080] as const

export const ReminderOffset = Schema.Literals(reminderOffsets).annotate({
  identifier: "ReminderOffset",
  description:
    "Minutes before an occurrence starts: 10, 30, 60 (1 h), 120 (2 h), 1440 (1 day), 2880 (2 days), 10080 (1 week)"
})
export type ReminderOffset = typeof ReminderOffset.Type

/** Reminders before the events you are going to, unless you choose otherwise: a day and an hour before. */
export const defaultEventReminders: ReadonlyArray<ReminderOffset> = [1440, 60]

export const EventReminders = Schema.Array(ReminderOffset)
  .check(Schema.isMaxLength(3), Schema.isUnique())
  .annotate({
    identifier: "EventReminders",
    description:
      "When you are reminded of an occurrence you are going to (with a seat), in minutes before it starts: up to 3 distinct values; empty turns reminders off (default `[1440, 60]`)",
    examples: [[1440, 60]]
  })
