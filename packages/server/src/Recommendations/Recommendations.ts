import { type UserId, UserNotFound } from "@moim/domain/Accounts/User"
import type { EventId, EventNotFound } from "@moim/domain/Events/Event"
import { GroupCategory, type GroupId, GroupNotFound } from "@moim/domain/Groups/Group"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import type {
  EventSuggestion,
  GroupSuggestion,
  MyInterests,
  PersonSuggestion,
  Reason,
  UpdateInterestsPayload
} from "@moim/domain/Recommendations/Recommendation"
import { RefreshRecommendations } from "@moim/domain/Recommendations/RecommendationJobs"
import { SelfRelation } from "@moim/domain/Social/Social"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { Events } from "../Events/Events.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { Cursors, type Page, type PageQuery, PositionField } from "../platform/Cursors.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { Transaction } from "../platform/Transaction.ts"
import { type StoredReason, SuggestionsRepo } from "./SuggestionsRepo.ts"

type SignedIn = CurrentUser["Service"]

const ScorePosition = Schema.Struct({ score: PositionField.number, id: PositionField.id })

const plural = (count: number, one: string, many: string) => (count === 1 ? one : many.replace("#", String(count)))

/** What a stored reason says, in words, for each kind of suggestion. */
const texts = {
  group: (reason: StoredReason): string => {
    switch (reason.kind) {
      case "interest":
        return `Matches your interest: ${reason.interest}`
      case "friends":
        return plural(reason.count, "A friend of yours is a member", "# of your friends are members")
      case "co_membership":
        return "Members of your groups also joined"
      case "popular_nearby":
        return `Popular near you (${reason.distanceKm} km)`
      case "contacts":
        return "In your contacts"
      case "your_group":
        return "One of your groups"
    }
  },
  event: (reason: StoredReason): string => {
    switch (reason.kind) {
      case "interest":
        return `Matches your interest: ${reason.interest}`
      case "friends":
        return plural(reason.count, "A friend of yours is going", "# of your friends are going")
      case "your_group":
        return "In a group you belong to"
      case "popular_nearby":
        return `Near you (${reason.distanceKm} km)`
      case "co_membership":
        return "Members of your groups are going"
      case "contacts":
        return "In your contacts"
    }
  },
  person: (reason: StoredReason): string => {
    switch (reason.kind) {
      case "contacts":
        return "In your contacts"
      case "friends":
        return plural(reason.count, "1 mutual friend", "# mutual friends")
      case "co_membership":
        return plural(reason.count, "In one of your groups", "In # of your groups")
      case "interest":
        return `Shares your interest: ${reason.interest}`
      case "popular_nearby":
        return `Near you (${reason.distanceKm} km)`
      case "your_group":
        return "In one of your groups"
    }
  }
}

const withText = (kind: keyof typeof texts, reasons: ReadonlyArray<StoredReason>): ReadonlyArray<Reason> =>
  reasons.map((reason) => ({ ...reason, text: texts[kind](reason) }))

/** Distances as people read them: to 0.1 km. */
const km = (distance: number | null) => (distance === null ? null : Math.round(distance * 10) / 10)

/**
 * Your interests and the suggestions made for you. Suggestions are read from the tables the rebuild
 * fills (one index range per page) and shown through their features (`GroupAccess`, `Events`,
 * `Profiles`, `Blocks`), so a group made private, an event answered or a person blocked since the
 * last rebuild is left out of the page at once.
 */
export class Recommendations extends Context.Service<
  Recommendations,
  {
    readonly interests: (user: SignedIn) => Effect.Effect<typeof MyInterests.Type>
    readonly updateInterests: (
      user: SignedIn,
      input: typeof UpdateInterestsPayload.Type
    ) => Effect.Effect<typeof MyInterests.Type>
    readonly groups: (
      user: SignedIn,
      query: PageQuery
    ) => Effect.Effect<Page<typeof GroupSuggestion.Type>, InvalidCursor>
    readonly events: (
      user: SignedIn,
      query: PageQuery
    ) => Effect.Effect<Page<typeof EventSuggestion.Type>, InvalidCursor>
    readonly people: (
      user: SignedIn,
      query: PageQuery
    ) => Effect.Effect<Page<typeof PersonSuggestion.Type>, InvalidCursor>
    readonly dismissGroup: (user: SignedIn, id: GroupId) => Effect.Effect<void, GroupNotFound>
    readonly dismissEvent: (user: SignedIn, id: EventId) => Effect.Effect<void, EventNotFound>
    readonly dismissPerson: (user: SignedIn, id: UserId) => Effect.Effect<void, UserNotFound | SelfRelation>
    /** Queues a refresh of the user's suggestions, in the caller's transaction. */
    readonly refresh: (userId: UserId) => Effect.Effect<void>
  }
