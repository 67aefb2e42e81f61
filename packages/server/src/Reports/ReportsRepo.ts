import { UserId } from "@moim/domain/Accounts/User"
import { GroupId } from "@moim/domain/Groups/Group"
import {
  type ReportAction,
  ReportId,
  ReportReason,
  ReportStatus,
  type ReportSubject,
  ReportSubjectKind
} from "@moim/domain/Reports/Report"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

export const ReportRow = Schema.Struct({
  id: ReportId,
  subjectKind: ReportSubjectKind,
  subjectId: Schema.String,
  groupId: Schema.NullOr(GroupId),
  excerpt: Schema.String,
  reporterId: UserId,
  reason: ReportReason,
  text: Schema.String,
  status: ReportStatus,
  createdAt: Schema.Date,
  resolvedAt: Schema.NullOr(Schema.Date),
  resolvedBy: Schema.NullOr(UserId)
})
export type ReportRow = typeof ReportRow.Type

const decodeReport = Rows.first(ReportRow)
const decodeReports = Rows.all(ReportRow)
const decodeCount = Rows.first(Schema.Struct({ count: Schema.Int }))
const decodeIds = Rows.all(Schema.Struct({ id: Schema.String }))
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const columns = `id, subject_kind, subject_id::text AS subject_id, group_id, excerpt, reporter_id, reason, text, status,
  created_at, resolved_at, resolved_by`

/** Which queue: a group's (`groupId`) or the site's, open or resolved. */
export interface QueueQuery {
  readonly groupId: GroupId | null
  readonly kind: ReportSubject["kind"] | undefined
  readonly open: boolean
  readonly limit: number
  readonly after: TimePosition | null
}

