import type { UserId } from "@moim/domain/Accounts/User"
import {
  Attendee,
  CoHostNotMember,
  Event,
  EventCancelled,
  EventId,
  EventNotFound,
  InvalidCalendarRange,
  InvalidEventTime,
  Rsvp,
  RsvpClosed,
  type RsvpStatus
} from "@moim/domain/Events/Event"
import type { CreateEventPayload, UpdateEventPayload } from "@moim/domain/Events/EventsApi"
import type { GroupId, GroupNotFound } from "@moim/domain/Groups/Group"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser, CurrentViewer } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SecureRandom } from "effect/crypto"
import { Actor } from "../Access/Actor.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { noStanding, type Standing } from "../Groups/MembershipsRepo.ts"
import { Cursors, type Page, type PageQuery, PositionField, TimePosition } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { EventEvents } from "./EventNotifier.ts"
import { EventPolicy, type EventStanding } from "./EventPolicy.ts"
import { type EventFields, type EventRow, EventsRepo, type RsvpRow } from "./EventsRepo.ts"
import { toInstant } from "./LocalTime.ts"

type SignedIn = CurrentUser["Service"]
type Viewer = CurrentViewer["Service"]
type RangeQuery = PageQuery & { readonly from?: DateTime.Utc | undefined; readonly to?: DateTime.Utc | undefined }

const maxRangeDays = 92
const dayMillis = 86_400_000
const notFound = new EventNotFound({ message: "No such event" })
const viewerActor = (viewer: Viewer): Actor => Option.match(viewer, { onNone: () => null, onSome: Actor.of })
const SeqPosition = Schema.Struct({ seq: PositionField.number })

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
    ) => Effect.Effect<Event, GroupNotFound | Forbidden | InvalidEventTime>
    readonly get: (viewer: Viewer, id: EventId) => Effect.Effect<Event, EventNotFound>
    readonly update: (
      user: SignedIn,
      id: EventId,
      input: typeof UpdateEventPayload.Type
    ) => Effect.Effect<Event, EventNotFound | Forbidden | InvalidEventTime | EventCancelled>
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
    ) => Effect.Effect<Rsvp, EventNotFound | Forbidden | EventCancelled | RsvpClosed>
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
    readonly calendar: (
      user: SignedIn,
      query: PageQuery & { readonly from: DateTime.Utc; readonly to: DateTime.Utc }
    ) => Effect.Effect<Page<Event>, InvalidCursor | InvalidCalendarRange>
    readonly listMine: (user: SignedIn, query: PageQuery) => Effect.Effect<Page<Event>, InvalidCursor>
    /** Those among `ids` that are events the viewer may see (for notifications about events). */
    readonly visible: (viewer: NonNullable<Actor>, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlySet<string>>
  }
