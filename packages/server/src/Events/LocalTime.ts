const formatters = new Map<string, Intl.DateTimeFormat>()

const formatter = (timeZone: string) => {
  const known = formatters.get(timeZone)
  if (known !== undefined) return known
  const made = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit"
  })
  formatters.set(timeZone, made)
  return made
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
const offsetAt = (instant: number, timeZone: string) => {
  const parts: Record<string, number> = {}
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value)
  }
  const wall = Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0
  )
  return wall - Math.floor(instant / 1000) * 1000
}

/**
 * The instant a wall-clock time (`YYYY-MM-DDTHH:mm`) names in an IANA time zone, with the zone's
 * rules from `Intl` (no Temporal). A time in a gap (the hour skipped when clocks go forward) is
 * read with the offset before the change, so it lands after the gap, as calendar apps do; a time
 * that happens twice (clocks going back) is its first occurrence.
 */
export const toInstant = (local: string, timeZone: string): Date => {
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0] = local.split(/[-T:]/).map(Number)
  const wall = Date.UTC(year, month - 1, day, hour, minute)
  const before = offsetAt(wall - 86_400_000, timeZone)
  const after = offsetAt(wall + 86_400_000, timeZone)
  const first = wall - before
  if (offsetAt(first, timeZone) === before) return new Date(first)
  const second = wall - after
  return new Date(offsetAt(second, timeZone) === after ? second : first)
}
