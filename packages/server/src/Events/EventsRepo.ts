import { UserId } from "@moim/domain/Accounts/User"
import { EventHostRole, EventId, EventStatus, RsvpStatus } from "@moim/domain/Events/Event"
import { GroupId } from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

export const EventRow = Schema.Struct({
  id: EventId,
  groupId: GroupId,
  creatorId: Schema.NullOr(UserId),
  title: Schema.String,
  description: Schema.String,
  locationName: Schema.NullOr(Schema.String),
  latitude: Schema.NullOr(Schema.Number),
  longitude: Schema.NullOr(Schema.Number),
  onlineUrl: Schema.NullOr(Schema.String),
  startLocal: Schema.String,
  endLocal: Schema.String,
  timeZone: Schema.String,
  startsAt: Schema.Date,
  endsAt: Schema.Date,
  allDay: Schema.Boolean,
  capacity: Schema.NullOr(Schema.Int),
  rsvpDeadline: Schema.NullOr(Schema.Date),
  status: EventStatus,
  cancelReason: Schema.NullOr(Schema.String),
  goingCount: Schema.Int,
  waitlistCount: Schema.Int,
  interestedCount: Schema.Int,
  version: Schema.Int,
  createdAt: Schema.Date,
  updatedAt: Schema.Date,
  recurrence: Schema.NullOr(Schema.String)
})
export type EventRow = typeof EventRow.Type

/** What hosts set on an event; the instants are computed from the wall-clock times and the zone. */
export interface EventFields {
  readonly title: string
  readonly description: string
  readonly locationName: string | null
  readonly latitude: number | null
  readonly longitude: number | null
  readonly onlineUrl: string | null
  readonly startLocal: string
  readonly endLocal: string
  readonly timeZone: string
  readonly startsAt: Date
  readonly endsAt: Date
  readonly allDay: boolean
  readonly capacity: number | null
  readonly rsvpDeadline: Date | null
  /** The series' rule as JSON text, or null for a single event. */
  readonly recurrence: string | null
  /** When the last occurrence ends. */
  readonly seriesEndsAt: Date
}

export const HostRow = Schema.Struct({ eventId: EventId, userId: UserId, role: EventHostRole })
export type HostRow = typeof HostRow.Type

export const RsvpRow = Schema.Struct({
  eventId: EventId,
  occurrence: Schema.String,
  userId: UserId,
  status: RsvpStatus,
  waitlisted: Schema.Boolean,
  position: Schema.NullOr(Schema.Int)
})
export type RsvpRow = typeof RsvpRow.Type

/** An occurrence that differs from its series; null times and unset place and capacity are the series'. */
export const OverrideRow = Schema.Struct({
  eventId: EventId,
  occurrenceStart: Schema.String,
  cancelled: Schema.Boolean,
  cancelReason: Schema.NullOr(Schema.String),
  startLocal: Schema.NullOr(Schema.String),
  endLocal: Schema.NullOr(Schema.String),
  startsAt: Schema.NullOr(Schema.Date),
  endsAt: Schema.NullOr(Schema.Date),
  locationSet: Schema.Boolean,
  locationName: Schema.NullOr(Schema.String),
  latitude: Schema.NullOr(Schema.Number),
  longitude: Schema.NullOr(Schema.Number),
  capacitySet: Schema.Boolean,
  capacity: Schema.NullOr(Schema.Int)
})
export type OverrideRow = typeof OverrideRow.Type

/** How many people are going, waiting and interested, for one occurrence. */
export const TallyRow = Schema.Struct({
  eventId: EventId,
  occurrence: Schema.String,
  going: Schema.Int,
  waiting: Schema.Int,
  interested: Schema.Int
})
export type TallyRow = typeof TallyRow.Type

export const AttendeeRow = Schema.Struct({ userId: UserId, respondedAt: Schema.Date, seq: Schema.String })
export type AttendeeRow = typeof AttendeeRow.Type

const decodeEvent = Rows.first(EventRow)
const decodeEvents = Rows.all(EventRow)
const decodeHosts = Rows.all(HostRow)
const decodeRsvp = Rows.first(RsvpRow)
const decodeRsvps = Rows.all(RsvpRow)
const decodeAttendees = Rows.all(AttendeeRow)
const decodeUsers = Rows.all(Schema.Struct({ userId: UserId }))
const decodeOverrides = Rows.all(OverrideRow)
const decodeTallies = Rows.all(TallyRow)

