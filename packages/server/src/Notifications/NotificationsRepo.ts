import { UserId } from "@moim/domain/Accounts/User"
import { GroupId } from "@moim/domain/Groups/Group"
import { NotificationId } from "@moim/domain/Notifications/Notification"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

export const NotificationRow = Schema.Struct({
  id: NotificationId,
  recipientId: UserId,
  type: Schema.String,
  subjectKind: Schema.String,
  subjectId: Schema.String,
  groupId: Schema.NullOr(GroupId),
  actorIds: Schema.Array(UserId),
  actorCount: Schema.Int,
  data: Schema.Unknown,
  createdAt: Schema.Date,
  updatedAt: Schema.Date,
  readAt: Schema.NullOr(Schema.Date),
  seenAt: Schema.NullOr(Schema.Date)
})
export type NotificationRow = typeof NotificationRow.Type

const SubjectCount = Schema.Struct({
  subjectKind: Schema.String,
  subjectId: Schema.String,
  unread: Schema.Int,
  unseen: Schema.Int
})
export type SubjectCount = typeof SubjectCount.Type

const Position = Schema.Struct({ updatedAt: Schema.Date, id: NotificationId })
const Recipient = Schema.Struct({ recipientId: UserId })

const decodeRows = Rows.all(NotificationRow)
const decodeRow = Rows.first(NotificationRow)
const decodeCounts = Rows.all(SubjectCount)
const decodePosition = Rows.first(Position)
const decodeRecipients = Rows.all(Recipient)

const columns = `id, recipient_id, type, subject_kind, subject_id, group_id, actor_ids::text[] AS actor_ids, actor_count,
  data, created_at, updated_at, read_at, seen_at`

/** What one event writes for each of its recipients. */
export interface NotificationWrite {
  readonly type: string
  readonly subjectKind: string
  readonly subjectId: string
  readonly groupId: GroupId | null
  /** Set for collapsible kinds: an unread notification with the same key absorbs the event. */
  readonly collapseKey: string | null
  readonly actorId: UserId | null
  readonly data: unknown
}

/**
 * The `notifications` and `notification_deliveries` tables: the notifications users see, and which
 * event reached which recipient (so an event delivered twice writes nothing the second time).
 */
