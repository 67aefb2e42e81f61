import { RecurrenceRule } from "@moim/domain/Events/Event"
import icalTimezones from "@touch4it/ical-timezones"
import { Schema } from "effect"
import ical, { ICalEventRepeatingFreq, ICalEventStatus, ICalWeekday } from "ical-generator"
import type { EventRow, OverrideRow } from "./EventsRepo.ts"
import { toInstant } from "./LocalTime.ts"

const decodeRule = Schema.decodeSync(Schema.fromJsonString(RecurrenceRule))

const frequencies = {
  daily: ICalEventRepeatingFreq.DAILY,
  weekly: ICalEventRepeatingFreq.WEEKLY,
  monthly: ICalEventRepeatingFreq.MONTHLY,
  yearly: ICalEventRepeatingFreq.YEARLY
} as const

const weekdays = {
  MO: ICalWeekday.MO,
  TU: ICalWeekday.TU,
  WE: ICalWeekday.WE,
  TH: ICalWeekday.TH,
  FR: ICalWeekday.FR,
  SA: ICalWeekday.SA,
  SU: ICalWeekday.SU
} as const

/** An event and the occurrences of its series that differ (cancelled, moved, elsewhere). */
export interface CalendarEntry {
  readonly row: EventRow
  readonly overrides: ReadonlyArray<OverrideRow>
}

const place = (name: string | null, latitude: number | null, longitude: number | null) =>
  name === null
    ? null
    : latitude === null || longitude === null
      ? name
      : { title: name, geo: { lat: latitude, lon: longitude } }

/**
 * A wall-clock time as a date whose UTC fields are the wall clock: `ical-generator` writes a plain
 * date's UTC fields after `TZID=<the event's zone>`, so this gives `DTSTART;TZID=Europe/Berlin:...T190000`.
 */
const wallClock = (local: string) => new Date(`${local}:00.000Z`)

/** The stable UID of an event; its changed occurrences share it and are told apart by RECURRENCE-ID. */
export const eventUid = (row: EventRow) => `${row.id}@moim`

/**
 * Events as an iCalendar (RFC 5545) document, with `ical-generator`: each event a VEVENT in its own
 * time zone (`DTSTART;TZID=...`, a VTIMEZONE per zone from `@touch4it/ical-timezones`); a series
 * with its RRULE, an EXDATE per cancelled occurrence and a VEVENT with RECURRENCE-ID per moved or
 * relocated one; a cancelled event with STATUS:CANCELLED; LAST-MODIFIED from the event's last change.
 */
export const renderCalendar = (options: {
  readonly name: string
  readonly entries: ReadonlyArray<CalendarEntry>
  readonly eventUrl: (row: EventRow) => string
}): string => {
  const calendar = ical({
    name: options.name,
    prodId: { company: "moim", product: "moim", language: "EN" },
    timezone: { name: null, generator: icalTimezones.getVtimezoneComponent }
  })
  for (const { row, overrides } of options.entries) {
    const rule = row.recurrence === null ? null : decodeRule(row.recurrence)
    const common = {
      id: eventUid(row),
      summary: row.title,
      description: row.description === "" ? null : row.description,
      url: row.onlineUrl ?? options.eventUrl(row),
      timezone: row.timeZone,
      allDay: row.allDay,
      created: row.createdAt,
      lastModified: row.updatedAt,
      stamp: row.updatedAt
    }
    const cancelledEvent = row.status === "cancelled"
    calendar.createEvent({
      ...common,
      start: wallClock(row.startLocal),
      end: wallClock(row.endLocal),
      location: place(row.locationName, row.latitude, row.longitude),
      status: cancelledEvent ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      repeating:
        rule === null
          ? null
          : {
              freq: frequencies[rule.frequency],
              interval: rule.interval ?? 1,
              ...(rule.count === undefined ? {} : { count: rule.count }),
              ...(rule.until === undefined ? {} : { until: toInstant(rule.until, row.timeZone) }),
              ...(rule.byWeekday === undefined ? {} : { byDay: rule.byWeekday.map((day) => weekdays[day]) }),
              ...(rule.byMonthDay === undefined ? {} : { byMonthDay: [...rule.byMonthDay] }),
              ...(rule.bySetPos === undefined ? {} : { bySetPos: rule.bySetPos }),
              exclude: overrides.filter((entry) => entry.cancelled).map((entry) => wallClock(entry.occurrenceStart))
            }
    })
    if (rule === null) continue
    for (const entry of overrides) {
      if (entry.cancelled || (entry.startsAt === null && !entry.locationSet)) continue
      const base = wallClock(entry.occurrenceStart)
      const length = wallClock(row.endLocal).getTime() - wallClock(row.startLocal).getTime()
      calendar.createEvent({
        ...common,
        recurrenceId: base,
        start: entry.startLocal === null ? base : wallClock(entry.startLocal),
        end: entry.endLocal === null ? new Date(base.getTime() + length) : wallClock(entry.endLocal),
        location: entry.locationSet
          ? place(entry.locationName, entry.latitude, entry.longitude)
          : place(row.locationName, row.latitude, row.longitude),
        status: cancelledEvent ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED
      })
    }
  }
  return calendar.toString()
}
