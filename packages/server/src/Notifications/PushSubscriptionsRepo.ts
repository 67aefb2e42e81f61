import { UserId } from "@moim/domain/Accounts/User"
import type { NotificationId } from "@moim/domain/Notifications/Notification"
import { PushSubscriptionId } from "@moim/domain/Notifications/PushSubscription"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"
import { NotificationRow } from "./NotificationsRepo.ts"

export const SubscriptionRow = Schema.Struct({
  id: PushSubscriptionId,
  userId: UserId,
  endpoint: Schema.String,
  deviceName: Schema.NullOr(Schema.String),
  createdAt: Schema.Date
})
export type SubscriptionRow = typeof SubscriptionRow.Type

/** What one push needs: the notification, the device it goes to, and the version that device already got. */
export interface PushTarget {
  readonly notification: NotificationRow
  readonly subscriptionId: PushSubscriptionId
  readonly endpoint: string
  readonly p256dh: string
  readonly auth: string
  readonly pushedVersion: Date | null
}

const TargetRow = Schema.Struct({
  ...NotificationRow.fields,
  subscriptionId: PushSubscriptionId,
  endpoint: Schema.String,
  p256dh: Schema.String,
  auth: Schema.String,
  pushedVersion: Schema.NullOr(Schema.Date)
})

const decodeSubscription = Rows.first(SubscriptionRow)
const decodeSubscriptions = Rows.all(SubscriptionRow)
const decodeSubscribers = Rows.all(Schema.Struct({ id: PushSubscriptionId, userId: UserId }))
const decodeTarget = Rows.first(TargetRow)

const subscriptionColumns = "id, user_id, endpoint, device_name, created_at"

/**
 * The `push_subscriptions` table (each browser that receives a user's pushes) and `push_deliveries`
 * (which version of a notification each subscription was pushed). To prepare a push it reads the
 * notification beside the subscription, in one query.
 */
export class PushSubscriptionsRepo extends Context.Service<
  PushSubscriptionsRepo,
  {
    /**
     * Saves a browser's subscription for the user: a known endpoint of theirs gets the new keys (and
     * name, when one is given); one another user had is theirs no more (with what it was pushed).
     */
    readonly save: (subscription: {
      readonly id: PushSubscriptionId
      readonly userId: UserId
      readonly endpoint: string
      readonly p256dh: string
      readonly auth: string
      readonly deviceName: string | null
    }) => Effect.Effect<SubscriptionRow>
    /** Removes the user's subscriptions beyond the `keep` most recently registered. */
    readonly trim: (userId: UserId, keep: number) => Effect.Effect<void>
    /** The user's subscriptions, most recently added first. */
    readonly listOf: (userId: UserId, limit: number) => Effect.Effect<ReadonlyArray<SubscriptionRow>>
    /** False when the user has no such subscription. */
    readonly remove: (userId: UserId, id: PushSubscriptionId) => Effect.Effect<boolean>
    /** Removes every subscription of the user (their account is erased). */
    readonly removeAllOf: (userId: UserId) => Effect.Effect<void>
    /** Removes a subscription its push service says is gone, unless it was registered again since. */
    readonly removeGone: (id: PushSubscriptionId, endpoint: string, p256dh: string) => Effect.Effect<void>
    /** The subscriptions of these users. */
    readonly subscriptionsOf: (
      users: ReadonlyArray<UserId>
    ) => Effect.Effect<ReadonlyArray<{ readonly id: PushSubscriptionId; readonly userId: UserId }>>
    /** The notification and the subscription, when the subscription still belongs to its recipient. */
    readonly target: (
      notificationId: NotificationId,
      subscriptionId: PushSubscriptionId
    ) => Effect.Effect<Option.Option<PushTarget>>
    /** Records that the subscription was pushed this version of the notification. */
    readonly markPushed: (
      notificationId: NotificationId,
      subscriptionId: PushSubscriptionId,
      version: Date
    ) => Effect.Effect<void>
  }