export class NotificationsRepo extends Context.Service<
  NotificationsRepo,
  {
    /** Records that the event reached these recipients; returns those it had not reached before. */
    readonly claimDeliveries: (
      eventId: string,
      recipients: ReadonlyArray<UserId>
    ) => Effect.Effect<ReadonlyArray<UserId>>
    /**
     * Writes one notification per recipient (`ids[i]` for `recipients[i]`); for a collapsible kind,
     * an unread one with the same key takes the new actor (first of at most three) and data instead.
     * Returns the id of the notification each recipient now has.
     */
    readonly write: (
      ids: ReadonlyArray<NotificationId>,
      recipients: ReadonlyArray<UserId>,
      notification: NotificationWrite
    ) => Effect.Effect<ReadonlyArray<{ readonly id: NotificationId; readonly recipientId: UserId }>>
    /** The recipient's notifications, most recently changed first. */
    readonly list: (options: {
      readonly recipientId: UserId
      readonly unreadOnly: boolean
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<NotificationRow>>
    /** Unread and unseen counts per subject (at most 500 subjects), for counts that leave hidden subjects out. */
    readonly unreadBySubject: (recipientId: UserId) => Effect.Effect<ReadonlyArray<SubjectCount>>
    readonly find: (recipientId: UserId, id: NotificationId) => Effect.Effect<Option.Option<NotificationRow>>
    readonly position: (
      recipientId: UserId,
      id: NotificationId
    ) => Effect.Effect<Option.Option<{ readonly updatedAt: Date; readonly id: NotificationId }>>
    /** False when the recipient has no such notification. */
    readonly markRead: (recipientId: UserId, id: NotificationId) => Effect.Effect<boolean>
    /** Marks every unread notification, or those at or after `upTo` in list order; returns how many. */
    readonly markAllRead: (
      recipientId: UserId,
      upTo: { readonly updatedAt: Date; readonly id: NotificationId } | null
    ) => Effect.Effect<number>
    readonly markSeen: (recipientId: UserId) => Effect.Effect<void>
    /** False when the recipient has no such notification. */
    readonly remove: (recipientId: UserId, id: NotificationId) => Effect.Effect<boolean>
    /**
     * Deletes the unread notifications of `type` about `subjectId` (those with `data.<field>` equal
     * to `value` when given), for every recipient; returns whose they were.
     */
    readonly withdraw: (options: {
      readonly type: string
      readonly subjectId: string
      readonly dataField: { readonly name: string; readonly value: string } | null
    }) => Effect.Effect<ReadonlyArray<UserId>>
    /** Removes up to `limit` notifications read more than `retentionSeconds` ago. */
    readonly purgeRead: (retentionSeconds: number, limit: number) => Effect.Effect<number>
  }
>()("@moim/server/Notifications/NotificationsRepo") {
  static readonly layer = Layer.effect(
    NotificationsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)

      return NotificationsRepo.of({
        purgeRead: Effect.fn("NotificationsRepo.purgeRead")(function* (retentionSeconds, limit) {
          const rows = yield* sql`
            DELETE FROM notifications WHERE id IN (
              SELECT id FROM notifications
              WHERE read_at < now() - make_interval(secs => ${retentionSeconds}) LIMIT ${limit}
            ) RETURNING 1`
          return rows.length
        }, Effect.orDie),

        claimDeliveries: Effect.fn("NotificationsRepo.claimDeliveries")(function* (eventId, recipients) {
          if (recipients.length === 0) return []
          const rows = yield* sql`
            INSERT INTO notification_deliveries (event_id, recipient_id, created_at)
            SELECT ${eventId}, recipient, now() FROM unnest(${[...recipients]}::uuid[]) AS recipient
            ON CONFLICT DO NOTHING
            RETURNING recipient_id`.pipe(Effect.flatMap(decodeRecipients))
          return rows.map((row) => row.recipientId)
        }, Effect.orDie),

        write: Effect.fn("NotificationsRepo.write")(function* (ids, recipients, notification) {
          if (recipients.length === 0) return []
          const actors = notification.actorId === null ? [] : [notification.actorId]
          const rows = yield* sql`
            INSERT INTO notifications (id, recipient_id, type, subject_kind, subject_id, group_id, collapse_key, actor_ids,
              actor_count, data, created_at, updated_at)
            SELECT id, recipient, ${notification.type}, ${notification.subjectKind}, ${notification.subjectId},
              ${notification.groupId}::uuid, ${notification.collapseKey}, ${actors}::uuid[], ${actors.length},
              ${JSON.stringify(notification.data)}::jsonb, now(), now()
            FROM unnest(${[...ids]}::uuid[], ${[...recipients]}::uuid[]) AS fresh (id, recipient)
            ON CONFLICT (recipient_id, collapse_key) WHERE read_at IS NULL AND collapse_key IS NOT NULL
            DO UPDATE SET
              actor_ids = CASE WHEN cardinality(EXCLUDED.actor_ids) = 0 THEN notifications.actor_ids
                ELSE (EXCLUDED.actor_ids || array_remove(notifications.actor_ids, EXCLUDED.actor_ids[1]))[1:3] END,
              actor_count = notifications.actor_count
                + CASE WHEN EXCLUDED.actor_ids[1] = ANY(notifications.actor_ids) THEN 0 ELSE EXCLUDED.actor_count END,
              data = EXCLUDED.data,
              updated_at = EXCLUDED.updated_at,
              seen_at = NULL
            RETURNING id, recipient_id`.pipe(
            Effect.flatMap(Rows.all(Schema.Struct({ id: NotificationId, recipientId: UserId })))
          )
          return rows
        }, Effect.orDie),

        list: Effect.fn("NotificationsRepo.list")(function* (options) {
          const unread = options.unreadOnly ? sql`AND read_at IS NULL` : sql``
          const after =
            options.after === null
              ? sql``
              : sql`AND (updated_at, id) < (${options.after.at}::timestamptz, ${options.after.id}::uuid)`
          return yield* sql`
            SELECT ${selected} FROM notifications
            WHERE recipient_id = ${options.recipientId} ${unread} ${after}
            ORDER BY updated_at DESC, id DESC
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeRows))
        }, Effect.orDie),

        unreadBySubject: Effect.fn("NotificationsRepo.unreadBySubject")(function* (recipientId) {
          return yield* sql`
            SELECT subject_kind, subject_id, count(*)::int AS unread, count(*) FILTER (WHERE seen_at IS NULL)::int AS unseen
            FROM notifications WHERE recipient_id = ${recipientId} AND read_at IS NULL
            GROUP BY subject_kind, subject_id
            ORDER BY max(updated_at) DESC
            LIMIT 500`.pipe(Effect.flatMap(decodeCounts))
        }, Effect.orDie),

        find: Effect.fn("NotificationsRepo.find")(function* (recipientId, id) {
          return yield* sql`
            SELECT ${selected} FROM notifications WHERE id = ${id} AND recipient_id = ${recipientId}`.pipe(
            Effect.flatMap(decodeRow)
          )
        }, Effect.orDie),

        position: Effect.fn("NotificationsRepo.position")(function* (recipientId, id) {
          return yield* sql`
            SELECT updated_at, id FROM notifications WHERE id = ${id} AND recipient_id = ${recipientId}`.pipe(
            Effect.flatMap(decodePosition)
          )
        }, Effect.orDie),

        markRead: Effect.fn("NotificationsRepo.markRead")(function* (recipientId, id) {
          const rows = yield* sql`
            UPDATE notifications SET read_at = coalesce(read_at, now()), seen_at = coalesce(seen_at, now())
            WHERE id = ${id} AND recipient_id = ${recipientId}
            RETURNING recipient_id`
          return rows.length > 0
        }, Effect.orDie),

        markAllRead: Effect.fn("NotificationsRepo.markAllRead")(function* (recipientId, upTo) {
          const bound =
            upTo === null ? sql`` : sql`AND (updated_at, id) <= (${upTo.updatedAt}::timestamptz, ${upTo.id}::uuid)`
          const marked = yield* sql`
            UPDATE notifications SET read_at = now(), seen_at = coalesce(seen_at, now())
            WHERE recipient_id = ${recipientId} AND read_at IS NULL ${bound}
            RETURNING 1 AS marked`
          return marked.length
        }, Effect.orDie),

        markSeen: Effect.fn("NotificationsRepo.markSeen")(function* (recipientId) {
          yield* sql`UPDATE notifications SET seen_at = now() WHERE recipient_id = ${recipientId} AND seen_at IS NULL`
        }, Effect.orDie),

        withdraw: Effect.fn("NotificationsRepo.withdraw")(function* (options) {
          const field = options.dataField
          const rows = yield* sql`
            DELETE FROM notifications
            WHERE type = ${options.type} AND subject_id = ${options.subjectId} AND read_at IS NULL
              AND ${field === null ? sql`true` : sql`data ->> ${field.name} = ${field.value}`}
            RETURNING recipient_id`.pipe(Effect.flatMap(decodeRecipients))
          return [...new Set(rows.map((row) => row.recipientId))]
        }, Effect.orDie),

        remove: Effect.fn("NotificationsRepo.remove")(function* (recipientId, id) {
          const rows = yield* sql`
            DELETE FROM notifications WHERE id = ${id} AND recipient_id = ${recipientId} RETURNING id`
          return rows.length > 0
        }, Effect.orDie)
      })
    })
  )
}
