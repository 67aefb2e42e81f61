import type { UserId } from "@moim/domain/Accounts/User"
import { type EventId, RecurrenceRule } from "@moim/domain/Events/Event"
import { EventReminderNotification } from "@moim/domain/Events/EventNotifications"
import { type ReminderOffset, reminderOffsets } from "@moim/domain/Events/EventReminders"
import { Context, DateTime, Effect, Layer, Schema } from "effect"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { Notifications } from "../Notifications/Notifications.ts"
import { Preferences } from "../Notifications/Preferences.ts"
import { Transaction } from "../platform/Transaction.ts"
import { EventRemindersRepo, type ReminderKey } from "./EventRemindersRepo.ts"
import { type EventRow, EventsRepo, type OverrideRow } from "./EventsRepo.ts"
import * as Recurrence from "./Recurrence.ts"

/** How long after its time a reminder may still go out (a worker that was down catches up). */
export const reminderGraceMinutes = 15
/** Events read per query, and people reminded per transaction: one run never loads more at once. */
const eventsPerPage = 100
const peoplePerPage = 500
/** Reminders are forgotten a day after the start they announced (see `EventRemindersRepo.claim`). */
const keepSentMillis = 86_400_000
const purgePerRun = 1000

const minuteMillis = 60_000
const longestOffset = Math.max(...reminderOffsets)
const decodeRule = Schema.decodeSync(Schema.fromJsonString(RecurrenceRule))

/** One reminder due now: an occurrence as it stands, and the offset it is reminded at. */
interface Due {
  readonly row: EventRow
  readonly key: ReminderKey
  /** The occurrence's key in a series; null for a single event. */
  readonly occurrenceStart: string | null
  readonly start: string
  readonly location: { readonly name: string; readonly latitude?: number; readonly longitude?: number } | null
}

/** The starts a reminder with `offset` is due for at `now`: `(now + offset - grace, now + offset]`, after now. */
const windowOf = (now: number, offset: number) => ({
  from: new Date(Math.max(now, now + (offset - reminderGraceMinutes) * minuteMillis)),
  to: new Date(now + offset * minuteMillis)
})

const within = (window: { readonly from: Date; readonly to: Date }, at: Date) =>
  at.getTime() > window.from.getTime() && at.getTime() <= window.to.getTime()

const locationOf = (name: string | null, latitude: number | null, longitude: number | null) =>
  name === null
    ? null
    : { name, ...(latitude === null ? {} : { latitude }), ...(longitude === null ? {} : { longitude }) }

/**
 * The reminders of one event due at `now` with the given offsets: its occurrences as they stand
 * (overrides applied, cancelled ones left out) whose start is in an offset's window.
 */
const dueOf = (
  row: EventRow,
  overrides: ReadonlyArray<OverrideRow>,
  now: number,
  offsets: ReadonlyArray<ReminderOffset>
): ReadonlyArray<Due> => {
  const series = row.recurrence !== null
  const overrideOf = new Map(overrides.map((entry) => [entry.occurrenceStart, entry] as const))
  const bases =
    row.recurrence === null
      ? [{ occurrenceStart: row.startLocal, start: row.startLocal, startsAt: row.startsAt }]
      : Recurrence.occurrences(
          { ...row, recurrence: decodeRule(row.recurrence) },
          { from: new Date(now), to: new Date(now + longestOffset * minuteMillis) }
        )
  const standing = new Map<string, { readonly start: string; readonly startsAt: Date }>()
  for (const base of bases) standing.set(base.occurrenceStart, base)
  // A moved occurrence is where its override puts it, however far from the rule's time.
  for (const entry of series ? overrides : []) {
    if (entry.startLocal !== null && entry.startsAt !== null) {
      standing.set(entry.occurrenceStart, { start: entry.startLocal, startsAt: entry.startsAt })
    }
  }
  return [...standing].flatMap(([occurrenceStart, occurrence]) => {
    const override = series ? overrideOf.get(occurrenceStart) : undefined
    if (override?.cancelled === true) return []
    return offsets
      .filter((offset) => within(windowOf(now, offset), occurrence.startsAt))
      .map(
        (offset): Due => ({
          row,
          key: { eventId: row.id, occurrence: series ? occurrenceStart : "", offset, startsAt: occurrence.startsAt },
          occurrenceStart: series ? occurrenceStart : null,
          start: occurrence.start,
          location:
            override?.locationSet === true
              ? locationOf(override.locationName, override.latitude, override.longitude)
              : locationOf(row.locationName, row.latitude, row.longitude)
        })
      )
  })
}

/**
 * Reminders before the occurrences people are going to (run by the worker's every-minute cron). A
 * reminder with offset `o` of an occurrence starting at `S` is due while `S - o <= now < S - o +
 * grace` and `now < S`, to each person with a seat (not those waiting) whose `eventReminders`
 * include `o` and who may still see the event's group. The scan reads the occurrences as they stand,
 * so a moved one is reminded at its new time and a cancelled one never. Each reminder is claimed in
 * `event_reminders_sent` in the transaction that delivers it: sent once, however many workers run.
 */
