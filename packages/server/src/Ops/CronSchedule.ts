import { parseCronItem } from "graphile-worker"

const minute = 60_000
/** A year of minutes: every schedule crontab can express fires within it. */
const horizon = 366 * 24 * 60

/**
 * The first whole minute after `after` at which a crontab time spec fires, in UTC as
 * graphile-worker reads it; `undefined` for a spec that never fires (`0 0 31 2 *`). Throws on a spec
 * graphile-worker would refuse.
 */
export const nextRun = (schedule: string, after: Date): Date | undefined => {
  const item = parseCronItem({ task: "next-run", match: schedule })
  const start = Math.floor(after.getTime() / minute) * minute + minute
  for (let step = 0; step < horizon; step++) {
    const at = new Date(start + step * minute)
    const digest = {
      min: at.getUTCMinutes(),
      hour: at.getUTCHours(),
      date: at.getUTCDate(),
      month: at.getUTCMonth() + 1,
      dow: at.getUTCDay()
    }
    if (item.match(digest)) return at
  }
  return undefined
}