>()("@moim/server/Notifications/PushSubscriptionsRepo") {
  static readonly layer = Layer.effect(
    PushSubscriptionsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(subscriptionColumns)

      return PushSubscriptionsRepo.of({
        save: Effect.fn("PushSubscriptionsRepo.save")(
          function* (subscription) {
            yield* sql`
              DELETE FROM push_subscriptions
              WHERE endpoint = ${subscription.endpoint} AND user_id <> ${subscription.userId}`
            // Should another user register the endpoint in between, the last to register keeps it.
            const saved = yield* sql`
              INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, device_name, created_at, updated_at)
              VALUES (${subscription.id}, ${subscription.userId}, ${subscription.endpoint}, ${subscription.p256dh},
                ${subscription.auth}, ${subscription.deviceName}, now(), now())
              ON CONFLICT (endpoint) DO UPDATE SET
                user_id = EXCLUDED.user_id,
                p256dh = EXCLUDED.p256dh,
                auth = EXCLUDED.auth,
                device_name = coalesce(EXCLUDED.device_name, push_subscriptions.device_name),
                updated_at = EXCLUDED.updated_at
              RETURNING ${selected}`.pipe(Effect.flatMap(decodeSubscription))
            if (Option.isNone(saved)) return yield* Effect.die(new Error("push_subscriptions upsert returned no row"))
            return saved.value
          },
          sql.withTransaction,
          Effect.orDie
        ),

        trim: Effect.fn("PushSubscriptionsRepo.trim")(function* (userId, keep) {
          yield* sql`
            DELETE FROM push_subscriptions WHERE user_id = ${userId} AND id NOT IN (
              SELECT id FROM push_subscriptions WHERE user_id = ${userId}
              ORDER BY updated_at DESC, id DESC LIMIT ${keep})`
        }, Effect.orDie),

        listOf: Effect.fn("PushSubscriptionsRepo.listOf")(function* (userId, limit) {
          return yield* sql`
            SELECT ${selected} FROM push_subscriptions WHERE user_id = ${userId}
            ORDER BY created_at DESC, id DESC LIMIT ${limit}`.pipe(Effect.flatMap(decodeSubscriptions))
        }, Effect.orDie),

        remove: Effect.fn("PushSubscriptionsRepo.remove")(function* (userId, id) {
          const rows = yield* sql`
            DELETE FROM push_subscriptions WHERE id = ${id} AND user_id = ${userId} RETURNING id`
          return rows.length > 0
        }, Effect.orDie),

        removeAllOf: Effect.fn("PushSubscriptionsRepo.removeAllOf")(function* (userId) {
          yield* sql`DELETE FROM push_subscriptions WHERE user_id = ${userId}`
        }, Effect.orDie),

        removeGone: Effect.fn("PushSubscriptionsRepo.removeGone")(function* (id, endpoint, p256dh) {
          yield* sql`
            DELETE FROM push_subscriptions WHERE id = ${id} AND endpoint = ${endpoint} AND p256dh = ${p256dh}`
        }, Effect.orDie),

        subscriptionsOf: Effect.fn("PushSubscriptionsRepo.subscriptionsOf")(function* (users) {
          if (users.length === 0) return []
          return yield* sql`
            SELECT id, user_id FROM push_subscriptions WHERE user_id = ANY(${[...users]}::uuid[])`.pipe(
            Effect.flatMap(decodeSubscribers)
          )
        }, Effect.orDie),

        target: Effect.fn("PushSubscriptionsRepo.target")(function* (notificationId, subscriptionId) {
          const row = yield* sql`
            SELECT n.id, n.recipient_id, n.type, n.subject_kind, n.subject_id, n.group_id, n.actor_ids::text[] AS actor_ids,
              n.actor_count, n.data, n.created_at, n.updated_at, n.read_at, n.seen_at,
              s.id AS subscription_id, s.endpoint, s.p256dh, s.auth, d.version AS pushed_version
            FROM push_subscriptions s
            JOIN notifications n ON n.id = ${notificationId} AND n.recipient_id = s.user_id
            LEFT JOIN push_deliveries d ON d.notification_id = n.id AND d.subscription_id = s.id
            WHERE s.id = ${subscriptionId}`.pipe(Effect.flatMap(decodeTarget))
          return row.pipe(
            Option.map(({ subscriptionId, endpoint, p256dh, auth, pushedVersion, ...notification }) => ({
              notification,
              subscriptionId,
              endpoint,
              p256dh,
              auth,
              pushedVersion
            }))
          )
        }, Effect.orDie),

        markPushed: Effect.fn("PushSubscriptionsRepo.markPushed")(function* (notificationId, subscriptionId, version) {
          yield* sql`
            INSERT INTO push_deliveries (notification_id, subscription_id, version)
            SELECT n.id, s.id, ${version}::timestamptz
            FROM notifications n JOIN push_subscriptions s ON s.id = ${subscriptionId}
            WHERE n.id = ${notificationId}
            ON CONFLICT (notification_id, subscription_id)
            DO UPDATE SET version = greatest(push_deliveries.version, EXCLUDED.version)`
        }, Effect.orDie)
      })
    })
  )
}
