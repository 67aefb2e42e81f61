import { UserId } from "@moim/domain/Accounts/User"
import { EventId } from "@moim/domain/Events/Event"
import { GroupId } from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

/** A reason as the rebuild stores it: the structured part, without the words. */
export const StoredReason = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("interest"), interest: Schema.String }),
  Schema.Struct({ kind: Schema.Literal("friends"), count: Schema.Int }),
  Schema.Struct({ kind: Schema.Literal("contacts") }),
  Schema.Struct({ kind: Schema.Literal("co_membership"), count: Schema.Int }),
  Schema.Struct({ kind: Schema.Literal("popular_nearby"), distanceKm: Schema.Number }),
  Schema.Struct({ kind: Schema.Literal("your_group") })
])
export type StoredReason = typeof StoredReason.Type

const reasons = Schema.Array(StoredReason)

export const GroupSuggestionRow = Schema.Struct({
  groupId: GroupId,
  score: Schema.Int,
  reasons,
  distanceKm: Schema.NullOr(Schema.Number)
})
export type GroupSuggestionRow = typeof GroupSuggestionRow.Type

export const EventSuggestionRow = Schema.Struct({
  eventId: EventId,
  score: Schema.Int,
  reasons,
  distanceKm: Schema.NullOr(Schema.Number)
})
export type EventSuggestionRow = typeof EventSuggestionRow.Type

export const PersonSuggestionRow = Schema.Struct({ personId: UserId, score: Schema.Int, reasons })
export type PersonSuggestionRow = typeof PersonSuggestionRow.Type

/** A stored item (`recommendation_item`) as a page reads it: what its reasons are made of. */
const ItemRow = Schema.Struct({
  id: Schema.String,
  score: Schema.Int,
  interest: Schema.NullOr(Schema.String),
  friends: Schema.Int,
  co: Schema.Int,
  yourGroup: Schema.Boolean,
  contact: Schema.Boolean,
  nearby: Schema.Boolean,
  distanceKm: Schema.NullOr(Schema.Number)
})
type ItemRow = typeof ItemRow.Type
const decodeItems = Rows.all(ItemRow)

/** An item's reasons, strongest first, in the order each kind has always listed them. */
const reasonsOf = (kind: SuggestionKind, item: ItemRow): ReadonlyArray<StoredReason> => {
  const interest: ReadonlyArray<StoredReason> =
    item.interest === null ? [] : [{ kind: "interest", interest: item.interest }]
  const friends: ReadonlyArray<StoredReason> = item.friends > 0 ? [{ kind: "friends", count: item.friends }] : []
  const co: ReadonlyArray<StoredReason> = item.co > 0 ? [{ kind: "co_membership", count: item.co }] : []
  const nearby: ReadonlyArray<StoredReason> =
    item.nearby && item.distanceKm !== null ? [{ kind: "popular_nearby", distanceKm: item.distanceKm }] : []
  switch (kind) {
    case "group":
      return [...interest, ...friends, ...co, ...nearby]
    case "event":
      return [...interest, ...friends, ...(item.yourGroup ? [{ kind: "your_group" } as const] : []), ...nearby]
    case "person":
      return [...(item.contact ? [{ kind: "contacts" } as const] : []), ...friends, ...co]
  }
}

const decodeGroups = Rows.all(GroupSuggestionRow)
const decodeEvents = Rows.all(EventSuggestionRow)
const decodePeople = Rows.all(PersonSuggestionRow)
const decodeInferred = Rows.all(Schema.Struct({ interest: Schema.String, weight: Schema.Number }))
const decodePlace = Rows.first(Schema.Struct({ latitude: Schema.Number, longitude: Schema.Number }))

/** Where a page of suggestions ended: the last one's score and id. */
export interface ScorePosition {
  readonly score: number
  readonly id: string
}

export type SuggestionKind = "group" | "event" | "person"

/** A page of one user's suggestions of one kind, best first. */
interface PageRequest {
  readonly userId: UserId
  readonly limit: number
  readonly after: ScorePosition | null
}

/**
 * The recommendation tables the API reads and writes: the suggestions (a page is a slice of one row,
 * the user's ranked list of a kind), dismissals, a user's place and inferred interests.
 */
export class SuggestionsRepo extends Context.Service<
  SuggestionsRepo,
  {
    readonly groups: (request: PageRequest) => Effect.Effect<ReadonlyArray<GroupSuggestionRow>>
    readonly events: (request: PageRequest) => Effect.Effect<ReadonlyArray<EventSuggestionRow>>
    readonly people: (request: PageRequest) => Effect.Effect<ReadonlyArray<PersonSuggestionRow>>
    /** Keeps the target away for good (`left`: a group the user left), and drops its suggestion now. */
    readonly dismiss: (
      userId: UserId,
      kind: SuggestionKind,
      targetId: string,
      cause: "dismissed" | "left"
    ) => Effect.Effect<void>
    /** The interests read from what the user does, strongest first. */
    readonly inferred: (
      userId: UserId
    ) => Effect.Effect<ReadonlyArray<{ readonly interest: string; readonly weight: number }>>
    readonly place: (
      userId: UserId
    ) => Effect.Effect<Option.Option<{ readonly latitude: number; readonly longitude: number }>>
    /** Forgets everything kept of the user: place, inferred interests, dismissals, suggestions. */
    readonly forget: (userId: UserId) => Effect.Effect<void>
    readonly setPlace: (
      userId: UserId,
      place: { readonly latitude: number; readonly longitude: number } | null
    ) => Effect.Effect<void>
  }
