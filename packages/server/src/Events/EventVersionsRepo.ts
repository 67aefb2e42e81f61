import { UserId } from "@moim/domain/Accounts/User"
import { EventId } from "@moim/domain/Events/Event"
import { EventVersionAction, EventVersionId } from "@moim/domain/Events/EventVersion"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SecureRandom } from "effect/crypto"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

export const VersionRow = Schema.Struct({
  id: EventVersionId,
  eventId: EventId,
  number: Schema.Int,
  action: EventVersionAction,
  actorId: Schema.NullOr(UserId),
  /** The changed fields, as JSON text. */
  changes: Schema.String,
  /** The event's fields as the change left them, as JSON text. */
  snapshot: Schema.String,
  restoredFrom: Schema.NullOr(Schema.Int),
  createdAt: Schema.Date
})
export type VersionRow = typeof VersionRow.Type

const decodeVersion = Rows.first(VersionRow)
const decodeVersions = Rows.all(VersionRow)
const decodeNumbers = Rows.all(Schema.Struct({ number: Schema.Int }))

const columns = "id, event_id, number, action, actor_id, changes, snapshot, restored_from, created_at"

/** The `event_versions` table: an event's history, numbered per event. */
export class EventVersionsRepo extends Context.Service<
  EventVersionsRepo,
  {
    /** Appends a version with the next number (callers hold the event's row lock); returns that number. */
    readonly append: (version: {
      readonly eventId: EventId
      readonly action: EventVersionAction
      readonly actorId: UserId | null
      readonly changes: string
      readonly snapshot: string
      readonly restoredFrom: number | null
    }) => Effect.Effect<number>
    /** An event's versions from the oldest, after `afterNumber`. */
    readonly list: (options: {
      readonly eventId: EventId
      readonly afterNumber: number | null
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<VersionRow>>
    readonly find: (eventId: EventId, id: EventVersionId) => Effect.Effect<Option.Option<VersionRow>>
  }
>()("@moim/server/Events/EventVersionsRepo") {
  static readonly layer = Layer.effect(
    EventVersionsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)
      return EventVersionsRepo.of({
        append: Effect.fn("EventVersionsRepo.append")(function* (version) {
          return yield* sql`
            INSERT INTO event_versions (id, event_id, number, action, actor_id, changes, snapshot, restored_from,
              created_at)
            VALUES (${SecureRandom.uuidV7Unsafe()}, ${version.eventId},
              (SELECT coalesce(max(number), 0) + 1 FROM event_versions WHERE event_id = ${version.eventId}),
              ${version.action}, ${version.actorId}, ${version.changes}, ${version.snapshot}, ${version.restoredFrom},
              clock_timestamp())
            RETURNING number`.pipe(
            Effect.flatMap(decodeNumbers),
            Effect.flatMap(([row]) =>
              row === undefined
                ? Effect.die(new Error("An appended version was not returned"))
                : Effect.succeed(row.number)
            )
          )
        }, Effect.orDie),

        list: Effect.fn("EventVersionsRepo.list")(function* (options) {
          return yield* sql`
            SELECT ${selected} FROM event_versions
            WHERE event_id = ${options.eventId}
              AND ${options.afterNumber === null ? sql`true` : sql`number > ${options.afterNumber}`}
            ORDER BY number
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeVersions))
        }, Effect.orDie),

        find: Effect.fn("EventVersionsRepo.find")(function* (eventId, id) {
          return yield* sql`SELECT ${selected} FROM event_versions WHERE event_id = ${eventId} AND id = ${id}`.pipe(
            Effect.flatMap(decodeVersion)
          )
        }, Effect.orDie)
      })
    })
  )
}
