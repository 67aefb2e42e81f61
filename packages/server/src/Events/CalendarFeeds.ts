import {
  CalendarFeed,
  CalendarFeedId,
  CalendarFeedList,
  CalendarFeedNotFound,
  CalendarFeedUrl,
  EventCalendarFile
} from "@moim/domain/Events/CalendarFeed"
import { type EventId, EventNotFound } from "@moim/domain/Events/Event"
import type { GroupId, GroupNotFound } from "@moim/domain/Groups/Group"
import type { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser, CurrentViewer } from "@moim/domain/Kit/Authentication"
import { Clock, Context, DateTime, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { Actor } from "../Access/Actor.ts"
import { OpaqueToken } from "../Accounts/OpaqueToken.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { AppConfig } from "../platform/AppConfig.ts"
import { type CalendarFeedRow, CalendarFeedsRepo } from "./CalendarFeedsRepo.ts"
import { type EventRow, EventsRepo } from "./EventsRepo.ts"
import { renderCalendar } from "./ICalendar.ts"

type SignedIn = CurrentUser["Service"]
type Viewer = CurrentViewer["Service"]

/** How far back a feed reaches (events whose last occurrence ended earlier are left out). */
const historyMillis = 90 * 86_400_000
/** At most this many events in a feed, and groups in a user's feed. */
const maxEvents = 500
const maxGroups = 200
const feedNotFound = new CalendarFeedNotFound({ message: "No such calendar feed of yours" })
const eventNotFound = new EventNotFound({ message: "No such event" })

const feedOf = (row: CalendarFeedRow) =>
  new CalendarFeed({
    id: row.id,
    kind: row.groupId === null ? "user" : "group",
    groupId: row.groupId,
    includeGroups: row.includeGroups,
    createdAt: DateTime.fromDateUnsafe(row.createdAt),
    rotatedAt: DateTime.fromDateUnsafe(row.rotatedAt)
  })

/**
 * iCal feeds and `.ics` files. A feed's address holds a secret token (256 random bits) of which only
 * the SHA-256 hash is stored, so it is shown once, when the feed is made or rotated. A feed is read
 * as its owner at the time of reading: a group feed answers nothing (404) once the owner may no
 * longer take part in the group (left, removed, banned), a user feed leaves out the events of groups
 * they may no longer see, and no feed answers once its owner's account is deleted.
 */
export class CalendarFeeds extends Context.Service<
  CalendarFeeds,
  {
    readonly createForUser: (user: SignedIn, includeGroups: boolean) => Effect.Effect<CalendarFeedUrl>
    readonly createForGroup: (
      user: SignedIn,
      groupId: GroupId
    ) => Effect.Effect<CalendarFeedUrl, GroupNotFound | Forbidden>
    readonly list: (user: SignedIn) => Effect.Effect<CalendarFeedList>
    readonly rotate: (user: SignedIn, id: CalendarFeedId) => Effect.Effect<CalendarFeedUrl, CalendarFeedNotFound>
    readonly revoke: (user: SignedIn, id: CalendarFeedId) => Effect.Effect<CalendarFeedList, CalendarFeedNotFound>
    /** The feed's iCalendar text, read as its owner; none for an unknown token or a feed that no longer answers. */
    readonly read: (token: string) => Effect.Effect<Option.Option<string>>
    readonly eventFile: (viewer: Viewer, id: EventId) => Effect.Effect<EventCalendarFile, EventNotFound>
  }
>()("@moim/server/Events/CalendarFeeds") {
  static readonly layer = Layer.effect(
    CalendarFeeds,
    Effect.gen(function* () {
      const feeds = yield* CalendarFeedsRepo
      const events = yield* EventsRepo
      const access = yield* GroupAccess
      const profiles = yield* Profiles
      const { publicUrl } = yield* AppConfig

      const urlOf = (token: string) => `${publicUrl}/api/v1/calendar/${token}.ics`
      const eventUrl = (row: EventRow) => `${publicUrl}/api/v1/events/${row.id}`

      const issue = (row: CalendarFeedRow, token: string) =>
        new CalendarFeedUrl({ feed: feedOf(row), url: urlOf(token) })

      /** The events with their changed occurrences, as one calendar. */
      const render = Effect.fn("CalendarFeeds.render")(function* (name: string, rows: ReadonlyArray<EventRow>) {
        const overrides = yield* events.overrides(rows.map((row) => row.id))
        return renderCalendar({
          name,
          eventUrl,
          entries: rows.map((row) => ({ row, overrides: overrides.filter((entry) => entry.eventId === row.id) }))
        })
      })

      /** Those of `rows` in groups the actor may see. */
      const visibleTo = Effect.fn("CalendarFeeds.visibleTo")(function* (
        actor: NonNullable<Actor>,
        rows: ReadonlyArray<EventRow>
      ) {
        const seen = yield* access.viewMany([...new Set(rows.map((row) => row.groupId))], actor)
        return rows.filter((row) => seen.has(row.groupId))
      })

      const readFeed = Effect.fn("CalendarFeeds.readFeed")(function* (row: CalendarFeedRow) {
        // Read as a member would: a site admin's feed holds what their groups show them.
        const owner = yield* profiles.get(row.userId).pipe(Effect.option)
        if (Option.isNone(owner)) return Option.none<string>()
        const actor: NonNullable<Actor> = { userId: row.userId, siteRole: "user" }
        const from = new Date((yield* Clock.currentTimeMillis) - historyMillis)
        if (row.groupId !== null) {
          const group = yield* access.check(row.groupId, actor, "participate").pipe(Effect.option)
          if (Option.isNone(group)) return Option.none<string>()
          const rows = yield* events.list({ groupIds: [row.groupId], from, to: null, limit: maxEvents, after: null })
          return Option.some(yield* render(group.value.group.name, rows))
        }
        const answered = yield* events.answeredBy({ userId: row.userId, from, limit: maxEvents, after: null })
        const ofGroups = row.includeGroups
          ? yield* events.list({
              groupIds: yield* access.memberOf(row.userId, maxGroups),
              from,
              to: null,
              limit: maxEvents,
              after: null
            })
          : []
        const all = new Map([...answered, ...ofGroups].map((entry) => [entry.id, entry]))
        return Option.some(yield* render("Moim", yield* visibleTo(actor, [...all.values()])))
      })

      return CalendarFeeds.of({
        createForUser: Effect.fn("CalendarFeeds.createForUser")(function* (user, includeGroups) {
          const token = OpaqueToken.generate()
          const row = yield* feeds.insert({
            id: CalendarFeedId.make(SecureRandom.uuidV7Unsafe()),
            userId: user.userId,
            groupId: null,
            includeGroups,
            tokenHash: OpaqueToken.hash(token)
          })
          return issue(row, token)
        }),

        createForGroup: Effect.fn("CalendarFeeds.createForGroup")(function* (user, groupId) {
          yield* access.check(groupId, Actor.of(user), "participate")
          const token = OpaqueToken.generate()
          const row = yield* feeds.insert({
            id: CalendarFeedId.make(SecureRandom.uuidV7Unsafe()),
            userId: user.userId,
            groupId,
            includeGroups: false,
            tokenHash: OpaqueToken.hash(token)
          })
          return issue(row, token)
        }),

        list: Effect.fn("CalendarFeeds.list")(function* (user) {
          return new CalendarFeedList({ items: (yield* feeds.ofUser(user.userId)).map(feedOf) })
        }),

        rotate: Effect.fn("CalendarFeeds.rotate")(function* (user, id) {
          const token = OpaqueToken.generate()
          const row = yield* feeds.rotate(id, user.userId, OpaqueToken.hash(token))
          if (Option.isNone(row)) return yield* feedNotFound
          return issue(row.value, token)
        }),

        revoke: Effect.fn("CalendarFeeds.revoke")(function* (user, id) {
          if (!(yield* feeds.remove(id, user.userId))) return yield* feedNotFound
          return new CalendarFeedList({ items: (yield* feeds.ofUser(user.userId)).map(feedOf) })
        }),

        read: Effect.fn("CalendarFeeds.read")(function* (token) {
          const row = yield* feeds.byTokenHash(OpaqueToken.hash(token))
          return Option.isNone(row) ? Option.none() : yield* readFeed(row.value)
        }),

        eventFile: Effect.fn("CalendarFeeds.eventFile")(function* (viewer, id) {
          const row = yield* events.find(id)
          if (Option.isNone(row)) return yield* eventNotFound
          const actor = Option.match(viewer, { onNone: () => null, onSome: Actor.of })
          yield* access.view(row.value.groupId, actor).pipe(Effect.catchTag("GroupNotFound", () => eventNotFound))
          return new EventCalendarFile({
            filename: `${row.value.id}.ics`,
            contentType: "text/calendar",
            ics: yield* render(row.value.title, [row.value])
          })
        })
      })
    })
  )
}
