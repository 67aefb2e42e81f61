import type { DeliveryChannel } from "@moim/domain/Notifications/Notification"
import type { AnyKind } from "@moim/domain/Notifications/NotificationKind"
import type { DigestFrequency } from "@moim/domain/Notifications/Preferences"
import { DateTime, Duration, Option } from "effect"

/** A recipient's delivery settings (the defaults when they never changed them). */
export interface DeliverySettings {
  readonly timeZone: string
  /** Minutes after local midnight; null when the user has no quiet hours. */
  readonly quietHours: { readonly start: number; readonly end: number } | null
  readonly digest: DigestFrequency
}

export const defaultSettings: DeliverySettings = { timeZone: "UTC", quietHours: null, digest: "off" }

/** Where one notification goes, and when: email and push may wait for the end of quiet hours. */
export interface ChannelPlan {
  readonly inApp: boolean
  readonly email: Option.Option<DateTime.Utc>
  readonly push: Option.Option<DateTime.Utc>
}

const nothing: ChannelPlan = { inApp: false, email: Option.none(), push: Option.none() }

/** Minutes after local midnight at `now` in `timeZone`. */
const localMinutes = (now: DateTime.Utc, timeZone: string): number => {
  const zoned = DateTime.makeZonedUnsafe(now, { timeZone })
  return DateTime.getPart(zoned, "hour") * 60 + DateTime.getPart(zoned, "minute")
}

/**
 * When something sent at `now` may reach the user: `now`, or the end of their quiet hours when
 * `now` falls inside them (`end` before `start` spans midnight; `start` equal to `end` is no quiet).
 */
export const deliverAt = (now: DateTime.Utc, settings: DeliverySettings): DateTime.Utc => {
  const quiet = settings.quietHours
  if (quiet === null || quiet.start === quiet.end) return now
  const minutes = localMinutes(now, settings.timeZone)
  const inside =
    quiet.start < quiet.end
      ? minutes >= quiet.start && minutes < quiet.end
      : minutes >= quiet.start || minutes < quiet.end
  if (!inside) return now
  const wait = (quiet.end - minutes + 1440) % 1440
  const startOfMinute = DateTime.startOf(now, "minute")
  return DateTime.addDuration(startOfMinute, Duration.minutes(wait))
}

/**
 * The channels of one notification for one recipient: the kind's defaults, overridden by the
 * recipient's choices; nothing when its group is muted and the kind is group activity. Email is left
 * to the digest when the recipient chose one. Email and push that quiet hours would hold until
 * `notAfter` or later (a reminder of something that has started by then) are not sent at all.
 */
export const plan = (input: {
  readonly kind: AnyKind
  readonly settings: DeliverySettings
  readonly overrides: ReadonlyMap<DeliveryChannel, boolean>
  readonly groupMuted: boolean
  readonly now: DateTime.Utc
  readonly notAfter?: DateTime.Utc | null | undefined
}): ChannelPlan => {
  if (input.groupMuted && input.kind.mutedWithGroup) return nothing
  const enabled = (channel: DeliveryChannel, fallback: boolean) => input.overrides.get(channel) ?? fallback
  const at = deliverAt(input.now, input.settings)
  const timely = input.notAfter == null || DateTime.isLessThan(at, input.notAfter)
  return {
    inApp: enabled("inApp", true),
    email:
      timely && enabled("email", input.kind.defaults.email) && input.settings.digest === "off"
        ? Option.some(at)
        : Option.none(),
    push: timely && enabled("push", input.kind.defaults.push) ? Option.some(at) : Option.none()
  }
}

/** `HH:MM` to minutes after midnight, and back. */
export const TimeOfDay = {
  toMinutes: (value: string): number => {
    const [hours = "0", minutes = "0"] = value.split(":")
    return Number(hours) * 60 + Number(minutes)
  },
  fromMinutes: (value: number): string =>
    `${String(Math.floor(value / 60)).padStart(2, "0")}:${String(value % 60).padStart(2, "0")}`
}
