import type { UserId } from "@moim/domain/Accounts/User"
import { ActivityKind, type DeviceClass } from "@moim/domain/Analytics/Analytics"
import { GroupId } from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

/** One row of `activity_events`, as written. */
export interface ActivityRow {
  readonly occurredAt: Date
  readonly userId: string | null
  readonly kind: ActivityKind
  readonly subjectId: string | null
  readonly groupId: string | null
  readonly device: DeviceClass
  readonly addressHash: string | null
}

/** A half-open range of instants, `[from, until)`. */
export interface Span {
  readonly from: Date
  readonly until: Date
}

/** A calendar unit Postgres truncates to (`date_trunc`), in UTC. */
export type Unit = "day" | "week" | "month"

const PeriodRow = Schema.Struct({ start: Schema.Date, lastDay: Schema.Date, users: Schema.Int })
const decodePeriods = Rows.all(PeriodRow)
const decodeDays = Rows.all(Schema.Struct({ day: Schema.Date, users: Schema.Int }))
const decodeCohorts = Rows.all(Schema.Struct({ week: Schema.Date, users: Schema.Int }))
const decodeReturns = Rows.all(Schema.Struct({ cohort: Schema.Date, week: Schema.Date, users: Schema.Int }))
const decodeGroups = Rows.all(Schema.Struct({ groupId: GroupId, events: Schema.Int, activeUsers: Schema.Int }))
const decodeKinds = Rows.all(Schema.Struct({ groupId: GroupId, kind: ActivityKind, events: Schema.Int }))
const decodeNames = Rows.all(Schema.Struct({ name: Schema.String }))

/** The name of a month's partition: `activity_events_pYYYYMM`. */
export const partitionName = (monthStart: Date) =>
  `activity_events_p${monthStart.getUTCFullYear()}${String(monthStart.getUTCMonth() + 1).padStart(2, "0")}`

const partitionPattern = /^activity_events_p(\d{4})(\d{2})$/

/** The first instant of the month a partition holds, from its name; none for the default partition. */
export const partitionMonth = (name: string): Date | undefined => {
  const match = partitionPattern.exec(name)
  return match === null ? undefined : new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1))
}

/** The `activity_events` table and its monthly partitions. */
export class ActivityRepo extends Context.Service<
  ActivityRepo,
  {
    /** Writes a batch in one statement. */
    readonly insertMany: (rows: ReadonlyArray<ActivityRow>) => Effect.Effect<void>
    /** Deletes every event of the user, in every partition. */
    readonly forgetUser: (userId: UserId) => Effect.Effect<void>
    /** Distinct signed-in users with an event in each `unit` of the span, cut to the span; empty periods too. */
    readonly activeUsers: (span: Span, unit: Unit) => Effect.Effect<ReadonlyArray<typeof PeriodRow.Type>>
    /** Distinct users who signed up on each day of the span. */
    readonly signupsPerDay: (span: Span) => Effect.Effect<ReadonlyArray<{ readonly day: Date; readonly users: number }>>
    /** The size of each signup week's cohort (weeks starting in the span). */
    readonly cohorts: (span: Span) => Effect.Effect<ReadonlyArray<{ readonly week: Date; readonly users: number }>>
    /** For each cohort (signup weeks starting in the span), how many were active in each week starting in the span. */
    readonly cohortReturns: (
      span: Span
    ) => Effect.Effect<ReadonlyArray<{ readonly cohort: Date; readonly week: Date; readonly users: number }>>
    /** The most active groups in the span, with their event counts and active users. */
    readonly topGroups: (
      span: Span,
      limit: number
    ) => Effect.Effect<
      ReadonlyArray<{ readonly groupId: GroupId; readonly events: number; readonly activeUsers: number }>
    >
    /** Those groups' events by kind in the span. */
    readonly kindsOf: (
      span: Span,
      groupIds: ReadonlyArray<GroupId>
    ) => Effect.Effect<
      ReadonlyArray<{ readonly groupId: GroupId; readonly kind: ActivityKind; readonly events: number }>
    >
    /** The monthly partitions there are (not the default one), by name. */
    readonly partitions: Effect.Effect<ReadonlyArray<string>>
    /**
     * Makes the partition of the month starting at `monthStart`, moving into it the rows of that month
     * that landed in the default partition; one transaction.
     */
    readonly createPartition: (monthStart: Date) => Effect.Effect<void>
    /** Drops a month's partition (by its name). */
    readonly dropPartition: (name: string) => Effect.Effect<void>
    /** Deletes rows older than `before` from the default partition; how many. */
    readonly purgeDefault: (before: Date) => Effect.Effect<number>
  }
