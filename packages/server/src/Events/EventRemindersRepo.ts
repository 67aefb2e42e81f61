import { UserId } from "@moim/domain/Accounts/User"
import type { EventId } from "@moim/domain/Events/Event"
import type { ReminderOffset } from "@moim/domain/Events/EventReminders"
import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

/** One reminder of one occurrence: `occurrence` is its key (`''` for a single event), `startsAt` its start now. */
export interface ReminderKey {
  readonly eventId: EventId
  readonly occurrence: string
  readonly offset: ReminderOffset
  readonly startsAt: Date
}

const decodeUsers = Rows.all(Schema.Struct({ userId: UserId }))

/**
 * The `event_reminders_sent` table: which reminders went out, for which start. It reads the answers
 * (`event_rsvps`) beside it, to find who is still to be reminded in one query.
 */
export class EventRemindersRepo extends Context.Service<
  EventRemindersRepo,
  {
    /**
     * People with a seat at the occurrence (seated `going`, not waiting) not yet reminded with this
     * offset of this start, by id after `after`.
     */
    readonly unreminded: (key: ReminderKey, after: UserId | null, limit: number) => Effect.Effect<ReadonlyArray<UserId>>
    /**
     * Claims the reminder for these people, returning those it was not sent to before: not at all,
     * or for a start that moved so far that the last one went out before this start's reminder was
     * due (`startsAt - offset - grace`). Under concurrent claims one wins; the others wait for its
     * transaction and get nothing.
     */
    readonly claim: (
      key: ReminderKey,
      users: ReadonlyArray<UserId>,
      sentAt: Date,
      graceMinutes: number
    ) => Effect.Effect<ReadonlyArray<UserId>>
    /** Forgets at most `limit` reminders of starts before `before`; returns how many. */
    readonly purge: (before: Date, limit: number) => Effect.Effect<number>
  }
>()("@moim/server/Events/EventRemindersRepo") {
  static readonly layer = Layer.effect(
    EventRemindersRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient

      return EventRemindersRepo.of({
        unreminded: Effect.fn("EventRemindersRepo.unreminded")(function* (key, after, limit) {
          const rows = yield* sql`
            SELECT r.user_id FROM event_rsvps r
            WHERE r.event_id = ${key.eventId} AND r.occurrence = ${key.occurrence}
              AND r.status = 'going' AND NOT r.waitlisted
              AND ${after === null ? sql`true` : sql`r.user_id > ${after}`}
              AND NOT EXISTS (
                SELECT 1 FROM event_reminders_sent s
                WHERE s.event_id = r.event_id AND s.occurrence = r.occurrence AND s.user_id = r.user_id
                  AND s.offset_minutes = ${key.offset} AND s.starts_at = ${key.startsAt})
            ORDER BY r.user_id
            LIMIT ${limit}`.pipe(Effect.flatMap(decodeUsers))
          return rows.map((row) => row.userId)
        }, Effect.orDie),

        claim: Effect.fn("EventRemindersRepo.claim")(function* (key, users, sentAt, graceMinutes) {
          if (users.length === 0) return []
          const rows = yield* sql`
            INSERT INTO event_reminders_sent (event_id, occurrence, user_id, offset_minutes, starts_at, sent_at)
            SELECT ${key.eventId}, ${key.occurrence}, u.id, ${key.offset}, ${key.startsAt}, ${sentAt}
            FROM unnest(${[...users]}::uuid[]) AS u (id)
            ON CONFLICT (event_id, occurrence, user_id, offset_minutes) DO UPDATE
              SET starts_at = EXCLUDED.starts_at, sent_at = EXCLUDED.sent_at
              WHERE event_reminders_sent.starts_at <> EXCLUDED.starts_at
                AND event_reminders_sent.sent_at
                  < EXCLUDED.starts_at - make_interval(mins => ${key.offset + graceMinutes})
            RETURNING user_id`.pipe(Effect.flatMap(decodeUsers))
          return rows.map((row) => row.userId)
        }, Effect.orDie),

        purge: Effect.fn("EventRemindersRepo.purge")(function* (before, limit) {
          const rows = yield* sql`
            DELETE FROM event_reminders_sent
            WHERE (event_id, occurrence, user_id, offset_minutes) IN (
              SELECT event_id, occurrence, user_id, offset_minutes FROM event_reminders_sent
              WHERE starts_at < ${before}
              LIMIT ${limit})
            RETURNING user_id`.pipe(Effect.flatMap(decodeUsers))
          return rows.length
        }, Effect.orDie)
      })
    })
  )
}
