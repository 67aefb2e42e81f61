import { InvalidRecurrence, maxOccurrences, type RecurrenceRule } from "@moim/domain/Events/Event"
import { Effect } from "effect"
import rrule from "rrule"
import { toInstant } from "./LocalTime.ts"

// `rrule` is CommonJS without named exports Node can see: its default export is the module.
const { RRule } = rrule

const frequencies = {
  daily: RRule.DAILY,
  weekly: RRule.WEEKLY,
  monthly: RRule.MONTHLY,
  yearly: RRule.YEARLY
} as const

const weekdays = {
  MO: RRule.MO,
  TU: RRule.TU,
  WE: RRule.WE,
  TH: RRule.TH,
  FR: RRule.FR,
  SA: RRule.SA,
  SU: RRule.SU
} as const

const minuteMillis = 60_000
const dayMillis = 86_400_000
const maxSpanMillis = 2 * 366 * 86_400_000

/**
 * A wall-clock time as a "floating" date: its fields read in UTC are the wall clock. The rule is
 * expanded on these, so that 19:00 stays 19:00 whatever the zone's offset does; each occurrence is
 * then placed in the zone with `toInstant`.
 */
const floating = (local: string) => new Date(`${local}:00.000Z`)
const localOf = (date: Date) => date.toISOString().slice(0, 16)

/** One occurrence: where the rule puts it, in wall-clock time and as instants. */
export interface Occurrence {
  readonly occurrenceStart: string
  readonly start: string
  readonly end: string
  readonly startsAt: Date
  readonly endsAt: Date
}

const invalid = (message: string) => Effect.fail(new InvalidRecurrence({ message }))

const options = (rule: RecurrenceRule, until: Date | null) => ({
  freq: frequencies[rule.frequency],
  interval: rule.interval ?? 1,
  ...(rule.byWeekday === undefined ? {} : { byweekday: rule.byWeekday.map((day) => weekdays[day]) }),
  ...(rule.byMonthDay === undefined ? {} : { bymonthday: [...rule.byMonthDay] }),
  ...(rule.bySetPos === undefined ? {} : { bysetpos: [rule.bySetPos] }),
  ...(rule.count === undefined ? {} : { count: rule.count }),
  ...(until === null ? {} : { until })
})

/** The rule as an RFC 5545 `RRULE` line; `UNTIL` is the UTC instant of the local `until`. */
export const rruleText = (rule: RecurrenceRule, timeZone: string) =>
  RRule.optionsToString(options(rule, rule.until === undefined ? null : toInstant(rule.until, timeZone)))

/** Checks what the schema cannot see alone: the parts fit together, and the series is bounded. */
export const check = Effect.fn("Recurrence.check")(function* (rule: RecurrenceRule, start: string) {
  if ((rule.count === undefined) === (rule.until === undefined)) {
    return yield* invalid("Give exactly one of `count` and `until`")
  }
  if (rule.until !== undefined) {
    const span = floating(rule.until).getTime() - floating(start).getTime()
    if (span < 0) return yield* invalid("`until` must not be before the first start")
    if (span > maxSpanMillis) return yield* invalid("`until` must be within 2 years of the first start")
  }
  if (rule.byWeekday !== undefined && rule.frequency === "daily") {
    return yield* invalid("`byWeekday` is for weekly, monthly and yearly series")
  }
  if (rule.byMonthDay !== undefined && (rule.frequency === "daily" || rule.frequency === "weekly")) {
    return yield* invalid("`byMonthDay` is for monthly and yearly series")
  }
  if (rule.bySetPos !== undefined) {
    if (rule.frequency !== "monthly" && rule.frequency !== "yearly") {
      return yield* invalid("`bySetPos` is for monthly and yearly series")
    }
    if (rule.byWeekday?.length !== 1 || rule.byMonthDay !== undefined) {
      return yield* invalid("`bySetPos` takes exactly one `byWeekday` and no `byMonthDay`")
    }
  }
  const starts = expandLocal(rule, start)
  if (starts.length > maxOccurrences) {
    return yield* invalid(`A series has at most ${maxOccurrences} occurrences`)
  }
  if (starts[0] !== start) {
    return yield* invalid("The start must be the rule's first occurrence (a day the rule gives)")
  }
})

/** The local starts the rule gives, from the first (at most one more than the cap, to detect it). */
const expandLocal = (rule: RecurrenceRule, start: string): ReadonlyArray<string> =>
  new RRule({
    ...options(rule, rule.until === undefined ? null : floating(rule.until)),
    dtstart: floating(start)
  })
    .all((_, index) => index <= maxOccurrences)
    .map(localOf)

/**
 * Every occurrence of an event: the series' (a checked rule), or the event's one. Each keeps the
 * first occurrence's wall-clock duration. With `near`, only those whose wall-clock start is within a
 * day of it (every zone's offset is less), so that a scan places a few occurrences in their zone,
 * not every one.
 */
export const occurrences = (
  event: {
    readonly startLocal: string
    readonly endLocal: string
    readonly timeZone: string
    readonly recurrence: RecurrenceRule | null
  },
  near?: { readonly from: Date; readonly to: Date }
): ReadonlyArray<Occurrence> => {
  const duration = floating(event.endLocal).getTime() - floating(event.startLocal).getTime()
  const starts = event.recurrence === null ? [event.startLocal] : expandLocal(event.recurrence, event.startLocal)
  const bounded = starts.slice(0, maxOccurrences)
  const kept =
    near === undefined
      ? bounded
      : bounded.filter((start) => {
          const at = floating(start).getTime()
          return at >= near.from.getTime() - dayMillis && at <= near.to.getTime() + dayMillis
        })
  return kept.map((start) => {
    const end = localOf(new Date(floating(start).getTime() + Math.round(duration / minuteMillis) * minuteMillis))
    const startsAt = toInstant(start, event.timeZone)
    const endsAt = toInstant(end, event.timeZone)
    return {
      occurrenceStart: start,
      start,
      end,
      startsAt,
      // A start in the hour skipped when clocks go forward moves after the gap; it keeps its length.
      endsAt: endsAt.getTime() > startsAt.getTime() ? endsAt : new Date(startsAt.getTime() + duration)
    }
  })
}