const overrideColumns = `event_id, occurrence_start, cancelled, cancel_reason, start_local, end_local, starts_at,
  ends_at, location_set, location_name, latitude, longitude, capacity_set, capacity`

const columns = `id, group_id, creator_id, title, description, location_name, latitude, longitude, online_url,
  start_local, end_local, time_zone, starts_at, ends_at, all_day, capacity, rsvp_deadline, status, cancel_reason,
  going_count, waitlist_count, interested_count, version, created_at, updated_at, recurrence`

/** The same columns, of `events e` in a join. */
const joinedColumns = columns
  .split(",")
  .map((column) => `e.${column.trim()}`)
  .join(", ")

const rsvpColumns = `r.event_id, r.occurrence, r.user_id, r.status, r.waitlisted,
  CASE WHEN r.waitlisted THEN (
    SELECT count(*)::int FROM event_rsvps w
    WHERE w.event_id = r.event_id AND w.occurrence = r.occurrence AND w.status = 'going' AND w.waitlisted
      AND w.seq <= r.seq
  ) END AS position`

/** Which events a list shows, by start then id. */
export interface ListQuery {
  readonly groupIds: ReadonlyArray<GroupId>
  /** Events (series) whose last occurrence ends after this instant. */
  readonly from: Date
  /** Events starting before this instant, if bounded. */
  readonly to: Date | null
  readonly limit: number
  readonly after: TimePosition | null
}

/** A page of the events that may start in `(from, to]`, by id. */
export interface ScanWindow {
  readonly from: Date
  readonly to: Date
  readonly after: EventId | null
  readonly limit: number
}