>()("@moim/server/Analytics/ActivityRepo") {
  static readonly layer = Layer.effect(
    ActivityRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient

      return ActivityRepo.of({
        forgetUser: Effect.fn("ActivityRepo.forgetUser")(function* (userId) {
          yield* sql`DELETE FROM activity_events WHERE user_id = ${userId}`
        }, Effect.orDie),

        insertMany: Effect.fn("ActivityRepo.insertMany")(function* (rows) {
          if (rows.length === 0) return
          // One parameter, whatever the batch's size (and a column may be null in every row).
          const batch = JSON.stringify(
            rows.map((row) => ({
              occurred_at: row.occurredAt.toISOString(),
              user_id: row.userId,
              kind: row.kind,
              subject_id: row.subjectId,
              group_id: row.groupId,
              device: row.device,
              address_hash: row.addressHash
            }))
          )
          yield* sql`
            INSERT INTO activity_events (occurred_at, user_id, kind, subject_id, group_id, device, address_hash)
            SELECT occurred_at, user_id, kind, subject_id, group_id, device, address_hash
            FROM jsonb_to_recordset(${batch}::jsonb) AS batch (occurred_at timestamptz, user_id uuid, kind text,
              subject_id uuid, group_id uuid, device text, address_hash text)`
        }, Effect.orDie),

        activeUsers: Effect.fn("ActivityRepo.activeUsers")(function* (span, unit) {
          const step = `1 ${unit}`
          return yield* sql`
            WITH periods AS (
              SELECT greatest(p, ${span.from}::timestamptz AT TIME ZONE 'UTC') AS start,
                least(p + ${step}::interval, ${span.until}::timestamptz AT TIME ZONE 'UTC') AS until
              FROM generate_series(date_trunc(${unit}, ${span.from}::timestamptz AT TIME ZONE 'UTC'),
                ${span.until}::timestamptz AT TIME ZONE 'UTC' - interval '1 microsecond', ${step}::interval) AS p
            )
            SELECT (p.start AT TIME ZONE 'UTC') AS start, ((p.until - interval '1 day') AT TIME ZONE 'UTC') AS last_day,
              (SELECT count(DISTINCT e.user_id)::int FROM activity_events e
                WHERE e.user_id IS NOT NULL AND e.occurred_at >= (p.start AT TIME ZONE 'UTC')
                  AND e.occurred_at < (p.until AT TIME ZONE 'UTC')) AS users
            FROM periods p
            ORDER BY p.start`.pipe(Effect.flatMap(decodePeriods))
        }, Effect.orDie),

        signupsPerDay: Effect.fn("ActivityRepo.signupsPerDay")(function* (span) {
          return yield* sql`
            SELECT (d AT TIME ZONE 'UTC') AS day,
              (SELECT count(DISTINCT e.user_id)::int FROM activity_events e
                WHERE e.kind = 'signup' AND e.occurred_at >= (d AT TIME ZONE 'UTC')
                  AND e.occurred_at < ((d + interval '1 day') AT TIME ZONE 'UTC')) AS users
            FROM generate_series(${span.from}::timestamptz AT TIME ZONE 'UTC',
              ${span.until}::timestamptz AT TIME ZONE 'UTC' - interval '1 day', interval '1 day') AS d
            ORDER BY d`.pipe(Effect.flatMap(decodeDays))
        }, Effect.orDie),

        cohorts: Effect.fn("ActivityRepo.cohorts")(function* (span) {
          return yield* sql`
            WITH signups AS (
              SELECT user_id, min(occurred_at) AS at FROM activity_events
              WHERE kind = 'signup' AND user_id IS NOT NULL
                AND occurred_at >= ${span.from}::timestamptz AND occurred_at < ${span.until}::timestamptz
              GROUP BY user_id
            )
            SELECT (date_trunc('week', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS week, count(*)::int AS users
            FROM signups GROUP BY 1 ORDER BY 1`.pipe(Effect.flatMap(decodeCohorts))
        }, Effect.orDie),

        cohortReturns: Effect.fn("ActivityRepo.cohortReturns")(function* (span) {
          return yield* sql`
            WITH signups AS (
              SELECT user_id, date_trunc('week', min(occurred_at) AT TIME ZONE 'UTC') AS cohort FROM activity_events
              WHERE kind = 'signup' AND user_id IS NOT NULL
                AND occurred_at >= ${span.from}::timestamptz AND occurred_at < ${span.until}::timestamptz
              GROUP BY user_id
            ), weeks AS (
              SELECT DISTINCT e.user_id, date_trunc('week', e.occurred_at AT TIME ZONE 'UTC') AS week
              FROM activity_events e
              WHERE e.user_id = ANY(SELECT user_id FROM signups)
                AND e.occurred_at >= ${span.from}::timestamptz AND e.occurred_at < ${span.until}::timestamptz
            )
            SELECT (s.cohort AT TIME ZONE 'UTC') AS cohort, (w.week AT TIME ZONE 'UTC') AS week, count(*)::int AS users
            FROM signups s JOIN weeks w ON w.user_id = s.user_id AND w.week >= s.cohort
            GROUP BY s.cohort, w.week
            ORDER BY s.cohort, w.week`.pipe(Effect.flatMap(decodeReturns))
        }, Effect.orDie),

        topGroups: Effect.fn("ActivityRepo.topGroups")(function* (span, limit) {
          return yield* sql`
            SELECT group_id, count(*)::int AS events, count(DISTINCT user_id)::int AS active_users
            FROM activity_events
            WHERE group_id IS NOT NULL AND occurred_at >= ${span.from}::timestamptz AND occurred_at < ${span.until}::timestamptz
            GROUP BY group_id
            ORDER BY events DESC, group_id
            LIMIT ${limit}`.pipe(Effect.flatMap(decodeGroups))
        }, Effect.orDie),

        kindsOf: Effect.fn("ActivityRepo.kindsOf")(function* (span, groupIds) {
          if (groupIds.length === 0) return []
          return yield* sql`
            SELECT group_id, kind, count(*)::int AS events
            FROM activity_events
            WHERE group_id = ANY(${[...groupIds]}::uuid[])
              AND occurred_at >= ${span.from}::timestamptz AND occurred_at < ${span.until}::timestamptz
            GROUP BY group_id, kind`.pipe(Effect.flatMap(decodeKinds))
        }, Effect.orDie),

        partitions: sql`
          SELECT relid::text AS name FROM pg_partition_tree('activity_events')
          WHERE isleaf AND relid::text <> 'activity_events_default'
          ORDER BY 1`.pipe(
          Effect.flatMap(decodeNames),
          Effect.map((rows) => rows.map((row) => row.name)),
          Effect.orDie
        ),

        createPartition: Effect.fn("ActivityRepo.createPartition")(function* (monthStart) {
          const name = partitionName(monthStart)
          const from = monthStart.toISOString()
          const until = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1)).toISOString()
          const table = sql(name)
          yield* sql.withTransaction(
            Effect.gen(function* () {
              yield* sql`CREATE TABLE ${table} (LIKE activity_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`
              yield* sql`
                WITH moved AS (
                  DELETE FROM activity_events_default
                  WHERE occurred_at >= ${from}::timestamptz AND occurred_at < ${until}::timestamptz
                  RETURNING occurred_at, user_id, kind, subject_id, group_id, device, address_hash
                )
                INSERT INTO ${table} (occurred_at, user_id, kind, subject_id, group_id, device, address_hash)
                SELECT * FROM moved`
              // Bounds are written out: a partition bound takes no parameters. Both are ISO instants made here.
              yield* sql.unsafe(
                `ALTER TABLE activity_events ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${until}')`
              )
            })
          )
        }, Effect.orDie),

        dropPartition: Effect.fn("ActivityRepo.dropPartition")(function* (name) {
          if (partitionMonth(name) === undefined)
            return yield* Effect.die(new Error(`not a month's partition: ${name}`))
          yield* sql`DROP TABLE IF EXISTS ${sql(name)}`
        }, Effect.orDie),

        purgeDefault: Effect.fn("ActivityRepo.purgeDefault")(function* (before) {
          const rows = yield* sql`
            WITH purged AS (DELETE FROM activity_events_default WHERE occurred_at < ${before}::timestamptz RETURNING 1)
            SELECT count(*)::int AS count FROM purged`.pipe(
            Effect.flatMap(Rows.first(Schema.Struct({ count: Schema.Int })))
          )
          return rows._tag === "Some" ? rows.value.count : 0
        }, Effect.orDie)
      })
    })
  )
}
