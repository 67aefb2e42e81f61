import type { UserId } from "@moim/domain/Accounts/User"
import {
  Attendee,
  CoHostNotMember,
  Event,
  EventCancelled,
  EventId,
  EventLocation,
  EventNotFound,
  EventOccurrence,
  EventOccurrences,
  InvalidCalendarRange,
  InvalidEditScope,
  InvalidEventTime,
  type InvalidRecurrence,
  OccurrenceNotFound,
  OccurrenceRsvp,
  RecurrenceRule,
  Rsvp,
  RsvpClosed,
  type RsvpStatus
} from "@moim/domain/Events/Event"
import type { CreateEventPayload, UpdateEventPayload } from "@moim/domain/Events/EventsApi"
import {
  EventFieldChange,
  EventVersion,
  type EventVersionAction,
  EventVersionDiff,
  type EventVersionId,
  EventVersionNotFound
} from "@moim/domain/Events/EventVersion"
import type { GroupId, GroupNotFound } from "@moim/domain/Groups/Group"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser, CurrentViewer } from "@moim/domain/Kit/Authentication"
import type { PreconditionFailed } from "@moim/domain/Kit/ConditionalRequests"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SecureRandom } from "effect/crypto"
import { ActivityLog } from "../Access/ActivityLog.ts"
import { Actor } from "../Access/Actor.ts"
import { requireVersion } from "../Access/Preconditions.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { noStanding, type Standing } from "../Groups/MembershipsRepo.ts"
import { Cursors, type Page, type PageQuery, PositionField, TimePosition } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { EventEvents } from "./EventNotifier.ts"
import { EventPolicy, type EventStanding } from "./EventPolicy.ts"
import { EventStream } from "./EventStream.ts"
import {
  type EventFields,
  type EventRow,
  EventsRepo,
  type OverrideRow,
  type RsvpRow,
  type TallyRow
} from "./EventsRepo.ts"
import { EventVersionsRepo } from "./EventVersionsRepo.ts"
import { toInstant } from "./LocalTime.ts"
import * as Recurrence from "./Recurrence.ts"
import { RsvpChanges } from "./RsvpChanges.ts"

type SignedIn = CurrentUser["Service"]
type Viewer = CurrentViewer["Service"]
type RangeQuery = PageQuery & { readonly from?: DateTime.Utc | undefined; readonly to?: DateTime.Utc | undefined }

const maxRangeDays = 92
const dayMillis = 86_400_000
const notFound = new EventNotFound({ message: "No such event" })
const viewerActor = (viewer: Viewer): Actor => Option.match(viewer, { onNone: () => null, onSome: Actor.of })
const SeqPosition = Schema.Struct({ seq: PositionField.number })
const RuleJson = Schema.fromJsonString(RecurrenceRule)
const decodeRule = Schema.decodeSync(RuleJson)
const encodeRule = Schema.encodeSync(RuleJson)
const ruleOf = (row: EventRow) => (row.recurrence === null ? null : decodeRule(row.recurrence))
/** The occurrences the rule gives (a single event's one), keyed by their local start. */
const baseOf = (row: EventRow) => Recurrence.occurrences({ ...row, recurrence: ruleOf(row) })

/**
 * Which occurrence of a changed series each earlier occurrence becomes. On the same day (its time
 * changed), it keeps its answers and its changes (a cancellation, a move, its own place); on
 * another day, when both series have as many occurrences (the series moved to other days), the one
 * in the same place keeps its answers only: a cancellation was about a day. Occurrences the new
 * series still has keep their key; a key two earlier occurrences would both take goes to neither.
 */
export const remapping = (
  before: ReadonlyArray<string>,
  after: ReadonlyArray<string>
): ReadonlyArray<{ readonly from: string; readonly to: string; readonly withChanges: boolean }> => {
  const kept = new Set(after)
  const byDay = new Map<string, string>()
  for (const key of after) if (!byDay.has(key.slice(0, 10))) byDay.set(key.slice(0, 10), key)
  const moves = before.flatMap((from, index) => {
    if (kept.has(from)) return []
    const sameDay = byDay.get(from.slice(0, 10))
    if (sameDay !== undefined) return [{ from, to: sameDay, withChanges: true }]
    const samePlace = before.length === after.length ? after[index] : undefined
    return samePlace === undefined ? [] : [{ from, to: samePlace, withChanges: false }]
  })
  const staying = new Set(before.filter((key) => kept.has(key)))
  const taken = new Map<string, number>()
  for (const move of moves) taken.set(move.to, (taken.get(move.to) ?? 0) + 1)
  return moves.filter((move) => taken.get(move.to) === 1 && !staying.has(move.to))
}
/** The key of an occurrence's answers: its local start in a series, `''` for a single event. */
const keyOf = (row: EventRow, occurrence: string) => (row.recurrence === null ? "" : occurrence)
const noOccurrence = new OccurrenceNotFound({ message: "The event has no occurrence starting then" })
const occurrenceCancelled = new EventCancelled({ message: "The occurrence is cancelled" })

/** An event's fields as a version keeps them (what a restore writes back), with its status. */
const Snapshot = Schema.Struct({
  title: Schema.String,
  description: Schema.String,
  location: Schema.NullOr(EventLocation),
  onlineUrl: Schema.NullOr(Schema.String),
  start: Schema.String,
  end: Schema.String,
  timeZone: Schema.String,
  allDay: Schema.Boolean,
  capacity: Schema.NullOr(Schema.Int),
  rsvpDeadline: Schema.NullOr(Schema.String),
  recurrence: Schema.NullOr(RecurrenceRule),
  status: Schema.String,
  cancelReason: Schema.NullOr(Schema.String)
})
type Snapshot = typeof Snapshot.Type
const SnapshotJson = Schema.fromJsonString(Snapshot)
const encodeSnapshot = Schema.encodeSync(SnapshotJson)
const decodeSnapshot = Schema.decodeSync(SnapshotJson)
const ChangesJson = Schema.fromJsonString(Schema.Array(EventFieldChange))
const encodeChanges = Schema.encodeSync(ChangesJson)
const decodeChanges = Schema.decodeSync(ChangesJson)
type Change = typeof EventFieldChange.Type
const VersionPosition = Schema.Struct({ number: PositionField.number })
/** The fields whose change people going are told of, as `time` and `place`. */
const timeFields: ReadonlySet<string> = new Set(["start", "end", "timeZone", "allDay"])
const placeFields: ReadonlySet<string> = new Set(["location", "onlineUrl"])
const versionNotFound = new EventVersionNotFound({ message: "The event has no such version" })

const snapshotOf = (row: EventRow): Snapshot => ({
  title: row.title,
  description: row.description,
  location: locationOf(row.locationName, row.latitude, row.longitude),
  onlineUrl: row.onlineUrl,
  start: row.startLocal,
  end: row.endLocal,
  timeZone: row.timeZone,
  allDay: row.allDay,
  capacity: row.capacity,
  rsvpDeadline: row.rsvpDeadline === null ? null : row.rsvpDeadline.toISOString(),
  recurrence: ruleOf(row),
  status: row.status,
  cancelReason: row.cancelReason
})