>()("@moim/server/Events/Events") {
  static readonly layer = Layer.effect(
    Events,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const repo = yield* EventsRepo
      const access = yield* GroupAccess
      const profiles = yield* Profiles
      const cursors = yield* Cursors
      const recordPromoted = yield* EventEvents.make

      /** Many events at once, for one actor: hosts and their profiles, the actor's answers. */
      const show = Effect.fn("Events.show")(function* (
        actor: Actor,
        rows: ReadonlyArray<EventRow>,
        groups: ReadonlyMap<GroupId, Standing>
      ) {
        const ids = rows.map((row) => row.id)
        const hosts = yield* repo.hosts(ids)
        const people = yield* profiles.getMany(hosts.map((host) => host.userId))
        const answers = actor === null ? [] : yield* repo.rsvpsOf(actor.userId, ids)
        const answerOf = new Map(answers.map((answer) => [answer.eventId, answer]))
        return rows.map((row) => {
          const own = hosts.filter((host) => host.eventId === row.id)
          const host = actor === null ? undefined : own.find((entry) => entry.userId === actor.userId)
          const answer = answerOf.get(row.id)
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
            createdAt: DateTime.fromDateUnsafe(row.createdAt),
            viewer: {
              rsvp: answer?.status ?? null,
              waitlisted: answer?.waitlisted ?? false,
              waitlistPosition: answer?.position ?? null,
              canEdit: actor !== null && EventPolicy.canEdit(standing)
            }
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
          rsvpDeadline: input.rsvpDeadline === null ? null : DateTime.toDateUtc(input.rsvpDeadline)
        } satisfies EventFields
      })

      /** Seats people waiting while there are free seats; they are told. */
      const fillSeats = Effect.fn("Events.fillSeats")(function* (row: EventRow) {
        const free = row.capacity === null ? row.waitlistCount : row.capacity - row.goingCount
        const promoted = yield* repo.promote(row.id, Math.min(free, row.waitlistCount))
        if (promoted.length === 0) return row
        yield* recordPromoted(row.id, promoted)
        return yield* repo.recount(row.id)
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
        groups: ReadonlyMap<GroupId, Standing>
      ) {
        const paged = cursors.page(
          scope,
          rows,
          limit,
          (row) => row,
          (row) => ({ at: row.startsAt.toISOString(), id: row.id })
        )
        return { items: yield* show(actor, paged.items, groups), nextCursor: paged.nextCursor }
      })

      const rsvpAnswer = (row: RsvpRow | undefined, event: Event) =>
        new Rsvp({
          eventId: event.id,
          status: row?.status ?? "not_going",
          waitlisted: row?.waitlisted ?? false,
          waitlistPosition: row?.position ?? null,
          event
        })

      return Events.of({
        create: Effect.fn("Events.create")(function* (user, groupId, input) {
          const actor = Actor.of(user)
          const { standing } = yield* access.check(groupId, actor, "participate")
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
            rsvpDeadline: input.rsvpDeadline ?? null
          })
          const id = EventId.make(SecureRandom.uuidV7Unsafe())
          const row = yield* transaction(
            Effect.gen(function* () {
              const inserted = yield* repo.insert({ ...event, id, groupId, creatorId: user.userId })
              yield* repo.addHost(id, user.userId, "host")
              return inserted
            })
          )
          return yield* showOne({ row, standing: { actor, group: standing, host: "host" } })
        }),

        get: Effect.fn("Events.get")(function* (viewer, id) {
          return yield* showOne(yield* see(viewerActor(viewer), id))
        }),

        update: Effect.fn("Events.update")(function* (user, id, input) {
          const actor = Actor.of(user)
          const seen = yield* transaction(
            Effect.gen(function* () {
              const current = yield* see(actor, id, true)
              yield* requireEditor(current)
              const row = current.row
              if (row.status === "cancelled") {
                return yield* new EventCancelled({ message: "A cancelled event cannot be changed" })
              }
              const location =
                input.location === undefined
                  ? row.locationName === null
                    ? null
                    : {
                        name: row.locationName,
                        ...(row.latitude === null ? {} : { latitude: row.latitude }),
                        ...(row.longitude === null ? {} : { longitude: row.longitude })
                      }
                  : input.location
              const next = yield* fields({
                title: input.title ?? row.title,
                description: input.description ?? row.description,
                location,
                onlineUrl: input.onlineUrl === undefined ? row.onlineUrl : input.onlineUrl,
                start: input.start ?? row.startLocal,
                end: input.end ?? row.endLocal,
                timeZone: input.timeZone ?? row.timeZone,
                allDay: input.allDay ?? row.allDay,
                capacity: input.capacity === undefined ? row.capacity : input.capacity,
                rsvpDeadline:
                  input.rsvpDeadline === undefined
                    ? row.rsvpDeadline === null
                      ? null
                      : DateTime.fromDateUnsafe(row.rsvpDeadline)
                    : input.rsvpDeadline
              })
              const updated = yield* fillSeats(yield* repo.update(id, next))
              return { row: updated, standing: current.standing } satisfies Seen
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
              return { row: yield* repo.cancel(id, reason), standing: current.standing } satisfies Seen
            })
          )
          return yield* showOne(seen)
        }),

        addCoHost: Effect.fn("Events.addCoHost")(function* (user, id, userId) {
          const actor = Actor.of(user)
          const seen = yield* transaction(
            Effect.gen(function* () {
              const current = yield* see(actor, id, true)
              yield* requireHostManager(current)
              const standing = yield* access.standing(current.row.groupId, userId)
              if (standing.role === null) {
                return yield* new CoHostNotMember({ message: "Only members of the group may co-host" })
              }
              yield* repo.addHost(id, userId, "cohost")
              return current
            })
          )
          return yield* showOne(seen)
        }),

        removeCoHost: Effect.fn("Events.removeCoHost")(function* (user, id, userId) {
          const actor = Actor.of(user)
          const seen = yield* transaction(
            Effect.gen(function* () {
              const current = yield* see(actor, id, true)
              yield* requireHostManager(current)
              yield* repo.removeCoHost(id, userId)
              return current
            })
          )
          return yield* showOne(seen)
        }),

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
              const now = yield* DateTime.now
              if (row.rsvpDeadline !== null && DateTime.toEpochMillis(now) > row.rsvpDeadline.getTime()) {
                return yield* new RsvpClosed({ message: "The RSVP deadline has passed" })
              }
              const before = yield* repo.rsvp(id, user.userId)
              const was = Option.getOrUndefined(before)
              if (was?.status !== status) {
                const seated = row.capacity === null || row.goingCount < row.capacity
                yield* repo.answer({
                  eventId: id,
                  userId: user.userId,
                  status,
                  waitlisted: status === "going" && !seated,
                  arrived: status === "going"
                })
              }
              let updated = yield* repo.recount(id)
              if (was?.status === "going" && !was.waitlisted) updated = yield* fillSeats(updated)
              const answer = yield* repo.rsvp(id, user.userId)
              return { seen: { row: updated, standing: current.standing } satisfies Seen, answer }
            })
          )
          return rsvpAnswer(Option.getOrUndefined(result.answer), yield* showOne(result.seen))
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
          return yield* page(actor, scope, rows, limit, new Map([[groupId, standing]]))
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
          return yield* page(actor, scope, rows, limit, standings)
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

        visible: Effect.fn("Events.visible")(function* (viewer, ids) {
          const rows = yield* repo.findMany(ids)
          const groups = yield* access.viewMany([...new Set(rows.map((row) => row.groupId))], viewer)
          return new Set(rows.filter((row) => groups.has(row.groupId)).map((row) => row.id))
        })
      })
    })
  )
}
