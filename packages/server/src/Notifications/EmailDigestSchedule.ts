import type { DigestFrequency } from "@moim/domain/Notifications/Preferences"
import { DateTime, Option } from "effect"

/** The local hour digests go out in (08:00 to 08:59, the user's time). */
export const digestHour = 8

/** Weekly digests go out on Mondays (`DateTime` week days: 0 is Sunday). */
export const digestWeekDay = 1

/**
 * Whether a digest is due at `now` for a user with this time zone and frequency: its period, the
 * user's local date (`2026-12-07`), when `now` falls in the 08:00 hour of their day (weekly: of a
 * Monday); none otherwise. The hourly cron sees every local hour once (whole- and half-hour offsets
 * alike, and across daylight saving changes, which happen at night), and a period is emailed at most
 * once, so a cron that runs twice in the hour sends nothing twice. A time zone the runtime does not
 * know counts as UTC.
 */
export const digestPeriod = (
  now: DateTime.Utc,
  timeZone: string,
  frequency: DigestFrequency
): Option.Option<string> => {
  if (frequency === "off") return Option.none()
  const local = Option.getOrElse(DateTime.makeZoned(now, { timeZone }), () =>
    DateTime.makeZonedUnsafe(now, { timeZone: "UTC" })
  )
  if (DateTime.getPart(local, "hour") !== digestHour) return Option.none()
  if (frequency === "weekly" && DateTime.getPart(local, "weekDay") !== digestWeekDay) return Option.none()
  return Option.some(DateTime.formatIsoDate(local))
}