>()("@moim/server/Recommendations/Recommendations") {
  static readonly layer = Layer.effect(
    Recommendations,
    Effect.gen(function* () {
      const repo = yield* SuggestionsRepo
      const profiles = yield* Profiles
      const access = yield* GroupAccess
      const events = yield* Events
      const blocks = yield* Blocks
      const cursors = yield* Cursors
      const jobs = yield* JobQueue
      const transaction = yield* Transaction.make

      const refresh = (userId: UserId) =>
        jobs.enqueue(RefreshRecommendations, { userId }).pipe(Effect.asVoid, Effect.withSpan("Recommendations.refresh"))

      const interests = Effect.fn("Recommendations.interests")(function* (user: SignedIn) {
        const me = yield* profiles.getMe(user).pipe(Effect.orDie)
        const inferred = yield* repo.inferred(user.userId)
        const place = yield* repo.place(user.userId)
        return {
          interests: [...new Set(me.interests.map((interest) => interest.toLowerCase()))],
          categories: GroupCategory.literals,
          inferred: inferred.map((entry) => ({
            interest: entry.interest,
            weight: Math.round(entry.weight * 100) / 100
          })),
          place: Option.getOrNull(place)
        }
      })

      /** A page of suggestions: `limit + 1` rows from one index range, then shown by `show`. */
      const page = <Row extends { readonly score: number }, Item>(
        user: SignedIn,
        scope: string,
        query: PageQuery,
        rows: (request: {
          readonly userId: UserId
          readonly limit: number
          readonly after: { readonly score: number; readonly id: string } | null
        }) => Effect.Effect<ReadonlyArray<Row>>,
        id: (row: Row) => string,
        show: (rows: ReadonlyArray<Row>) => Effect.Effect<ReadonlyArray<Item>>
      ) =>
        Effect.gen(function* () {
          const limit = query.limit ?? defaultPageSize
          const position = yield* cursors.decode(ScorePosition, `${scope}:${user.userId}`, query.cursor)
          const after = position === null ? null : { score: Number(position.score), id: position.id }
          const found = yield* rows({ userId: user.userId, limit: limit + 1, after })
          const paged = cursors.page(
            `${scope}:${user.userId}`,
            found,
            limit,
            (row) => row,
            (row) => ({ score: String(row.score), id: id(row) })
          )
          return { items: yield* show(paged.items), nextCursor: paged.nextCursor }
        })

      return Recommendations.of({
        interests,

        updateInterests: Effect.fn("Recommendations.updateInterests")(function* (user, input) {
          const picked = [...new Set(input.interests.map((interest) => interest.toLowerCase()))]
          yield* transaction(
            Effect.gen(function* () {
              yield* profiles.updateMe(user, { interests: picked }).pipe(Effect.orDie)
              if (input.place !== undefined) yield* repo.setPlace(user.userId, input.place)
              yield* refresh(user.userId)
            })
          )
          return yield* interests(user)
        }),

        groups: (user, query) =>
          page(
            user,
            "suggested-groups",
            query,
            repo.groups,
            (row) => row.groupId,
            (rows) =>
              Effect.map(
                access.viewMany(
                  rows.map((row) => row.groupId),
                  Actor.of(user)
                ),
                (seen) =>
                  rows.flatMap((row) => {
                    const entry = seen.get(row.groupId)
                    if (entry === undefined || entry.group.visibility !== "public") return []
                    if (entry.standing.role !== null || entry.standing.banned || entry.standing.pending) return []
                    return [
                      { group: entry.group, reasons: withText("group", row.reasons), distanceKm: km(row.distanceKm) }
                    ]
                  })
              )
          ),

        events: (user, query) =>
          page(
            user,
            "suggested-events",
            query,
            repo.events,
            (row) => row.eventId,
            (rows) =>
              Effect.map(
                events.getMany(
                  Actor.of(user),
                  rows.map((row) => row.eventId)
                ),
                (seen) =>
                  rows.flatMap((row) => {
                    const event = seen.get(row.eventId)
                    if (event === undefined || event.status !== "scheduled" || event.viewer.rsvp !== null) return []
                    return [{ event, reasons: withText("event", row.reasons), distanceKm: km(row.distanceKm) }]
                  })
              )
          ),

        people: (user, query) =>
          page(
            user,
            "suggested-people",
            query,
            repo.people,
            (row) => row.personId,
            (rows) =>
              Effect.gen(function* () {
                const ids = rows.map((row) => row.personId)
                const shown = yield* profiles.getMany(ids)
                const hidden = yield* blocks.hiddenAmong(user.userId, ids)
                return rows.flatMap((row) => {
                  const person = shown.get(row.personId)
                  if (person === undefined || hidden.has(row.personId)) return []
                  return [{ user: person, reasons: withText("person", row.reasons) }]
                })
              })
          ),

        dismissGroup: Effect.fn("Recommendations.dismissGroup")(function* (user, id) {
          const { group } = yield* access.view(id, Actor.of(user))
          if (group.visibility !== "public") return yield* new GroupNotFound({ message: "No such group" })
          yield* transaction(repo.dismiss(user.userId, "group", id, "dismissed"))
        }),

        dismissEvent: Effect.fn("Recommendations.dismissEvent")(function* (user, id) {
          yield* events.get(Option.some(user), id)
          yield* transaction(repo.dismiss(user.userId, "event", id, "dismissed"))
        }),

        dismissPerson: Effect.fn("Recommendations.dismissPerson")(function* (user, id) {
          if (id === user.userId) return yield* new SelfRelation({ message: "That is you" })
          const found = yield* profiles.findActive(id)
          if (Option.isNone(found) || (yield* blocks.between(user.userId, id))) {
            return yield* new UserNotFound({ message: "No such user" })
          }
          yield* transaction(repo.dismiss(user.userId, "person", id, "dismissed"))
        }),

        refresh
      })
    })
  )
}
