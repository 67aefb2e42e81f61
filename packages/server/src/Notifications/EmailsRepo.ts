import { UserId } from "@moim/domain/Accounts/User"
import { NotificationId } from "@moim/domain/Notifications/Notification"
import { DigestFrequency } from "@moim/domain/Notifications/Preferences"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"
import { NotificationRow } from "./NotificationsRepo.ts"

const columns = `n.id, n.recipient_id, n.type, n.subject_kind, n.subject_id, n.group_id, n.actor_ids::text[] AS actor_ids,
  n.actor_count, n.data, n.created_at, n.updated_at, n.read_at, n.seen_at`

const DigestZone = Schema.Struct({ timeZone: Schema.String, digest: DigestFrequency })
export type DigestZone = typeof DigestZone.Type

const decodeRow = Rows.first(NotificationRow)
const decodeRows = Rows.all(NotificationRow)
const decodeIds = Rows.all(Schema.Struct({ notificationId: NotificationId }))
const decodeZones = Rows.all(DigestZone)
const decodeUsers = Rows.all(Schema.Struct({ userId: UserId }))

/**
 * The `notification_emails` table (which notifications were emailed, alone or in a digest) and
 * `notification_digests` (which digest periods went out). It reads its feature's `notifications`
 * (what is still unread and not emailed) and `notification_settings` (who is on a digest) beside them.
 */
export class EmailsRepo extends Context.Service<
  EmailsRepo,
  {
    /** The notification, if it is unread and was never emailed. */
    readonly pending: (id: NotificationId) => Effect.Effect<Option.Option<NotificationRow>>
    /** The recipient's unread notifications never emailed, most recently changed first. */
    readonly pendingFor: (recipientId: UserId, limit: number) => Effect.Effect<ReadonlyArray<NotificationRow>>
    /**
     * Records these notifications as emailed, those still unread and not emailed before; returns
     * them. Two jobs racing for one notification: one gets it, the other nothing.
     */
    readonly claim: (
      recipientId: UserId,
      ids: ReadonlyArray<NotificationId>,
      via: "single" | "digest"
    ) => Effect.Effect<ReadonlyArray<NotificationId>>
    /** Records the user's digest of a period; false when it went out already. */
    readonly claimDigest: (userId: UserId, period: string, count: number) => Effect.Effect<boolean>
    readonly digestSent: (userId: UserId, period: string) => Effect.Effect<boolean>
    /** Every time zone and frequency some user's digest is on with. */
    readonly digestZones: Effect.Effect<ReadonlyArray<DigestZone>>
    /** The users of one time zone and frequency, by id, after `after`. */
    readonly digestUsers: (options: {
      readonly zone: DigestZone
      readonly after: UserId | null
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<UserId>>
    /** Forgets digests older than `days` days: no period is ever that far back. */
    readonly pruneDigests: (days: number) => Effect.Effect<void>
  }
>()("@moim/server/Notifications/EmailsRepo") {
  static readonly layer = Layer.effect(
    EmailsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)

      return EmailsRepo.of({
        pending: Effect.fn("EmailsRepo.pending")(function* (id) {
          return yield* sql`
            SELECT ${selected} FROM notifications n
            WHERE n.id = ${id} AND n.read_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM notification_emails e WHERE e.notification_id = n.id)`.pipe(
            Effect.flatMap(decodeRow)
          )
        }, Effect.orDie),

        pendingFor: Effect.fn("EmailsRepo.pendingFor")(function* (recipientId, limit) {
          return yield* sql`
            SELECT ${selected} FROM notifications n
            WHERE n.recipient_id = ${recipientId} AND n.read_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM notification_emails e WHERE e.notification_id = n.id)
            ORDER BY n.updated_at DESC, n.id DESC
            LIMIT ${limit}`.pipe(Effect.flatMap(decodeRows))
        }, Effect.orDie),

        claim: Effect.fn("EmailsRepo.claim")(function* (recipientId, ids, via) {
          if (ids.length === 0) return []
          const rows = yield* sql`
            INSERT INTO notification_emails (notification_id, recipient_id, via, created_at)
            SELECT n.id, n.recipient_id, ${via}, now() FROM notifications n
            WHERE n.id = ANY(${[...ids]}::uuid[]) AND n.recipient_id = ${recipientId} AND n.read_at IS NULL
            ON CONFLICT DO NOTHING
            RETURNING notification_id`.pipe(Effect.flatMap(decodeIds))
          return rows.map((row) => row.notificationId)
        }, Effect.orDie),

        claimDigest: Effect.fn("EmailsRepo.claimDigest")(function* (userId, period, count) {
          const rows = yield* sql`
            INSERT INTO notification_digests (user_id, period, notification_count, created_at)
            VALUES (${userId}, ${period}, ${count}, now())
            ON CONFLICT DO NOTHING
            RETURNING user_id`
          return rows.length > 0
        }, Effect.orDie),

        digestSent: Effect.fn("EmailsRepo.digestSent")(function* (userId, period) {
          const rows = yield* sql`
            SELECT 1 AS sent FROM notification_digests WHERE user_id = ${userId} AND period = ${period}`
          return rows.length > 0
        }, Effect.orDie),

        digestZones: sql`
          SELECT DISTINCT time_zone, digest FROM notification_settings WHERE digest <> 'off'`.pipe(
          Effect.flatMap(decodeZones),
          Effect.orDie,
          Effect.withSpan("EmailsRepo.digestZones")
        ),

        digestUsers: Effect.fn("EmailsRepo.digestUsers")(function* (options) {
          const after = options.after === null ? sql`` : sql`AND user_id > ${options.after}::uuid`
          const rows = yield* sql`
            SELECT user_id FROM notification_settings
            WHERE digest <> 'off' AND time_zone = ${options.zone.timeZone} AND digest = ${options.zone.digest} ${after}
            ORDER BY user_id
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeUsers))
          return rows.map((row) => row.userId)
        }, Effect.orDie),

        pruneDigests: Effect.fn("EmailsRepo.pruneDigests")(function* (days) {
          yield* sql`DELETE FROM notification_digests WHERE created_at < now() - make_interval(days => ${days})`
        }, Effect.orDie)
      })
    })
  )
}