/** The `reports` table. */
export class ReportsRepo extends Context.Service<
  ReportsRepo,
  {
    /** Files the report; none when the reporter's report of the item is still open. */
    readonly insert: (report: {
      readonly id: ReportId
      readonly subject: ReportSubject
      readonly groupId: GroupId | null
      readonly excerpt: string
      readonly reporterId: UserId
      readonly reason: typeof ReportReason.Type
      readonly text: string
    }) => Effect.Effect<Option.Option<ReportRow>>
    /** Serialises the reports of one item until the transaction ends, so the hiding threshold is met exactly once. */
    readonly lockSubject: (subject: ReportSubject) => Effect.Effect<void>
    /** How many people have an open report of the item. */
    readonly openReporters: (subject: ReportSubject) => Effect.Effect<number>
    readonly lock: (id: ReportId) => Effect.Effect<Option.Option<ReportRow>>
    /** Resolves every open report of the item; returns them. */
    readonly resolve: (
      subject: ReportSubject,
      action: ReportAction,
      by: UserId
    ) => Effect.Effect<ReadonlyArray<ReportRow>>
    readonly find: (id: ReportId) => Effect.Effect<Option.Option<ReportRow>>
    readonly findMany: (ids: ReadonlyArray<ReportId>) => Effect.Effect<ReadonlyArray<ReportRow>>
    /** Those among `ids` that `reporterId` filed. */
    readonly filedBy: (reporterId: UserId, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlySet<string>>
    readonly queue: (query: QueueQuery) => Effect.Effect<ReadonlyArray<ReportRow>>
    /** A reporter's own reports, most recent first. */
    readonly byReporter: (options: {
      readonly reporterId: UserId
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<ReportRow>>
  }
>()("@moim/server/Reports/ReportsRepo") {
  static readonly layer = Layer.effect(
    ReportsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)

      return ReportsRepo.of({
        insert: Effect.fn("ReportsRepo.insert")(function* (report) {
          return yield* sql`
            INSERT INTO reports (id, subject_kind, subject_id, group_id, excerpt, reporter_id, reason, text, created_at)
            VALUES (${report.id}, ${report.subject.kind}, ${report.subject.id}, ${report.groupId}, ${report.excerpt},
              ${report.reporterId}, ${report.reason}, ${report.text}, now())
            ON CONFLICT (subject_kind, subject_id, reporter_id) WHERE status = 'open' DO NOTHING
            RETURNING ${selected}`.pipe(Effect.flatMap(decodeReport))
        }, Effect.orDie),

        lockSubject: Effect.fn("ReportsRepo.lockSubject")(function* (subject) {
          yield* sql`SELECT pg_advisory_xact_lock(hashtextextended(${`report:${subject.kind}:${subject.id}`}, 0))`
        }, Effect.orDie),

        openReporters: Effect.fn("ReportsRepo.openReporters")(function* (subject) {
          const row = yield* sql`
            SELECT count(*)::int AS count FROM reports
            WHERE subject_kind = ${subject.kind} AND subject_id = ${subject.id} AND status = 'open'`.pipe(
            Effect.flatMap(decodeCount)
          )
          return row._tag === "Some" ? row.value.count : 0
        }, Effect.orDie),

        lock: Effect.fn("ReportsRepo.lock")(function* (id) {
          return yield* sql`SELECT ${selected} FROM reports WHERE id = ${id} FOR UPDATE`.pipe(
            Effect.flatMap(decodeReport)
          )
        }, Effect.orDie),

        resolve: Effect.fn("ReportsRepo.resolve")(function* (subject, action, by) {
          return yield* sql`
            UPDATE reports SET status = ${action === "dismiss" ? "dismissed" : "removed"}, resolved_at = now(),
              resolved_by = ${by}
            WHERE subject_kind = ${subject.kind} AND subject_id = ${subject.id} AND status = 'open'
            RETURNING ${selected}`.pipe(Effect.flatMap(decodeReports))
        }, Effect.orDie),

        find: Effect.fn("ReportsRepo.find")(function* (id) {
          return yield* sql`SELECT ${selected} FROM reports WHERE id = ${id}`.pipe(Effect.flatMap(decodeReport))
        }, Effect.orDie),

        findMany: Effect.fn("ReportsRepo.findMany")(function* (ids) {
          if (ids.length === 0) return []
          return yield* sql`SELECT ${selected} FROM reports WHERE id = ANY(${[...ids]}::uuid[])`.pipe(
            Effect.flatMap(decodeReports)
          )
        }, Effect.orDie),

        filedBy: Effect.fn("ReportsRepo.filedBy")(function* (reporterId, ids) {
          const valid = ids.filter((id) => uuid.test(id))
          if (valid.length === 0) return new Set<string>()
          const rows = yield* sql`
            SELECT id::text AS id FROM reports WHERE reporter_id = ${reporterId} AND id = ANY(${valid}::uuid[])`.pipe(
            Effect.flatMap(decodeIds)
          )
          return new Set(rows.map((row) => row.id))
        }, Effect.orDie),

        queue: Effect.fn("ReportsRepo.queue")(function* (query) {
          const after = query.after
          const group = query.groupId === null ? sql`true` : sql`group_id = ${query.groupId}`
          const kind = query.kind === undefined ? sql`true` : sql`subject_kind = ${query.kind}`
          if (query.open) {
            return yield* sql`
              SELECT ${selected} FROM reports
              WHERE status = 'open' AND ${group} AND ${kind}
                AND ${after === null ? sql`true` : sql`(created_at, id) > (${after.at}::timestamptz, ${after.id}::uuid)`}
              ORDER BY created_at, id
              LIMIT ${query.limit}`.pipe(Effect.flatMap(decodeReports))
          }
          return yield* sql`
            SELECT ${selected} FROM reports
            WHERE status <> 'open' AND ${group} AND ${kind}
              AND ${after === null ? sql`true` : sql`(resolved_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY resolved_at DESC, id DESC
            LIMIT ${query.limit}`.pipe(Effect.flatMap(decodeReports))
        }, Effect.orDie),

        byReporter: Effect.fn("ReportsRepo.byReporter")(function* (options) {
          const after = options.after
          return yield* sql`
            SELECT ${selected} FROM reports
            WHERE reporter_id = ${options.reporterId}
              AND ${after === null ? sql`true` : sql`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY created_at DESC, id DESC
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeReports))
        }, Effect.orDie)
      })
    })
  )
}