/** The `events`, `event_hosts` and `event_rsvps` tables. */
export class EventsRepo extends Context.Service<
  EventsRepo,
  {
    readonly insert: (
      event: EventFields & { readonly id: EventId; readonly groupId: GroupId; readonly creatorId: UserId }
    ) => Effect.Effect<EventRow>
    readonly find: (id: EventId) => Effect.Effect<Option.Option<EventRow>>
    readonly findMany: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<EventRow>>
    /** The event's row, locked until the transaction ends: every RSVP change of one event serialises on it. */
    readonly lock: (id: EventId) => Effect.Effect<Option.Option<EventRow>>
    readonly update: (id: EventId, event: EventFields) => Effect.Effect<EventRow>
    readonly cancel: (id: EventId, reason: string) => Effect.Effect<EventRow>
    /** Sets the event's edit version: the number of the history entry just appended (on the locked row). */
    readonly setVersion: (id: EventId, version: number) => Effect.Effect<void>
    /** Recounts a single event's going, waiting and interested people from its answers (on the locked row). */
    readonly recount: (id: EventId) => Effect.Effect<EventRow>
    /** Going, waiting and interested people per occurrence (only occurrences with answers have a row). */
    readonly tally: (
      eventIds: ReadonlyArray<EventId>,
      occurrences: ReadonlyArray<string> | null
    ) => Effect.Effect<ReadonlyArray<TallyRow>>
    readonly overrides: (eventIds: ReadonlyArray<EventId>) => Effect.Effect<ReadonlyArray<OverrideRow>>
    readonly setOverride: (override: OverrideRow) => Effect.Effect<void>
    /** Drops the overrides and answers of the occurrences a series no longer has (`''` is a single event's). */
    readonly prune: (eventId: EventId, keep: ReadonlyArray<string>) => Effect.Effect<void>
    /**
     * Gives occurrences' answers (and, `withChanges`, their changes) other keys: a series whose rule
     * or time changed, each occurrence keeping what was said of it; in two steps, so that keys may
     * trade places.
     */
    readonly remap: (
      eventId: EventId,
      moves: ReadonlyArray<{ readonly from: string; readonly to: string; readonly withChanges: boolean }>
    ) => Effect.Effect<void>
    /** Gives another key to an occurrence's answers (a single event becoming a series, or back). */
    readonly rekey: (eventId: EventId, from: string, to: string) => Effect.Effect<void>
    /** Moves the overrides and answers of the occurrences from `from` on to another event (a split series). */
    readonly moveFollowing: (eventId: EventId, from: string, to: EventId) => Effect.Effect<void>
    readonly addHost: (eventId: EventId, userId: UserId, role: typeof EventHostRole.Type) => Effect.Effect<void>
    readonly removeCoHost: (eventId: EventId, userId: UserId) => Effect.Effect<void>
    readonly hosts: (eventIds: ReadonlyArray<EventId>) => Effect.Effect<ReadonlyArray<HostRow>>
    readonly rsvp: (eventId: EventId, occurrence: string, userId: UserId) => Effect.Effect<Option.Option<RsvpRow>>
    /** One person's answers to a page of events (every occurrence), with their waitlist positions. */
    readonly rsvpsOf: (userId: UserId, eventIds: ReadonlyArray<EventId>) => Effect.Effect<ReadonlyArray<RsvpRow>>
    /**
     * Sets an answer. `arrived` takes a new place in arrival order (someone becoming `going`);
     * otherwise the person keeps theirs.
     */
    readonly answer: (answer: {
      readonly eventId: EventId
      readonly occurrence: string
      readonly userId: UserId
      readonly status: RsvpStatus
      readonly waitlisted: boolean
      readonly arrived: boolean
    }) => Effect.Effect<void>
    /** Seats the first `count` people waiting for an occurrence, in arrival order; returns who. */
    readonly promote: (eventId: EventId, occurrence: string, count: number) => Effect.Effect<ReadonlyArray<UserId>>
    readonly list: (query: ListQuery) => Effect.Effect<ReadonlyArray<EventRow>>
    /** People going (seated or waiting) to one occurrence, or with null to any of the event's. */
    readonly goingTo: (eventId: EventId, occurrence: string | null) => Effect.Effect<ReadonlyArray<UserId>>
    /** Events not yet over that the user is going to, waiting for, or interested in. */
    readonly answeredBy: (options: {
      readonly userId: UserId
      readonly from: Date
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<EventRow>>
    /** Scheduled single events starting in `(from, to]`, by id after `after`: for reminders. */
    readonly singlesStarting: (window: ScanWindow) => Effect.Effect<ReadonlyArray<EventRow>>
    /**
     * Scheduled series that may have an occurrence starting in `(from, to]` (their span overlaps it,
     * or an occurrence was moved into it), by id after `after`: for reminders.
     */
    readonly seriesAround: (window: ScanWindow) => Effect.Effect<ReadonlyArray<EventRow>>
    /** People with a seat, in arrival order. */
    readonly attendees: (options: {
      readonly eventId: EventId
      readonly limit: number
      readonly afterSeq: string | null
    }) => Effect.Effect<ReadonlyArray<AttendeeRow>>
  }
>()("@moim/server/Events/EventsRepo") {
  static readonly layer = Layer.effect(
    EventsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)
      const rsvpSelected = sql.literal(rsvpColumns)
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

      const single = (rows: ReadonlyArray<unknown>) =>
        Effect.flatMap(decodeEvent(rows), (row) =>
          row._tag === "Some" ? Effect.succeed(row.value) : Effect.die(new Error("An event just written is missing"))
        )

      return EventsRepo.of({
        insert: Effect.fn("EventsRepo.insert")(function* (event) {
          return yield* sql`
            INSERT INTO events (id, group_id, creator_id, title, description, location_name, latitude, longitude,
              online_url, start_local, end_local, time_zone, starts_at, ends_at, all_day, capacity, rsvp_deadline,
              recurrence, series_ends_at, created_at, updated_at)
            VALUES (${event.id}, ${event.groupId}, ${event.creatorId}, ${event.title}, ${event.description},
              ${event.locationName}, ${event.latitude}, ${event.longitude}, ${event.onlineUrl}, ${event.startLocal},
              ${event.endLocal}, ${event.timeZone}, ${event.startsAt}, ${event.endsAt}, ${event.allDay},
              ${event.capacity}, ${event.rsvpDeadline}, ${event.recurrence}, ${event.seriesEndsAt}, now(), now())
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        find: Effect.fn("EventsRepo.find")(function* (id) {
          return yield* sql`SELECT ${selected} FROM events WHERE id = ${id}`.pipe(Effect.flatMap(decodeEvent))
        }, Effect.orDie),

        findMany: Effect.fn("EventsRepo.findMany")(function* (ids) {
          const valid = ids.filter((id) => uuid.test(id))
          if (valid.length === 0) return []
          return yield* sql`SELECT ${selected} FROM events WHERE id = ANY(${valid}::uuid[])`.pipe(
            Effect.flatMap(decodeEvents)
          )
        }, Effect.orDie),

        lock: Effect.fn("EventsRepo.lock")(function* (id) {
          return yield* sql`SELECT ${selected} FROM events WHERE id = ${id} FOR UPDATE`.pipe(
            Effect.flatMap(decodeEvent)
          )
        }, Effect.orDie),

        update: Effect.fn("EventsRepo.update")(function* (id, event) {
          return yield* sql`
            UPDATE events SET title = ${event.title}, description = ${event.description},
              location_name = ${event.locationName}, latitude = ${event.latitude}, longitude = ${event.longitude},
              online_url = ${event.onlineUrl}, start_local = ${event.startLocal}, end_local = ${event.endLocal},
              time_zone = ${event.timeZone}, starts_at = ${event.startsAt}, ends_at = ${event.endsAt},
              all_day = ${event.allDay}, capacity = ${event.capacity}, rsvp_deadline = ${event.rsvpDeadline},
              recurrence = ${event.recurrence}, series_ends_at = ${event.seriesEndsAt}, updated_at = now()
            WHERE id = ${id}
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        cancel: Effect.fn("EventsRepo.cancel")(function* (id, reason) {
          return yield* sql`
            UPDATE events SET status = 'cancelled', cancel_reason = ${reason}, updated_at = now()
            WHERE id = ${id}
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        setVersion: Effect.fn("EventsRepo.setVersion")(function* (id, version) {
          yield* sql`UPDATE events SET version = ${version} WHERE id = ${id}`
        }, Effect.orDie),

        recount: Effect.fn("EventsRepo.recount")(function* (id) {
          return yield* sql`
            UPDATE events SET
              going_count = (SELECT count(*)::int FROM event_rsvps
                WHERE event_id = ${id} AND occurrence = '' AND status = 'going' AND NOT waitlisted),
              waitlist_count = (SELECT count(*)::int FROM event_rsvps
                WHERE event_id = ${id} AND occurrence = '' AND status = 'going' AND waitlisted),
              interested_count = (SELECT count(*)::int FROM event_rsvps
                WHERE event_id = ${id} AND occurrence = '' AND status = 'interested')
            WHERE id = ${id}
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        tally: Effect.fn("EventsRepo.tally")(function* (eventIds, occurrences) {
          if (eventIds.length === 0) return []
          return yield* sql`
            SELECT event_id, occurrence,
              (count(*) FILTER (WHERE status = 'going' AND NOT waitlisted))::int AS going,
              (count(*) FILTER (WHERE status = 'going' AND waitlisted))::int AS waiting,
              (count(*) FILTER (WHERE status = 'interested'))::int AS interested
            FROM event_rsvps
            WHERE event_id = ANY(${[...eventIds]}::uuid[])
              AND ${occurrences === null ? sql`true` : sql`occurrence = ANY(${[...occurrences]}::text[])`}
            GROUP BY event_id, occurrence`.pipe(Effect.flatMap(decodeTallies))
        }, Effect.orDie),

        overrides: Effect.fn("EventsRepo.overrides")(function* (eventIds) {
          if (eventIds.length === 0) return []
          return yield* sql`
            SELECT ${sql.literal(overrideColumns)} FROM event_occurrences
            WHERE event_id = ANY(${[...eventIds]}::uuid[])
            ORDER BY event_id, occurrence_start`.pipe(Effect.flatMap(decodeOverrides))
        }, Effect.orDie),

        setOverride: Effect.fn("EventsRepo.setOverride")(function* (o) {
          yield* sql`
            INSERT INTO event_occurrences (event_id, occurrence_start, cancelled, cancel_reason, start_local, end_local,
              starts_at, ends_at, location_set, location_name, latitude, longitude, capacity_set, capacity, updated_at)
            VALUES (${o.eventId}, ${o.occurrenceStart}, ${o.cancelled}, ${o.cancelReason}, ${o.startLocal},
              ${o.endLocal}, ${o.startsAt}, ${o.endsAt}, ${o.locationSet}, ${o.locationName}, ${o.latitude},
              ${o.longitude}, ${o.capacitySet}, ${o.capacity}, now())
            ON CONFLICT (event_id, occurrence_start) DO UPDATE SET
              cancelled = EXCLUDED.cancelled, cancel_reason = EXCLUDED.cancel_reason,
              start_local = EXCLUDED.start_local, end_local = EXCLUDED.end_local,
              starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
              location_set = EXCLUDED.location_set, location_name = EXCLUDED.location_name,
              latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
              capacity_set = EXCLUDED.capacity_set, capacity = EXCLUDED.capacity, updated_at = now()`
        }, Effect.orDie),

        prune: Effect.fn("EventsRepo.prune")(function* (eventId, keep) {
          yield* sql`
            DELETE FROM event_occurrences
            WHERE event_id = ${eventId} AND NOT (occurrence_start = ANY(${[...keep]}::text[]))`
          yield* sql`
            DELETE FROM event_rsvps WHERE event_id = ${eventId} AND NOT (occurrence = ANY(${[...keep]}::text[]))`
        }, Effect.orDie),

        remap: Effect.fn("EventsRepo.remap")(function* (eventId, moves) {
          for (const table of ["event_rsvps", "event_occurrences"] as const) {
            const moved = table === "event_rsvps" ? moves : moves.filter((move) => move.withChanges)
            if (moved.length === 0) continue
            const from = moved.map((move) => move.from)
            const to = moved.map((move) => `~${move.to}`)
            const column = sql.literal(table === "event_rsvps" ? "occurrence" : "occurrence_start")
            const target = sql.literal(table)
            yield* sql`
              UPDATE ${target} AS t SET ${column} = moved.next
              FROM unnest(${from}::text[], ${to}::text[]) AS moved (previous, next)
              WHERE t.event_id = ${eventId} AND t.${column} = moved.previous`
            yield* sql`
              UPDATE ${target} SET ${column} = substr(${column}, 2)
              WHERE event_id = ${eventId} AND ${column} LIKE '~%'`
          }
        }, Effect.orDie),

        rekey: Effect.fn("EventsRepo.rekey")(function* (eventId, from, to) {
          yield* sql`UPDATE event_rsvps SET occurrence = ${to} WHERE event_id = ${eventId} AND occurrence = ${from}`
        }, Effect.orDie),

        moveFollowing: Effect.fn("EventsRepo.moveFollowing")(function* (eventId, from, to) {
          yield* sql`
            UPDATE event_occurrences SET event_id = ${to} WHERE event_id = ${eventId} AND occurrence_start >= ${from}`
          yield* sql`UPDATE event_rsvps SET event_id = ${to} WHERE event_id = ${eventId} AND occurrence >= ${from}`
        }, Effect.orDie),

        addHost: Effect.fn("EventsRepo.addHost")(function* (eventId, userId, role) {
          yield* sql`
            INSERT INTO event_hosts (event_id, user_id, role, added_at) VALUES (${eventId}, ${userId}, ${role}, now())
            ON CONFLICT (event_id, user_id) DO NOTHING`
        }, Effect.orDie),

        removeCoHost: Effect.fn("EventsRepo.removeCoHost")(function* (eventId, userId) {
          yield* sql`DELETE FROM event_hosts WHERE event_id = ${eventId} AND user_id = ${userId} AND role = 'cohost'`
        }, Effect.orDie),

        hosts: Effect.fn("EventsRepo.hosts")(function* (eventIds) {
          if (eventIds.length === 0) return []
          return yield* sql`
            SELECT event_id, user_id, role FROM event_hosts WHERE event_id = ANY(${[...eventIds]}::uuid[])
            ORDER BY role DESC, added_at, user_id`.pipe(Effect.flatMap(decodeHosts))
        }, Effect.orDie),

        rsvp: Effect.fn("EventsRepo.rsvp")(function* (eventId, occurrence, userId) {
          return yield* sql`
            SELECT ${rsvpSelected} FROM event_rsvps r
            WHERE r.event_id = ${eventId} AND r.occurrence = ${occurrence} AND r.user_id = ${userId}`.pipe(
            Effect.flatMap(decodeRsvp)
          )
        }, Effect.orDie),

        rsvpsOf: Effect.fn("EventsRepo.rsvpsOf")(function* (userId, eventIds) {
          if (eventIds.length === 0) return []
          return yield* sql`
            SELECT ${rsvpSelected} FROM event_rsvps r
            WHERE r.user_id = ${userId} AND r.event_id = ANY(${[...eventIds]}::uuid[])`.pipe(
            Effect.flatMap(decodeRsvps)
          )
        }, Effect.orDie),

        answer: Effect.fn("EventsRepo.answer")(function* (answer) {
          yield* sql`
            INSERT INTO event_rsvps (event_id, occurrence, user_id, status, waitlisted, seq, responded_at)
            VALUES (${answer.eventId}, ${answer.occurrence}, ${answer.userId}, ${answer.status}, ${answer.waitlisted},
              nextval('event_rsvps_seq'), clock_timestamp())
            ON CONFLICT (event_id, occurrence, user_id) DO UPDATE SET
              status = EXCLUDED.status,
              waitlisted = EXCLUDED.waitlisted,
              seq = CASE WHEN ${answer.arrived} THEN EXCLUDED.seq ELSE event_rsvps.seq END,
              responded_at = EXCLUDED.responded_at`
        }, Effect.orDie),

        promote: Effect.fn("EventsRepo.promote")(function* (eventId, occurrence, count) {
          if (count <= 0) return []
          const rows = yield* sql`
            UPDATE event_rsvps SET waitlisted = false
            WHERE event_id = ${eventId} AND occurrence = ${occurrence} AND user_id IN (
              SELECT user_id FROM event_rsvps
              WHERE event_id = ${eventId} AND occurrence = ${occurrence} AND status = 'going' AND waitlisted
              ORDER BY seq
              LIMIT ${count})
            RETURNING user_id`.pipe(Effect.flatMap(decodeUsers))
          return rows.map((row) => row.userId)
        }, Effect.orDie),

        goingTo: Effect.fn("EventsRepo.goingTo")(function* (eventId, occurrence) {
          const rows = yield* sql`
            SELECT DISTINCT user_id FROM event_rsvps
            WHERE event_id = ${eventId} AND status = 'going'
              AND ${occurrence === null ? sql`true` : sql`occurrence = ${occurrence}`}
            ORDER BY user_id`.pipe(Effect.flatMap(decodeUsers))
          return rows.map((row) => row.userId)
        }, Effect.orDie),

        list: Effect.fn("EventsRepo.list")(function* (query) {
          if (query.groupIds.length === 0) return []
          const after = query.after
          return yield* sql`
            SELECT ${selected} FROM events
            WHERE group_id = ANY(${[...query.groupIds]}::uuid[])
              AND COALESCE(series_ends_at, ends_at) > ${query.from}
              AND ${query.to === null ? sql`true` : sql`starts_at < ${query.to}`}
              AND ${after === null ? sql`true` : sql`(starts_at, id) > (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY starts_at, id
            LIMIT ${query.limit}`.pipe(Effect.flatMap(decodeEvents))
        }, Effect.orDie),

        answeredBy: Effect.fn("EventsRepo.answeredBy")(function* (options) {
          const after = options.after
          return yield* sql`
            SELECT ${sql.literal(joinedColumns)} FROM events e
            WHERE EXISTS (
                SELECT 1 FROM event_rsvps r
                WHERE r.event_id = e.id AND r.user_id = ${options.userId} AND r.status IN ('going', 'interested'))
              AND COALESCE(e.series_ends_at, e.ends_at) > ${options.from}
              AND ${after === null ? sql`true` : sql`(e.starts_at, e.id) > (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY e.starts_at, e.id
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeEvents))
        }, Effect.orDie),

        singlesStarting: Effect.fn("EventsRepo.singlesStarting")(function* (window) {
          return yield* sql`
            SELECT ${selected} FROM events
            WHERE status = 'scheduled' AND recurrence IS NULL
              AND starts_at > ${window.from} AND starts_at <= ${window.to}
              AND ${window.after === null ? sql`true` : sql`id > ${window.after}`}
            ORDER BY id
            LIMIT ${window.limit}`.pipe(Effect.flatMap(decodeEvents))
        }, Effect.orDie),

        seriesAround: Effect.fn("EventsRepo.seriesAround")(function* (window) {
          return yield* sql`
            SELECT ${selected} FROM events
            WHERE status = 'scheduled' AND recurrence IS NOT NULL
              AND ${window.after === null ? sql`true` : sql`id > ${window.after}`}
              AND (
                (COALESCE(series_ends_at, ends_at) > ${window.from} AND starts_at <= ${window.to})
                OR id IN (
                  SELECT event_id FROM event_occurrences
                  WHERE starts_at > ${window.from} AND starts_at <= ${window.to} AND NOT cancelled))
            ORDER BY id
            LIMIT ${window.limit}`.pipe(Effect.flatMap(decodeEvents))
        }, Effect.orDie),

        attendees: Effect.fn("EventsRepo.attendees")(function* (options) {
          return yield* sql`
            SELECT user_id, responded_at, seq::text AS seq FROM event_rsvps
            WHERE event_id = ${options.eventId} AND occurrence = '' AND status = 'going' AND NOT waitlisted
              AND ${options.afterSeq === null ? sql`true` : sql`seq > ${options.afterSeq}::bigint`}
            ORDER BY seq
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeAttendees))
        }, Effect.orDie)
      })
    })
  )
}