>()("@moim/server/Recommendations/SuggestionsRepo") {
  static readonly layer = Layer.effect(
    SuggestionsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient

      /**
       * A page of one user's stored list of a kind: the items after the cursor, in the list's order
       * (score descending, then id).
       */
      const page = (kind: SuggestionKind, request: PageRequest) => {
        const after =
          request.after === null
            ? sql`true`
            : sql`(i.score < ${request.after.score} OR (i.score = ${request.after.score} AND i.id > ${request.after.id}::uuid))`
        return sql`
          SELECT i.id, i.score, i.interest, i.friends, i.co, i.your_group, i.contact, i.nearby,
            round(i.km::numeric, 1)::float8 AS distance_km
          FROM recommendations r CROSS JOIN LATERAL unnest(r.items) WITH ORDINALITY AS i
          WHERE r.user_id = ${request.userId} AND r.kind = ${kind} AND ${after}
          ORDER BY i.ordinality LIMIT ${request.limit}`.pipe(
          Effect.flatMap(decodeItems),
          Effect.map((items) =>
            items.map((item) => ({
              id: item.id,
              score: item.score,
              reasons: reasonsOf(kind, item),
              distanceKm: item.distanceKm
            }))
          )
        )
      }

      return SuggestionsRepo.of({
        groups: Effect.fn("SuggestionsRepo.groups")(function* (request) {
          const items = yield* page("group", request)
          return yield* decodeGroups(items.map(({ id, ...item }) => ({ ...item, groupId: id })))
        }, Effect.orDie),

        events: Effect.fn("SuggestionsRepo.events")(function* (request) {
          const items = yield* page("event", request)
          return yield* decodeEvents(items.map(({ id, ...item }) => ({ ...item, eventId: id })))
        }, Effect.orDie),

        people: Effect.fn("SuggestionsRepo.people")(function* (request) {
          const items = yield* page("person", request)
          return yield* decodePeople(items.map(({ id, score, reasons }) => ({ personId: id, score, reasons })))
        }, Effect.orDie),

        dismiss: Effect.fn("SuggestionsRepo.dismiss")(function* (userId, kind, targetId, cause) {
          yield* sql`
            INSERT INTO recommendation_dismissals (user_id, kind, target_id, cause, created_at)
            VALUES (${userId}, ${kind}, ${targetId}, ${cause}, now())
            ON CONFLICT (user_id, kind, target_id) DO NOTHING`
          // The list no longer has the content its digest was made of: unknown until the next rebuild.
          yield* sql`
            UPDATE recommendations SET items = ARRAY(
              SELECT items[n] FROM generate_subscripts(items, 1) AS n WHERE (items[n]).id <> ${targetId}::uuid ORDER BY n
            ), digest = NULL
            WHERE user_id = ${userId} AND kind = ${kind}
              AND EXISTS (SELECT 1 FROM unnest(items) AS i WHERE i.id = ${targetId}::uuid)`
        }, Effect.orDie),

        inferred: Effect.fn("SuggestionsRepo.inferred")(function* (userId) {
          return yield* sql`
            SELECT i.interest, i.weight FROM recommendation_interests r
            CROSS JOIN LATERAL unnest(r.interests) WITH ORDINALITY AS i
            WHERE r.user_id = ${userId} ORDER BY i.ordinality`.pipe(Effect.flatMap(decodeInferred))
        }, Effect.orDie),

        place: Effect.fn("SuggestionsRepo.place")(function* (userId) {
          return yield* sql`SELECT latitude, longitude FROM recommendation_places WHERE user_id = ${userId}`.pipe(
            Effect.flatMap(decodePlace)
          )
        }, Effect.orDie),

        forget: Effect.fn("SuggestionsRepo.forget")(function* (userId) {
          yield* sql`DELETE FROM recommendation_places WHERE user_id = ${userId}`
          yield* sql`DELETE FROM recommendation_interests WHERE user_id = ${userId}`
          yield* sql`DELETE FROM recommendation_dismissals WHERE user_id = ${userId}`
          yield* sql`DELETE FROM recommendations WHERE user_id = ${userId}`
        }, Effect.orDie),

        setPlace: Effect.fn("SuggestionsRepo.setPlace")(function* (userId, place) {
          if (place === null) {
            yield* sql`DELETE FROM recommendation_places WHERE user_id = ${userId}`
            return
          }
          yield* sql`
            INSERT INTO recommendation_places (user_id, latitude, longitude, updated_at)
            VALUES (${userId}, ${place.latitude}, ${place.longitude}, now())
            ON CONFLICT (user_id) DO UPDATE SET latitude = excluded.latitude, longitude = excluded.longitude,
              updated_at = excluded.updated_at`
        }, Effect.orDie)
      })
    })
  )
}