/** A value as a change shows it: JSON text, null when absent. */
const jsonOf = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value))

/** The fields that differ between two states (`before` null: everything set is new). */
const diff = (
  before: Readonly<Record<string, unknown>> | null,
  after: Readonly<Record<string, unknown>>,
  prefix = ""
): Array<Change> =>
  Object.keys(after).flatMap((field) => {
    const was = before === null ? null : jsonOf(before[field])
    const now = jsonOf(after[field])
    return was === now ? [] : [{ field: `${prefix}${field}`, before: was, after: now }]
  })

/** An occurrence's own changes, as a version shows them. */
const overrideState = (override: OverrideRow | undefined) => ({
  status: override?.cancelled === true ? "cancelled" : "scheduled",
  cancelReason: override?.cancelReason ?? null,
  start: override?.startLocal ?? null,
  end: override?.endLocal ?? null,
  location:
    override?.locationSet === true ? locationOf(override.locationName, override.latitude, override.longitude) : null,
  capacity: override?.capacitySet === true ? override.capacity : null
})

const locationOf = (name: string | null, latitude: number | null, longitude: number | null) =>
  name === null
    ? null
    : {
        name,
        ...(latitude === null ? {} : { latitude }),
        ...(longitude === null ? {} : { longitude })
      }

const blankOverride = (eventId: EventId, occurrenceStart: string): OverrideRow => ({
  eventId,
  occurrenceStart,
  cancelled: false,
  cancelReason: null,
  startLocal: null,
  endLocal: null,
  startsAt: null,
  endsAt: null,
  locationSet: false,
  locationName: null,
  latitude: null,
  longitude: null,
  capacitySet: false,
  capacity: null
})

/** One occurrence as it stands: the rule's, with its override, its counts and the viewer's answer. */
const occurrenceView = (
  row: EventRow,
  base: Recurrence.Occurrence,
  override: OverrideRow | undefined,
  tally: TallyRow | undefined,
  answer: RsvpRow | undefined
) => {
  const cancelled = row.status === "cancelled" || override?.cancelled === true
  return new EventOccurrence({
    eventId: row.id,
    occurrenceStart: base.occurrenceStart,
    start: override?.startLocal ?? base.start,
    end: override?.endLocal ?? base.end,
    startsAt: DateTime.fromDateUnsafe(override?.startsAt ?? base.startsAt),
    endsAt: DateTime.fromDateUnsafe(override?.endsAt ?? base.endsAt),
    status: cancelled ? "cancelled" : "scheduled",
    cancelReason: row.status === "cancelled" ? row.cancelReason : (override?.cancelReason ?? null),
    location:
      override?.locationSet === true
        ? locationOf(override.locationName, override.latitude, override.longitude)
        : locationOf(row.locationName, row.latitude, row.longitude),
    capacity: override?.capacitySet === true ? override.capacity : row.capacity,
    changed: override !== undefined,
    goingCount: tally?.going ?? 0,
    waitlistCount: tally?.waiting ?? 0,
    interestedCount: tally?.interested ?? 0,
    viewer: {
      rsvp: answer?.status ?? null,
      waitlisted: answer?.waitlisted ?? false,
      waitlistPosition: answer?.position ?? null
    }
  })
}

/** An event's row and where the actor stands with it. */
interface Seen {
  readonly row: EventRow
  readonly standing: EventStanding
}

/**
 * A group's events: writing them (hosts, co-hosts, the group's admins), answering them (members),
 * and the lists and calendars. Everything about who may see an event is its group's
 * (`GroupAccess`): an event of a group the actor may not see does not exist for them. RSVPs of one
 * event serialise on its locked row, so seats, the waitlist's order and the counts stay exact under
 * concurrent answers; a seat freed (someone leaves `going`, the capacity grows) goes to the first
 * person waiting, who is told by a `NotifyEventPromoted` job enqueued in the same transaction.
 */