export class EventReminders extends Context.Service<
  EventReminders,
  {
    /** Sends every reminder due now (`DateTime.now`); returns how many people were reminded. */
    readonly sendDue: Effect.Effect<number>
  }
>()("@moim/server/Events/EventReminders") {
  static readonly layer = Layer.effect(
    EventReminders,
    Effect.gen(function* () {
      const events = yield* EventsRepo
      const reminders = yield* EventRemindersRepo
      const preferences = yield* Preferences
      const notifications = yield* Notifications
      const access = yield* GroupAccess
      const transaction = yield* Transaction.make

      /** Those among `users` who may see the group (everyone, when it is public). */
      const seeing = Effect.fn("EventReminders.seeing")(function* (row: EventRow, users: ReadonlyArray<UserId>) {
        const open = yield* access.view(row.groupId, null).pipe(
          Effect.as(true),
          Effect.orElseSucceed(() => false)
        )
        if (open) return users
        const checked = yield* Effect.forEach(
          users,
          (userId) =>
            access.view(row.groupId, { userId, siteRole: "user" }).pipe(
              Effect.as(userId),
              Effect.orElseSucceed(() => null)
            ),
          { concurrency: 8 }
        )
        return checked.filter((userId) => userId !== null)
      })

      /** Reminds the people still to be reminded of one due reminder, a page per transaction. */
      const remind = Effect.fn("EventReminders.remind")(function* (due: Due, now: Date) {
        const { row, key } = due
        const data = {
          eventId: row.id,
          title: row.title,
          occurrenceStart: due.occurrenceStart,
          startsAt: DateTime.fromDateUnsafe(key.startsAt),
          start: due.start,
          timeZone: row.timeZone,
          location: due.location,
          onlineUrl: row.onlineUrl,
          minutesBefore: key.offset
        }
        let sent = 0
        let after: UserId | null = null
        while (true) {
          const page: ReadonlyArray<UserId> = yield* reminders.unreminded(key, after, peoplePerPage)
          if (page.length === 0) break
          const chosen = yield* preferences.eventRemindersOf(page)
          const wanting = page.filter((userId) => chosen.get(userId)?.includes(key.offset) === true)
          const recipients = wanting.length === 0 ? [] : yield* seeing(row, wanting)
          if (recipients.length > 0) {
            sent += yield* transaction(
              Effect.gen(function* () {
                const fresh = yield* reminders.claim(key, recipients, now, reminderGraceMinutes)
                if (fresh.length === 0) return 0
                yield* notifications.deliver({
                  eventId: `event-reminder:${key.eventId}:${key.occurrence}:${key.offset}:${key.startsAt.toISOString()}`,
                  kind: EventReminderNotification,
                  data,
                  recipients: fresh,
                  actorId: null,
                  subjectId: row.id,
                  groupId: row.groupId,
                  notAfter: DateTime.fromDateUnsafe(key.startsAt)
                })
                return fresh.length
              })
            )
          }
          if (page.length < peoplePerPage) break
          after = page[page.length - 1] ?? null
        }
        return sent
      })

      /** Every page of events `read` finds, each event's due reminders sent. */
      const scan = Effect.fn("EventReminders.scan")(function* (
        read: (after: EventId | null) => Effect.Effect<ReadonlyArray<EventRow>>,
        now: number,
        offsets: ReadonlyArray<ReminderOffset>
      ) {
        let sent = 0
        let after: EventId | null = null
        while (true) {
          const rows: ReadonlyArray<EventRow> = yield* read(after)
          const series = rows.filter((row) => row.recurrence !== null).map((row) => row.id)
          const overrides = yield* events.overrides(series)
          for (const row of rows) {
            const own = overrides.filter((entry) => entry.eventId === row.id)
            for (const due of dueOf(row, own, now, offsets)) sent += yield* remind(due, new Date(now))
          }
          if (rows.length < eventsPerPage) break
          after = rows[rows.length - 1]?.id ?? null
        }
        return sent
      })

      return EventReminders.of({
        sendDue: Effect.gen(function* () {
          const now = DateTime.toEpochMillis(yield* DateTime.now)
          let sent = 0
          // Single events, by their start, one window per offset.
          for (const offset of reminderOffsets) {
            const window = windowOf(now, offset)
            sent += yield* scan((after) => events.singlesStarting({ ...window, after, limit: eventsPerPage }), now, [
              offset
            ])
          }
          // Series, by their span, once for every offset: each is expanded once per run.
          const span = { from: new Date(now), to: new Date(now + longestOffset * minuteMillis) }
          sent += yield* scan(
            (after) => events.seriesAround({ ...span, after, limit: eventsPerPage }),
            now,
            reminderOffsets
          )
          yield* reminders.purge(new Date(now - keepSentMillis), purgePerRun)
          return sent
        }).pipe(Effect.withSpan("EventReminders.sendDue"))
      })
    })
  )
}
