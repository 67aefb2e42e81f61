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
       * (score descending, then id), each with its id under `idColumn`.
       */
      const page = (kind: SuggestionKind, idColumn: string, request: PageRequest, extra: string) => {
        const after =
          request.after === null
            ? sql`true`
            : sql`((e.item->>'score')::int < ${request.after.score}
                OR ((e.item->>'score')::int = ${request.after.score} AND (e.item->>'id')::uuid > ${request.after.id}::uuid))`
        return sql`
          SELECT (e.item->>'id')::uuid AS ${sql(idColumn)}, (e.item->>'score')::int AS score, e.item->'reasons' AS reasons
            ${sql.literal(extra)}
          FROM recommendations r CROSS JOIN LATERAL jsonb_array_elements(r.items) WITH ORDINALITY AS e(item, position)
          WHERE r.user_id = ${request.userId} AND r.kind = ${kind} AND ${after}
          ORDER BY e.position LIMIT ${request.limit}`
      }
      const withDistance = ", (e.item->>'distanceKm')::float8 AS distance_km"

      return SuggestionsRepo.of({
        groups: Effect.fn("SuggestionsRepo.groups")(function* (request) {
          return yield* page("group", "group_id", request, withDistance).pipe(Effect.flatMap(decodeGroups))
        }, Effect.orDie),

        events: Effect.fn("SuggestionsRepo.events")(function* (request) {
          return yield* page("event", "event_id", request, withDistance).pipe(Effect.flatMap(decodeEvents))
        }, Effect.orDie),

        people: Effect.fn("SuggestionsRepo.people")(function* (request) {
          return yield* page("person", "person_id", request, "").pipe(Effect.flatMap(decodePeople))
        }, Effect.orDie),

        dismiss: Effect.fn("SuggestionsRepo.dismiss")(function* (userId, kind, targetId, cause) {
          yield* sql`
            INSERT INTO recommendation_dismissals (user_id, kind, target_id, cause, created_at)
            VALUES (${userId}, ${kind}, ${targetId}, ${cause}, now())
            ON CONFLICT (user_id, kind, target_id) DO NOTHING`
          yield* sql`
            UPDATE recommendations SET items = coalesce((
              SELECT jsonb_agg(e.item ORDER BY e.position)
              FROM jsonb_array_elements(items) WITH ORDINALITY AS e(item, position)
              WHERE e.item->>'id' <> ${targetId}
            ), '[]'::jsonb)
            WHERE user_id = ${userId} AND kind = ${kind} AND items @> ${JSON.stringify([{ id: targetId }])}::jsonb`
        }, Effect.orDie),

        inferred: Effect.fn("SuggestionsRepo.inferred")(function* (userId) {
          return yield* sql`
            SELECT interest, weight FROM recommendation_interests
            WHERE user_id = ${userId} ORDER BY weight DESC, interest`.pipe(Effect.flatMap(decodeInferred))
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