export class Events extends Context.Service<
  Events,
  {
    readonly create: (
      user: SignedIn,
      groupId: GroupId,
      input: typeof CreateEventPayload.Type
    ) => Effect.Effect<Event, GroupNotFound | Forbidden | InvalidEventTime | InvalidRecurrence>
    readonly get: (viewer: Viewer, id: EventId) => Effect.Effect<Event, EventNotFound>
    readonly update: (
      user: SignedIn,
      id: EventId,
      input: typeof UpdateEventPayload.Type,
      /** The edit version the caller saw; a different current one fails with `PreconditionFailed`. */
      expectedVersion?: number
    ) => Effect.Effect<
      Event,
      | PreconditionFailed
      | EventNotFound
      | OccurrenceNotFound
      | Forbidden
      | InvalidEventTime
      | InvalidRecurrence
      | InvalidEditScope
      | EventCancelled
    >
    readonly cancel: (
      user: SignedIn,
      id: EventId,
      reason: string
    ) => Effect.Effect<Event, EventNotFound | Forbidden | EventCancelled>
    readonly addCoHost: (
      user: SignedIn,
      id: EventId,
      userId: UserId
    ) => Effect.Effect<Event, EventNotFound | Forbidden | CoHostNotMember>
    readonly removeCoHost: (
      user: SignedIn,
      id: EventId,
      userId: UserId
    ) => Effect.Effect<Event, EventNotFound | Forbidden>
    readonly rsvp: (
      user: SignedIn,
      id: EventId,
      status: RsvpStatus
    ) => Effect.Effect<Rsvp, EventNotFound | OccurrenceNotFound | Forbidden | EventCancelled | RsvpClosed>
    readonly attendees: (
      viewer: Viewer,
      id: EventId,
      query: PageQuery
    ) => Effect.Effect<Page<Attendee>, EventNotFound | InvalidCursor>
    readonly listInGroup: (
      viewer: Viewer,
      groupId: GroupId,
      query: RangeQuery
    ) => Effect.Effect<Page<Event>, GroupNotFound | InvalidCursor | InvalidCalendarRange>
    readonly occurrences: (
      viewer: Viewer,
      id: EventId,
      range: { readonly from: DateTime.Utc; readonly to: DateTime.Utc }
    ) => Effect.Effect<EventOccurrences, EventNotFound | InvalidCalendarRange>
    readonly cancelOccurrence: (
      user: SignedIn,
      id: EventId,
      occurrence: string,
      reason: string
    ) => Effect.Effect<EventOccurrence, EventNotFound | OccurrenceNotFound | Forbidden | EventCancelled>
    readonly rsvpOccurrence: (
      user: SignedIn,
      id: EventId,
      occurrence: string,
      status: RsvpStatus
    ) => Effect.Effect<OccurrenceRsvp, EventNotFound | OccurrenceNotFound | Forbidden | EventCancelled | RsvpClosed>
    readonly calendar: (
      user: SignedIn,
      query: PageQuery & { readonly from: DateTime.Utc; readonly to: DateTime.Utc }
    ) => Effect.Effect<Page<Event>, InvalidCursor | InvalidCalendarRange>
    readonly listMine: (user: SignedIn, query: PageQuery) => Effect.Effect<Page<Event>, InvalidCursor>
    /** The event's versions, oldest first (those who may edit it). */
    readonly versions: (
      user: SignedIn,
      id: EventId,
      query: PageQuery
    ) => Effect.Effect<Page<EventVersion>, EventNotFound | Forbidden | InvalidCursor>
    /** The event's fields that differ between the states two versions left. */
    readonly diffVersions: (
      user: SignedIn,
      id: EventId,
      from: EventVersionId,
      to: EventVersionId
    ) => Effect.Effect<EventVersionDiff, EventNotFound | EventVersionNotFound | Forbidden>
    /** The event's fields become those a version left, as a new version. */
    readonly restore: (
      user: SignedIn,
      id: EventId,
      versionId: EventVersionId
    ) => Effect.Effect<
      Event,
      EventNotFound | EventVersionNotFound | Forbidden | EventCancelled | InvalidEventTime | InvalidRecurrence
    >
    /** Those among `ids` that are events the viewer may see (for notifications about events). */
    readonly visible: (viewer: NonNullable<Actor>, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlySet<string>>
    /** The events among `ids` the viewer may see, as they see them, by id (for suggestions). */
    readonly getMany: (
      viewer: NonNullable<Actor>,
      ids: ReadonlyArray<string>
    ) => Effect.Effect<ReadonlyMap<string, Event>>
  }
>()("@moim/server/Events/Events") {
  static readonly layer = Layer.effect(
    Events,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const activity = yield* ActivityLog
      const repo = yield* EventsRepo
      const access = yield* GroupAccess
      const profiles = yield* Profiles
      const cursors = yield* Cursors
      const recordPromoted = yield* EventEvents.make
      const versions = yield* EventVersionsRepo
      const recordChanged = yield* EventEvents.changed
      const stream = yield* EventStream.make
      const rsvpChanges = yield* RsvpChanges

      /**
       * Tells the people going when a change moves the event (or an occurrence) in time or place, or
       * cancels it; a title or description change tells nobody.
       */
      const tellGoing = (actorId: UserId, eventId: EventId, changes: ReadonlyArray<Change>) => {
        const occurrence = changes
          .map((change) => /^occurrences\.([^.]+)\./.exec(change.field)?.[1])
          .find((key) => key !== undefined)
        const named = changes.map((change) => ({ ...change, name: change.field.split(".").at(-1) ?? change.field }))
        const cancelled = named.some((change) => change.name === "status" && change.after === '"cancelled"')
        const reasonText = named.find((change) => change.name === "cancelReason")?.after ?? null
        const reason: unknown = reasonText === null ? null : JSON.parse(reasonText)
        const fields = [
          ...(named.some((change) => timeFields.has(change.name)) ? ["time"] : []),
          ...(named.some((change) => placeFields.has(change.name)) ? ["place"] : [])
        ]
        if (!cancelled && fields.length === 0) return Effect.void
        return recordChanged({
          eventId,
          actorId,
          occurrence: occurrence ?? null,
          cancelled,
          reason: typeof reason === "string" ? reason : null,
          fields
        })
      }

      /** Records a version of the event (on its locked row): what changed, and the fields it left. */
      const record = (
        actorId: UserId,
        action: EventVersionAction,
        after: EventRow,
        changes: ReadonlyArray<Change>,
        restoredFrom: number | null = null
      ) =>
        Effect.andThen(
          Effect.flatMap(
            versions.append({
              eventId: after.id,
              action,
              actorId,
              changes: encodeChanges(changes),
              snapshot: encodeSnapshot(snapshotOf(after)),
              restoredFrom
            }),
            (number) => repo.setVersion(after.id, number)
          ),
          action === "created"
            ? Effect.void
            : Effect.andThen(stream.updated(after.id, action), tellGoing(actorId, after.id, changes))
        )

      const rowChanges = (before: EventRow | null, after: EventRow) =>
        diff(before === null ? null : snapshotOf(before), snapshotOf(after))

      const coHostsOf = (id: EventId) =>
        Effect.map(repo.hosts([id]), (hosts) =>
          hosts
            .filter((host) => host.role === "cohost")
            .map((host) => host.userId)
            .sort()
        )

      /**
       * The occurrences of some events that `keep` keeps (by their times after overrides), as the
       * actor sees them, by event.
       */
      const occurrencesOf = Effect.fn("Events.occurrencesOf")(function* (
        actor: Actor,
        rows: ReadonlyArray<EventRow>,
        keep: (occurrence: { readonly startsAt: Date; readonly endsAt: Date; readonly key: string }) => boolean
      ) {
        const ids = rows.map((row) => row.id)
        const overrides = yield* repo.overrides(ids)
        const tallies = yield* repo.tally(ids, null)
        const answers = actor === null ? [] : yield* repo.rsvpsOf(actor.userId, ids)
        const overrideOf = new Map(overrides.map((entry) => [`${entry.eventId}/${entry.occurrenceStart}`, entry]))
        const tallyOf = new Map(tallies.map((entry) => [`${entry.eventId}/${entry.occurrence}`, entry]))
        const answerOf = new Map(answers.map((entry) => [`${entry.eventId}/${entry.occurrence}`, entry]))
        return new Map(
          rows.map((row) => [
            row.id,
            baseOf(row).flatMap((base) => {
              const override = overrideOf.get(`${row.id}/${base.occurrenceStart}`)
              const key = `${row.id}/${keyOf(row, base.occurrenceStart)}`
              const startsAt = override?.startsAt ?? base.startsAt
              const endsAt = override?.endsAt ?? base.endsAt
              return keep({ startsAt, endsAt, key: base.occurrenceStart })
                ? [occurrenceView(row, base, override, tallyOf.get(key), answerOf.get(key))]
                : []
            })
          ])
        )
      })

      const overlapping = (from: Date, to: Date) => (occurrence: { readonly startsAt: Date; readonly endsAt: Date }) =>
        occurrence.endsAt.getTime() > from.getTime() && occurrence.startsAt.getTime() < to.getTime()

      /** One occurrence of an event, as the actor sees it. */
      const oneOccurrence = (actor: Actor, row: EventRow, occurrence: string) =>
        Effect.flatMap(
          occurrencesOf(actor, [row], (entry) => entry.key === occurrence),
          (found) => {
            const view = found.get(row.id)?.[0]
            return view === undefined ? Effect.fail(noOccurrence) : Effect.succeed(view)
          }
        )

      /**
       * Many events at once, for one actor: hosts and their profiles, the actor's answers; with a
       * range, each event's occurrences in it.
       */
      const show = Effect.fn("Events.show")(function* (
        actor: Actor,
        rows: ReadonlyArray<EventRow>,
        groups: ReadonlyMap<GroupId, Standing>,
        range?: { readonly from: Date; readonly to: Date }
      ) {
        const ids = rows.map((row) => row.id)
        const hosts = yield* repo.hosts(ids)
        const people = yield* profiles.getMany(hosts.map((host) => host.userId))
        const answers = actor === null ? [] : yield* repo.rsvpsOf(actor.userId, ids)
        const answerOf = new Map(
          answers.filter((answer) => answer.occurrence === "").map((answer) => [answer.eventId, answer])
        )
        const inRange =
          range === undefined ? undefined : yield* occurrencesOf(actor, rows, overlapping(range.from, range.to))
        return rows.map((row) => {
          const own = hosts.filter((host) => host.eventId === row.id)
          const host = actor === null ? undefined : own.find((entry) => entry.userId === actor.userId)
          const answer = answerOf.get(row.id)
          const recurrence = ruleOf(row)
          const standing: EventStanding = {
            actor,
            group: groups.get(row.groupId) ?? noStanding,
            host: host?.role ?? null
          }
          return new Event({
            id: row.id,
            groupId: row.groupId,
            title: row.title,
            description: row.description,
            location:
              row.locationName === null
                ? null
                : {
                    name: row.locationName,
                    ...(row.latitude === null ? {} : { latitude: row.latitude }),
                    ...(row.longitude === null ? {} : { longitude: row.longitude })
                  },
            onlineUrl: row.onlineUrl,
            start: row.startLocal,
            end: row.endLocal,
            timeZone: row.timeZone,
            startsAt: DateTime.fromDateUnsafe(row.startsAt),
            endsAt: DateTime.fromDateUnsafe(row.endsAt),
            allDay: row.allDay,
            recurrence,
            rrule: recurrence === null ? null : Recurrence.rruleText(recurrence, row.timeZone),
            capacity: row.capacity,
            rsvpDeadline: row.rsvpDeadline === null ? null : DateTime.fromDateUnsafe(row.rsvpDeadline),
            status: row.status,
            cancelReason: row.cancelReason,
            hosts: own.flatMap((entry) => {
              const user = people.get(entry.userId)
              return user === undefined ? [] : [{ user, role: entry.role }]
            }),
            goingCount: row.goingCount,
            waitlistCount: row.waitlistCount,
            interestedCount: row.interestedCount,
            version: row.version,
            createdAt: DateTime.fromDateUnsafe(row.createdAt),
            viewer: {
              rsvp: answer?.status ?? null,
              waitlisted: answer?.waitlisted ?? false,
              waitlistPosition: answer?.position ?? null,
              canEdit: actor !== null && EventPolicy.canEdit(standing)
            },
            ...(inRange === undefined ? {} : { occurrences: inRange.get(row.id) ?? [] })
          })
        })
      })

      const showOne = (seen: Seen) =>
        Effect.flatMap(
          show(seen.standing.actor, [seen.row], new Map([[seen.row.groupId, seen.standing.group]])),
          ([event]) =>
            event === undefined ? Effect.die(new Error("An event just read was not shown")) : Effect.succeed(event)
        )

      const standingOf = Effect.fn("Events.standingOf")(function* (actor: Actor, row: EventRow) {
        const { standing } = yield* access
          .view(row.groupId, actor)
          .pipe(Effect.catchTag("GroupNotFound", () => Effect.fail(notFound)))
        const host =
          actor === null ? undefined : (yield* repo.hosts([row.id])).find((entry) => entry.userId === actor.userId)
        return { actor, group: standing, host: host?.role ?? null } satisfies EventStanding
      })

      /** The event, if the actor may see its group; `lock` inside a transaction. */
      const see = Effect.fn("Events.see")(function* (actor: Actor, id: EventId, lock = false) {
        const row = yield* lock ? repo.lock(id) : repo.find(id)
        if (Option.isNone(row)) return yield* notFound
        return { row: row.value, standing: yield* standingOf(actor, row.value) } satisfies Seen
      })

      /**
       * The event as a change inside the transaction left it, with the edit version its history now
       * ends at: the row a change returns was written before the change was recorded.
       */
      const withVersion = (seen: Seen) =>
        Effect.map(repo.find(seen.row.id), (found) =>
          Option.match(found, {
            onNone: () => seen,
            onSome: (row) => ({ ...seen, row: { ...seen.row, version: row.version } }) satisfies Seen
          })
        )

      const requireEditor = (seen: Seen) =>
        EventPolicy.canEdit(seen.standing)
          ? Effect.void
          : Effect.fail(new Forbidden({ message: "Only the event's hosts and the group's admins may change it" }))

      const requireHostManager = (seen: Seen) =>
        EventPolicy.canManageHosts(seen.standing)
          ? Effect.void
          : Effect.fail(new Forbidden({ message: "Only the event's host and the group's admins manage co-hosts" }))

      /** The fields as hosts set them, checked together: the end after the start, both coordinates or neither. */
      const fields = Effect.fn("Events.fields")(function* (input: {
        readonly title: string
        readonly description: string
        readonly location: {
          readonly name: string
          readonly latitude?: number | undefined
          readonly longitude?: number | undefined
        } | null
        readonly onlineUrl: string | null
        readonly start: string
        readonly end: string
        readonly timeZone: string
        readonly allDay: boolean
        readonly capacity: number | null
        readonly rsvpDeadline: DateTime.Utc | null
        readonly recurrence: RecurrenceRule | null
      }) {
        const startsAt = toInstant(input.start, input.timeZone)
        const endsAt = toInstant(input.end, input.timeZone)
        if (endsAt.getTime() <= startsAt.getTime()) {
          return yield* new InvalidEventTime({ message: "The end must be after the start" })
        }
        const latitude = input.location?.latitude ?? null
        const longitude = input.location?.longitude ?? null
        if ((latitude === null) !== (longitude === null)) {
          return yield* new InvalidEventTime({ message: "Give both latitude and longitude, or neither" })
        }
        if (input.recurrence !== null) yield* Recurrence.check(input.recurrence, input.start)
        const all = Recurrence.occurrences({
          startLocal: input.start,
          endLocal: input.end,
          timeZone: input.timeZone,
          recurrence: input.recurrence
        })
        const last = all[all.length - 1]
        return {
          title: input.title,
          description: input.description,
          locationName: input.location?.name ?? null,
          latitude,
          longitude,
          onlineUrl: input.onlineUrl,
          startLocal: input.start,
          endLocal: input.end,
          timeZone: input.timeZone,
          startsAt,
          endsAt,
          allDay: input.allDay,
          capacity: input.capacity,
          rsvpDeadline: input.rsvpDeadline === null ? null : DateTime.toDateUtc(input.rsvpDeadline),
          recurrence: input.recurrence === null ? null : encodeRule(input.recurrence),
          seriesEndsAt: last === undefined || last.endsAt.getTime() < endsAt.getTime() ? endsAt : last.endsAt
        } satisfies EventFields
      })

      /** Seats people waiting while there are free seats; they are told. */
      const fillSeats = Effect.fn("Events.fillSeats")(function* (row: EventRow) {
        const free = row.capacity === null ? row.waitlistCount : row.capacity - row.goingCount
        const promoted = yield* repo.promote(row.id, "", Math.min(free, row.waitlistCount))
        if (promoted.length === 0) return row
        yield* recordPromoted(row.id, promoted)
        return yield* repo.recount(row.id)
      })

      /** The same for one occurrence of a series, with its own capacity (on the event's locked row). */
      const fillOccurrence = Effect.fn("Events.fillOccurrence")(function* (
        row: EventRow,
        key: string,
        capacity: number | null
      ) {
        const [tally] = yield* repo.tally([row.id], [key])
        const waiting = tally?.waiting ?? 0
        const free = capacity === null ? waiting : capacity - (tally?.going ?? 0)
        const promoted = yield* repo.promote(row.id, key, Math.min(free, waiting))
        if (promoted.length > 0) yield* recordPromoted(row.id, promoted)
      })

      /** Every occurrence of a series with people waiting gets the seats its capacity now allows. */
      const fillSeries = Effect.fn("Events.fillSeries")(function* (row: EventRow) {
        const overrides = new Map((yield* repo.overrides([row.id])).map((entry) => [entry.occurrenceStart, entry]))
        for (const tally of yield* repo.tally([row.id], null)) {
          if (tally.waiting === 0 || tally.occurrence === "") continue
          const override = overrides.get(tally.occurrence)
          yield* fillOccurrence(
            row,
            tally.occurrence,
            override?.capacitySet === true ? override.capacity : row.capacity
          )
        }
      })

      /**
       * Sets someone's answer for one occurrence (key `''`: a single event), on the event's locked row:
       * `going` beyond `capacity` waits; leaving a seat gives it to the first person waiting. When the
       * counts change, the event's topic is told them (not who answered).
       */
      const answerIn = Effect.fn("Events.answerIn")(function* (
        row: EventRow,
        key: string,
        capacity: number | null,
        userId: UserId,
        status: RsvpStatus
      ) {
        const before = Option.getOrUndefined(yield* repo.rsvp(row.id, key, userId))
        const [was] = yield* repo.tally([row.id], [key])
        if (before?.status !== status) {
          const seated = capacity === null || (was?.going ?? 0) < capacity
          yield* repo.answer({
            eventId: row.id,
            occurrence: key,
            userId,
            status,
            waitlisted: status === "going" && !seated,
            arrived: status === "going"
          })
        }
        if (before?.status !== status) yield* rsvpChanges.answered(row.id, userId)
        if (before?.status === "going" && !before.waitlisted) yield* fillOccurrence(row, key, capacity)
        const [now] = yield* repo.tally([row.id], [key])
        const counts = {
          goingCount: now?.going ?? 0,
          waitlistCount: now?.waiting ?? 0,
          interestedCount: now?.interested ?? 0
        }
        if (
          counts.goingCount !== (was?.going ?? 0) ||
          counts.waitlistCount !== (was?.waiting ?? 0) ||
          counts.interestedCount !== (was?.interested ?? 0)
        ) {
          yield* stream.rsvps({ eventId: row.id, occurrenceStart: key === "" ? null : key, ...counts })
        }
        const updated = key === "" ? yield* repo.recount(row.id) : row
        return { row: updated, answer: Option.getOrUndefined(yield* repo.rsvp(row.id, key, userId)) }
      })

      /** The rule's occurrence starting at `occurrence` (local), and its override if it has one. */
      const occurrenceIn = Effect.fn("Events.occurrenceIn")(function* (row: EventRow, occurrence: string) {
        const base = baseOf(row).find((entry) => entry.occurrenceStart === occurrence)
        if (base === undefined) return yield* noOccurrence
        const override =
          row.recurrence === null
            ? undefined
            : (yield* repo.overrides([row.id])).find((entry) => entry.occurrenceStart === occurrence)
        return { base, override }
      })

      /** After a change of the series: answers follow a single event becoming a series (or back); the rest is dropped. */
      const reconcile = Effect.fn("Events.reconcile")(function* (before: EventRow, after: EventRow) {
        if (before.recurrence !== null && after.recurrence !== null) {
          yield* repo.remap(
            after.id,
            remapping(
              baseOf(before).map((entry) => entry.occurrenceStart),
              baseOf(after).map((entry) => entry.occurrenceStart)
            )
          )
        }
        if (before.recurrence === null && after.recurrence !== null) yield* repo.rekey(after.id, "", after.startLocal)
        if (before.recurrence !== null && after.recurrence === null) {
          yield* repo.rekey(after.id, before.startLocal, "")
        }
        yield* repo.prune(
          after.id,
          after.recurrence === null ? [""] : baseOf(after).map((entry) => entry.occurrenceStart)
        )
      })

      /** A row's fields as the input of `fields`. */
      const inputOf = (row: EventRow) => ({
        title: row.title,
        description: row.description,
        location: locationOf(row.locationName, row.latitude, row.longitude),
        onlineUrl: row.onlineUrl,
        start: row.startLocal,
        end: row.endLocal,
        timeZone: row.timeZone,
        allDay: row.allDay,
        capacity: row.capacity,
        rsvpDeadline: row.rsvpDeadline === null ? null : DateTime.fromDateUnsafe(row.rsvpDeadline),
        recurrence: ruleOf(row)
      })

      /** The input's changes over the row's fields (null clears). */
      const merged = (row: EventRow, input: typeof UpdateEventPayload.Type) => {
        const current = inputOf(row)
        return {
          title: input.title ?? current.title,
          description: input.description ?? current.description,
          location: input.location === undefined ? current.location : input.location,
          onlineUrl: input.onlineUrl === undefined ? current.onlineUrl : input.onlineUrl,
          start: input.start ?? current.start,
          end: input.end ?? current.end,
          timeZone: input.timeZone ?? current.timeZone,
          allDay: input.allDay ?? current.allDay,
          capacity: input.capacity === undefined ? current.capacity : input.capacity,
          rsvpDeadline: input.rsvpDeadline === undefined ? current.rsvpDeadline : input.rsvpDeadline,
          recurrence: input.recurrence === undefined ? current.recurrence : input.recurrence
        }
      }

      /** `all`: the series (or the single event) changes; occurrences it no longer has lose their changes and answers. */
      const updateAll = Effect.fn("Events.updateAll")(function* (
        user: SignedIn,
        current: Seen,
        input: typeof UpdateEventPayload.Type,
        restoredFrom: number | null = null
      ) {
        const row = current.row
        const next = yield* fields(merged(row, input))
        const written = yield* repo.update(row.id, next)
        const changes = rowChanges(row, written)
        if (restoredFrom !== null || changes.length > 0) {
          yield* record(user.userId, restoredFrom === null ? "updated" : "restored", written, changes, restoredFrom)
        }
        yield* reconcile(row, written)
        const counted = yield* repo.recount(row.id)
        if (counted.recurrence !== null) yield* fillSeries(counted)
        return { row: yield* fillSeats(counted), standing: current.standing } satisfies Seen
      })

      /** `this`: one occurrence's time, place or capacity, as an override. */
      const updateThis = Effect.fn("Events.updateThis")(function* (
        user: SignedIn,
        current: Seen,
        occurrence: string,
        input: typeof UpdateEventPayload.Type
      ) {
        const row = current.row
        const others = [
          input.title,
          input.description,
          input.onlineUrl,
          input.timeZone,
          input.allDay,
          input.rsvpDeadline,
          input.recurrence
        ]
        if (others.some((value) => value !== undefined)) {
          return yield* new InvalidEditScope({
            message: "`this` changes only `start`, `end`, `location` and `capacity`"
          })
        }
        const { base, override } = yield* occurrenceIn(row, occurrence)
        const was = override ?? blankOverride(row.id, occurrence)
        const start = input.start ?? was.startLocal ?? base.start
        const end = input.end ?? was.endLocal ?? base.end
        const startsAt = toInstant(start, row.timeZone)
        const endsAt = toInstant(end, row.timeZone)
        if (endsAt.getTime() <= startsAt.getTime()) {
          return yield* new InvalidEventTime({ message: "The end must be after the start" })
        }
        const location = input.location === undefined ? undefined : input.location
        if (location != null && (location.latitude === undefined) !== (location.longitude === undefined)) {
          return yield* new InvalidEventTime({ message: "Give both latitude and longitude, or neither" })
        }
        const moved = start !== base.start || end !== base.end
        const next: OverrideRow = {
          ...was,
          startLocal: moved ? start : null,
          endLocal: moved ? end : null,
          startsAt: moved ? startsAt : null,
          endsAt: moved ? endsAt : null,
          ...(location === undefined
            ? {}
            : {
                locationSet: true,
                locationName: location?.name ?? null,
                latitude: location?.latitude ?? null,
                longitude: location?.longitude ?? null
              }),
          ...(input.capacity === undefined ? {} : { capacitySet: true, capacity: input.capacity })
        }
        yield* repo.setOverride(next)
        yield* record(
          user.userId,
          "occurrence_changed",
          row,
          diff(overrideState(override), overrideState(next), `occurrences.${occurrence}.`)
        )
        if (input.capacity !== undefined) {
          yield* fillOccurrence(row, occurrence, next.capacitySet ? next.capacity : row.capacity)
        }
        return current
      })

      /**
       * `thisAndFollowing`: the series ends before the occurrence, and a new series (the change
       * applied) starts with it, taking over the later occurrences' changes and answers.
       */
      const updateFollowing = Effect.fn("Events.updateFollowing")(function* (
        user: SignedIn,
        current: Seen,
        occurrence: string,
        input: typeof UpdateEventPayload.Type
      ) {
        const row = current.row
        const all = baseOf(row)
        const index = all.findIndex((entry) => entry.occurrenceStart === occurrence)
        const base = all[index]
        const previous = all[index - 1]
        const rule = ruleOf(row)
        if (base === undefined || rule === null) return yield* noOccurrence
        if (previous === undefined) return yield* updateAll(user, current, input)
        const { count, until, ...shape } = rule
        const earlier = yield* fields({ ...inputOf(row), recurrence: { ...shape, until: previous.occurrenceStart } })
        const later = yield* fields({
          ...merged(row, input),
          start: input.start ?? base.start,
          end: input.end ?? base.end,
          recurrence:
            input.recurrence === undefined
              ? count === undefined
                ? { ...shape, until }
                : { ...shape, count: count - index }
              : input.recurrence
        })
        const id = EventId.make(SecureRandom.uuidV7Unsafe())
        const inserted = yield* repo.insert({
          ...later,
          id,
          groupId: row.groupId,
          creatorId: row.creatorId ?? user.userId
        })
        for (const host of yield* repo.hosts([row.id])) yield* repo.addHost(id, host.userId, host.role)
        const ended = yield* repo.update(row.id, earlier)
        yield* record(user.userId, "created", inserted, rowChanges(null, inserted))
        yield* record(user.userId, "updated", ended, rowChanges(row, ended))
        yield* repo.moveFollowing(row.id, occurrence, id)
        // The answers and changes moved over follow their occurrences to the new series' keys.
        yield* repo.remap(
          id,
          remapping(
            all.slice(index).map((entry) => entry.occurrenceStart),
            baseOf(inserted).map((entry) => entry.occurrenceStart)
          )
        )
        yield* reconcile(row, ended)
        yield* reconcile(inserted, inserted)
        yield* fillSeries(inserted)
        // Those going to the occurrences the new series took over hear of its change of time or
        // place, as against the occurrence it starts with (the rule's own change is not one).
        yield* tellGoing(
          user.userId,
          id,
          diff(
            { ...snapshotOf(row), start: base.start, end: base.end, recurrence: null },
            { ...snapshotOf(inserted), recurrence: null }
          )
        )
        return { row: inserted, standing: current.standing } satisfies Seen
      })

      const checkRange = (from: DateTime.Utc, to: DateTime.Utc) => {
        const span = DateTime.toEpochMillis(to) - DateTime.toEpochMillis(from)
        return span <= 0 || span > maxRangeDays * dayMillis
          ? Effect.fail(
              new InvalidCalendarRange({ message: `\`to\` must be after \`from\`, at most ${maxRangeDays} days later` })
            )
          : Effect.void
      }

      const page = Effect.fn("Events.page")(function* (
        actor: Actor,
        scope: string,
        rows: ReadonlyArray<EventRow>,
        limit: number,
        groups: ReadonlyMap<GroupId, Standing>,
        range?: { readonly from: Date; readonly to: Date }
      ) {
        const paged = cursors.page(
          scope,
          rows,
          limit,
          (row) => row,
          (row) => ({ at: row.startsAt.toISOString(), id: row.id })
        )
        return { items: yield* show(actor, paged.items, groups, range), nextCursor: paged.nextCursor }
      })

      /** Answers are open: the event is not cancelled, its deadline has not passed. */
      const requireOpen = Effect.fn("Events.requireOpen")(function* (row: EventRow) {
        if (row.status === "cancelled") return yield* new EventCancelled({ message: "The event is cancelled" })
        const now = yield* DateTime.now
        if (row.rsvpDeadline !== null && DateTime.toEpochMillis(now) > row.rsvpDeadline.getTime()) {
          return yield* new RsvpClosed({ message: "The RSVP deadline has passed" })
        }
      })

      const rsvpAnswer = (row: RsvpRow | undefined, event: Event) =>
        new Rsvp({
          eventId: event.id,
          status: row?.status ?? "not_going",
          waitlisted: row?.waitlisted ?? false,
          waitlistPosition: row?.position ?? null,
          event
        })

      /** Adds or removes a co-host as someone who manages hosts, recording the change as a version. */
      const changeCoHosts = <E>(
        user: SignedIn,
        id: EventId,
        action: "cohost_added" | "cohost_removed",
        change: (current: Effect.Success<ReturnType<typeof see>>) => Effect.Effect<void, E>
      ) =>
        Effect.gen(function* () {
          const seen = yield* transaction(
            Effect.gen(function* () {
              const current = yield* see(Actor.of(user), id, true)
              yield* requireHostManager(current)
              const before = yield* coHostsOf(id)
              yield* change(current)
              const changes = diff({ cohosts: before }, { cohosts: yield* coHostsOf(id) })
              if (changes.length > 0) yield* record(user.userId, action, current.row, changes)
              return yield* withVersion(current)
            })
          )
          return yield* showOne(seen)
        })

      return Events.of({
        create: Effect.fn("Events.create")(function* (user, groupId, input) {
          const actor = Actor.of(user)
          const { standing } = yield* access.check(groupId, actor, "createEvents")
          const event = yield* fields({
            title: input.title,
            description: input.description ?? "",
            location: input.location ?? null,
            onlineUrl: input.onlineUrl ?? null,
            start: input.start,
            end: input.end,
            timeZone: input.timeZone,
            allDay: input.allDay ?? false,
            capacity: input.capacity ?? null,
            rsvpDeadline: input.rsvpDeadline ?? null,
            recurrence: input.recurrence ?? null
          })
          const id = EventId.make(SecureRandom.uuidV7Unsafe())
          const row = yield* transaction(
            Effect.gen(function* () {
              const inserted = yield* repo.insert({ ...event, id, groupId, creatorId: user.userId })
              yield* repo.addHost(id, user.userId, "host")
              yield* record(user.userId, "created", inserted, rowChanges(null, inserted))
              return inserted
            })
          )
          return yield* showOne({ row, standing: { actor, group: standing, host: "host" } })
        }),

        get: Effect.fn("Events.get")(function* (viewer, id) {
          return yield* showOne(yield* see(viewerActor(viewer), id))
        }),

        update: Effect.fn("Events.update")(function* (user, id, input, expectedVersion) {
          const actor = Actor.of(user)
          const seen = yield* transaction(
            Effect.gen(function* () {
              const current = yield* see(actor, id, true)
              yield* requireEditor(current)
              const row = current.row
              if (row.status === "cancelled") {
                return yield* new EventCancelled({ message: "A cancelled event cannot be changed" })
              }
              yield* requireVersion(expectedVersion, row.version)
              const scope = input.scope ?? "all"
              // updateAll reads the row back after recording the change: its version is current.
              if (scope === "all") return yield* updateAll(user, current, input)
              if (row.recurrence === null || input.occurrence === undefined) {
                return yield* new InvalidEditScope({
                  message: "`this` and `thisAndFollowing` need the `occurrence` of a series"
                })
              }
              return yield* withVersion(
                scope === "this"
                  ? yield* updateThis(user, current, input.occurrence, input)
                  : yield* updateFollowing(user, current, input.occurrence, input)
              )
            })
          )
          return yield* showOne(seen)
        }),

        cancel: Effect.fn("Events.cancel")(function* (user, id, reason) {
          const actor = Actor.of(user)
          const seen = yield* transaction(
            Effect.gen(function* () {
              const current = yield* see(actor, id, true)
              yield* requireEditor(current)
              if (current.row.status === "cancelled") {
                return yield* new EventCancelled({ message: "The event is already cancelled" })
              }
              const cancelled = yield* repo.cancel(id, reason)
              yield* record(user.userId, "cancelled", cancelled, rowChanges(current.row, cancelled))
              return yield* withVersion({ row: cancelled, standing: current.standing })
            })
          )
          return yield* showOne(seen)
        }),

        addCoHost: (user, id, userId) =>
          changeCoHosts(user, id, "cohost_added", (current) =>
            Effect.gen(function* () {
              const standing = yield* access.standing(current.row.groupId, userId)
              if (standing.role === null) {
                return yield* new CoHostNotMember({ message: "Only members of the group may co-host" })
              }
              yield* repo.addHost(id, userId, "cohost")
            })
          ),

        removeCoHost: (user, id, userId) =>
          changeCoHosts(user, id, "cohost_removed", () => repo.removeCoHost(id, userId)),

        rsvp: Effect.fn("Events.rsvp")(function* (user, id, status) {
          const actor = Actor.of(user)
          const result = yield* transaction(
            Effect.gen(function* () {
              const current = yield* see(actor, id, true)
              if (current.standing.group.role === null) {
                return yield* new Forbidden({ message: "Only the group's members may answer its events" })
              }
              const row = current.row
              if (row.status === "cancelled") {
                return yield* new EventCancelled({ message: "The event is cancelled" })
              }
              if (row.recurrence !== null) {
                return yield* new OccurrenceNotFound({
                  message: "A series is answered per occurrence: PUT /events/{id}/occurrences/{occurrence}/rsvp"
                })
              }
              yield* requireOpen(row)
              const answered = yield* answerIn(row, "", row.capacity, user.userId, status)
              return { seen: { row: answered.row, standing: current.standing } satisfies Seen, answer: answered.answer }
            })
          )
          yield* activity.record({
            kind: "rsvp",
            userId: user.userId,
            subjectId: result.seen.row.id,
            groupId: result.seen.row.groupId
          })
          return rsvpAnswer(result.answer, yield* showOne(result.seen))
        }),

        cancelOccurrence: Effect.fn("Events.cancelOccurrence")(function* (user, id, occurrence, reason) {
          const actor = Actor.of(user)
          const row = yield* transaction(
            Effect.gen(function* () {
              const current = yield* see(actor, id, true)
              yield* requireEditor(current)
              const row = current.row
              if (row.status === "cancelled") {
                return yield* new EventCancelled({ message: "The event is already cancelled" })
              }
              const { override } = yield* occurrenceIn(row, occurrence)
              // A single event's one occurrence is the event.
              if (row.recurrence === null) {
                const cancelled = yield* repo.cancel(id, reason)
                yield* record(user.userId, "cancelled", cancelled, rowChanges(row, cancelled))
                return cancelled
              }
              if (override?.cancelled === true) {
                return yield* new EventCancelled({ message: "The occurrence is already cancelled" })
              }
              const next: OverrideRow = {
                ...(override ?? blankOverride(id, occurrence)),
                cancelled: true,
                cancelReason: reason
              }
              yield* repo.setOverride(next)
              yield* record(
                user.userId,
                "occurrence_cancelled",
                row,
                diff(overrideState(override), overrideState(next), `occurrences.${occurrence}.`)
              )
              return row
            })
          )
          return yield* oneOccurrence(actor, row, occurrence)
        }),

        rsvpOccurrence: Effect.fn("Events.rsvpOccurrence")(function* (user, id, occurrence, status) {
          const actor = Actor.of(user)
          const result = yield* transaction(
            Effect.gen(function* () {
              const current = yield* see(actor, id, true)
              if (current.standing.group.role === null) {
                return yield* new Forbidden({ message: "Only the group's members may answer its events" })
              }
              const row = current.row
              const { override } = yield* occurrenceIn(row, occurrence)
              if (override?.cancelled === true) return yield* occurrenceCancelled
              yield* requireOpen(row)
              const capacity = override?.capacitySet === true ? override.capacity : row.capacity
              return yield* answerIn(row, keyOf(row, occurrence), capacity, user.userId, status)
            })
          )
          yield* activity.record({ kind: "rsvp", userId: user.userId, subjectId: id, groupId: result.row.groupId })
          const view = yield* oneOccurrence(actor, result.row, occurrence)
          return new OccurrenceRsvp({
            eventId: id,
            occurrenceStart: view.occurrenceStart,
            status: result.answer?.status ?? "not_going",
            waitlisted: result.answer?.waitlisted ?? false,
            waitlistPosition: result.answer?.position ?? null,
            occurrence: view
          })
        }),

        attendees: Effect.fn("Events.attendees")(function* (viewer, id, query) {
          const seen = yield* see(viewerActor(viewer), id)
          const scope = `event-attendees:${seen.row.id}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(SeqPosition, scope, query.cursor)
          const rows = yield* repo.attendees({ eventId: seen.row.id, limit: limit + 1, afterSeq: after?.seq ?? null })
          const paged = cursors.page(
            scope,
            rows,
            limit,
            (row) => row,
            (row) => ({ seq: row.seq })
          )
          const people = yield* profiles.getMany(paged.items.map((row) => row.userId))
          return {
            items: paged.items.flatMap((row) => {
              const person = people.get(row.userId)
              return person === undefined
                ? []
                : [new Attendee({ user: person, respondedAt: DateTime.fromDateUnsafe(row.respondedAt) })]
            }),
            nextCursor: paged.nextCursor
          }
        }),

        listInGroup: Effect.fn("Events.listInGroup")(function* (viewer, groupId, query) {
          const actor = viewerActor(viewer)
          const { standing } = yield* access.view(groupId, actor)
          const bounded = query.from !== undefined || query.to !== undefined
          if (bounded) {
            if (query.from === undefined || query.to === undefined) {
              return yield* new InvalidCalendarRange({ message: "Give both `from` and `to`, or neither" })
            }
            yield* checkRange(query.from, query.to)
          }
          const from =
            query.from === undefined ? DateTime.toDateUtc(yield* DateTime.now) : DateTime.toDateUtc(query.from)
          const to = query.to === undefined ? null : DateTime.toDateUtc(query.to)
          const scope = `group-events:${groupId}:${bounded ? `${from.toISOString()}:${to?.toISOString()}` : "upcoming"}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* repo.list({ groupIds: [groupId], from, to, limit: limit + 1, after })
          return yield* page(
            actor,
            scope,
            rows,
            limit,
            new Map([[groupId, standing]]),
            to === null ? undefined : { from, to }
          )
        }),

        occurrences: Effect.fn("Events.occurrences")(function* (viewer, id, range) {
          const actor = viewerActor(viewer)
          const { row } = yield* see(actor, id)
          yield* checkRange(range.from, range.to)
          const found = yield* occurrencesOf(
            actor,
            [row],
            overlapping(DateTime.toDateUtc(range.from), DateTime.toDateUtc(range.to))
          )
          const items = [...(found.get(row.id) ?? [])].sort(
            (a, b) => DateTime.toEpochMillis(a.startsAt) - DateTime.toEpochMillis(b.startsAt)
          )
          return new EventOccurrences({ items })
        }),

        calendar: Effect.fn("Events.calendar")(function* (user, query) {
          const actor = Actor.of(user)
          yield* checkRange(query.from, query.to)
          const from = DateTime.toDateUtc(query.from)
          const to = DateTime.toDateUtc(query.to)
          const groupIds = yield* access.memberOf(user.userId, 500)
          const groups = yield* access.viewMany(groupIds, actor)
          const scope = `my-calendar:${user.userId}:${from.toISOString()}:${to.toISOString()}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* repo.list({ groupIds: [...groups.keys()], from, to, limit: limit + 1, after })
          const standings = new Map([...groups].map(([groupId, entry]) => [groupId, entry.standing] as const))
          return yield* page(actor, scope, rows, limit, standings, { from, to })
        }),

        listMine: Effect.fn("Events.listMine")(function* (user, query) {
          const actor = Actor.of(user)
          const scope = `my-events:${user.userId}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const now = DateTime.toDateUtc(yield* DateTime.now)
          const rows = yield* repo.answeredBy({ userId: user.userId, from: now, limit: limit + 1, after })
          const groups = yield* access.viewMany([...new Set(rows.map((row) => row.groupId))], actor)
          const paged = cursors.page(
            scope,
            rows,
            limit,
            (row) => row,
            (row) => ({ at: row.startsAt.toISOString(), id: row.id })
          )
          const visible = paged.items.filter((row) => groups.has(row.groupId))
          const standings = new Map([...groups].map(([groupId, entry]) => [groupId, entry.standing] as const))
          return { items: yield* show(actor, visible, standings), nextCursor: paged.nextCursor }
        }),

        versions: Effect.fn("Events.versions")(function* (user, id, query) {
          const seen = yield* see(Actor.of(user), id)
          yield* requireEditor(seen)
          const scope = `event-versions:${seen.row.id}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(VersionPosition, scope, query.cursor)
          const rows = yield* versions.list({
            eventId: seen.row.id,
            afterNumber: after === null ? null : Number(after.number),
            limit: limit + 1
          })
          return cursors.page(
            scope,
            rows,
            limit,
            (row) =>
              new EventVersion({
                id: row.id,
                eventId: row.eventId,
                number: row.number,
                action: row.action,
                actorId: row.actorId,
                changes: decodeChanges(row.changes),
                restoredFrom: row.restoredFrom,
                createdAt: DateTime.fromDateUnsafe(row.createdAt)
              }),
            (row) => ({ number: String(row.number) })
          )
        }),

        diffVersions: Effect.fn("Events.diffVersions")(function* (user, id, from, to) {
          const seen = yield* see(Actor.of(user), id)
          yield* requireEditor(seen)
          const [first, second] = yield* Effect.all([versions.find(seen.row.id, from), versions.find(seen.row.id, to)])
          if (Option.isNone(first) || Option.isNone(second)) return yield* versionNotFound
          return new EventVersionDiff({
            from: first.value.number,
            to: second.value.number,
            changes: diff(decodeSnapshot(first.value.snapshot), decodeSnapshot(second.value.snapshot))
          })
        }),

        restore: Effect.fn("Events.restore")(function* (user, id, versionId) {
          const actor = Actor.of(user)
          const seen = yield* transaction(
            Effect.gen(function* () {
              const current = yield* see(actor, id, true)
              yield* requireEditor(current)
              if (current.row.status === "cancelled") {
                return yield* new EventCancelled({ message: "A cancelled event cannot be changed" })
              }
              const version = yield* versions.find(id, versionId)
              if (Option.isNone(version)) return yield* versionNotFound
              const kept = decodeSnapshot(version.value.snapshot)
              return yield* updateAll(
                user,
                current,
                {
                  title: kept.title,
                  description: kept.description,
                  location: kept.location,
                  onlineUrl: kept.onlineUrl,
                  start: kept.start,
                  end: kept.end,
                  timeZone: kept.timeZone,
                  allDay: kept.allDay,
                  capacity: kept.capacity,
                  rsvpDeadline: kept.rsvpDeadline === null ? null : DateTime.makeUnsafe(kept.rsvpDeadline),
                  recurrence: kept.recurrence
                },
                version.value.number
              )
            })
          )
          return yield* showOne(seen)
        }),

        visible: Effect.fn("Events.visible")(function* (viewer, ids) {
          const rows = yield* repo.findMany(ids)
          const groups = yield* access.viewMany([...new Set(rows.map((row) => row.groupId))], viewer)
          return new Set(rows.filter((row) => groups.has(row.groupId)).map((row) => row.id))
        }),

        getMany: Effect.fn("Events.getMany")(function* (viewer, ids) {
          if (ids.length === 0) return new Map<string, Event>()
          const rows = yield* repo.findMany(ids)
          const groups = yield* access.viewMany([...new Set(rows.map((row) => row.groupId))], viewer)
          const standings = new Map([...groups].map(([groupId, entry]) => [groupId, entry.standing] as const))
          const shown = yield* show(
            viewer,
            rows.filter((row) => groups.has(row.groupId)),
            standings
          )
          return new Map(shown.map((event) => [event.id, event]))
        })
      })
    })
  )
}
