import { UserId } from "@moim/domain/Accounts/User"
import { MobileDeviceId, MobilePlatform } from "@moim/domain/Notifications/MobileDevice"
import type { NotificationId } from "@moim/domain/Notifications/Notification"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"
import { NotificationRow } from "./NotificationsRepo.ts"

export const DeviceRow = Schema.Struct({
  id: MobileDeviceId,
  userId: UserId,
  platform: MobilePlatform,
  appId: Schema.String,
  deviceName: Schema.NullOr(Schema.String),
  createdAt: Schema.Date
})
export type DeviceRow = typeof DeviceRow.Type

/** What one mobile push needs: the notification, the device it goes to, and the version that device already got. */
export interface MobilePushTarget {
  readonly notification: NotificationRow
  readonly deviceId: MobileDeviceId
  readonly platform: MobilePlatform
  readonly token: string
  readonly appId: string
  readonly pushedVersion: Date | null
}

const TargetRow = Schema.Struct({
  ...NotificationRow.fields,
  deviceId: MobileDeviceId,
  platform: MobilePlatform,
  token: Schema.String,
  appId: Schema.String,
  pushedVersion: Schema.NullOr(Schema.Date)
})

const decodeDevice = Rows.first(DeviceRow)
const decodeDevices = Rows.all(DeviceRow)
const decodeOwners = Rows.all(Schema.Struct({ id: MobileDeviceId, userId: UserId, platform: MobilePlatform }))
const decodeTarget = Rows.first(TargetRow)

const deviceColumns = "id, user_id, platform, app_id, device_name, created_at"

/**
 * The `mobile_devices` table (each app install that receives a user's pushes through FCM or APNs)
 * and `mobile_push_deliveries` (which version of a notification each device was pushed). To prepare
 * a push it reads the notification beside the device, in one query.
 */
export class MobileDevicesRepo extends Context.Service<
  MobileDevicesRepo,
  {
    /**
     * Saves an app's token for the user: a known token of theirs gets the new app id (and name, when
     * one is given); one another user had is theirs no more (with what it was pushed).
     */
    readonly save: (device: {
      readonly id: MobileDeviceId
      readonly userId: UserId
      readonly platform: MobilePlatform
      readonly token: string
      readonly appId: string
      readonly deviceName: string | null
    }) => Effect.Effect<DeviceRow>
    /** Removes the user's devices beyond the `keep` most recently registered. */
    readonly trim: (userId: UserId, keep: number) => Effect.Effect<void>
    /** The user's devices, most recently added first. */
    readonly listOf: (userId: UserId, limit: number) => Effect.Effect<ReadonlyArray<DeviceRow>>
    /** False when the user has no such device. */
    readonly remove: (userId: UserId, id: MobileDeviceId) => Effect.Effect<boolean>
    /** Removes every device of the user (their account is erased). */
    readonly removeAllOf: (userId: UserId) => Effect.Effect<void>
    /** Removes a device whose push service says its token is not (or no longer) valid. */
    readonly removeInvalid: (id: MobileDeviceId, token: string) => Effect.Effect<void>
    /** The devices of these users, on the platforms given. */
    readonly devicesOf: (
      users: ReadonlyArray<UserId>,
      platforms: ReadonlyArray<MobilePlatform>
    ) => Effect.Effect<ReadonlyArray<{ readonly id: MobileDeviceId; readonly userId: UserId }>>
    /** The notification and the device, when the device still belongs to its recipient. */
    readonly target: (
      notificationId: NotificationId,
      deviceId: MobileDeviceId
    ) => Effect.Effect<Option.Option<MobilePushTarget>>
    /** Records that the device was pushed this version of the notification. */
    readonly markPushed: (
      notificationId: NotificationId,
      deviceId: MobileDeviceId,
      version: Date
    ) => Effect.Effect<void>
  }
>()("@moim/server/Notifications/MobileDevicesRepo") {
  static readonly layer = Layer.effect(
    MobileDevicesRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(deviceColumns)

      return MobileDevicesRepo.of({
        save: Effect.fn("MobileDevicesRepo.save")(
          function* (device) {
            yield* sql`
              DELETE FROM mobile_devices
              WHERE platform = ${device.platform} AND token = ${device.token} AND user_id <> ${device.userId}`
            // Should another user register the token in between, the last to register keeps it.
            const saved = yield* sql`
              INSERT INTO mobile_devices (id, user_id, platform, token, app_id, device_name, created_at, updated_at)
              VALUES (${device.id}, ${device.userId}, ${device.platform}, ${device.token}, ${device.appId},
                ${device.deviceName}, now(), now())
              ON CONFLICT (platform, token) DO UPDATE SET
                user_id = EXCLUDED.user_id,
                app_id = EXCLUDED.app_id,
                device_name = coalesce(EXCLUDED.device_name, mobile_devices.device_name),
                updated_at = EXCLUDED.updated_at
              RETURNING ${selected}`.pipe(Effect.flatMap(decodeDevice))
            if (Option.isNone(saved)) return yield* Effect.die(new Error("mobile_devices upsert returned no row"))
            return saved.value
          },
          sql.withTransaction,
          Effect.orDie
        ),

        trim: Effect.fn("MobileDevicesRepo.trim")(function* (userId, keep) {
          yield* sql`
            DELETE FROM mobile_devices WHERE user_id = ${userId} AND id NOT IN (
              SELECT id FROM mobile_devices WHERE user_id = ${userId}
              ORDER BY updated_at DESC, id DESC LIMIT ${keep})`
        }, Effect.orDie),

        listOf: Effect.fn("MobileDevicesRepo.listOf")(function* (userId, limit) {
          return yield* sql`
            SELECT ${selected} FROM mobile_devices WHERE user_id = ${userId}
            ORDER BY created_at DESC, id DESC LIMIT ${limit}`.pipe(Effect.flatMap(decodeDevices))
        }, Effect.orDie),

        remove: Effect.fn("MobileDevicesRepo.remove")(function* (userId, id) {
          const rows = yield* sql`DELETE FROM mobile_devices WHERE id = ${id} AND user_id = ${userId} RETURNING id`
          return rows.length > 0
        }, Effect.orDie),

        removeAllOf: Effect.fn("MobileDevicesRepo.removeAllOf")(function* (userId) {
          yield* sql`DELETE FROM mobile_devices WHERE user_id = ${userId}`
        }, Effect.orDie),

        removeInvalid: Effect.fn("MobileDevicesRepo.removeInvalid")(function* (id, token) {
          yield* sql`DELETE FROM mobile_devices WHERE id = ${id} AND token = ${token}`
        }, Effect.orDie),

        devicesOf: Effect.fn("MobileDevicesRepo.devicesOf")(function* (users, platforms) {
          if (users.length === 0 || platforms.length === 0) return []
          const rows = yield* sql`
            SELECT id, user_id, platform FROM mobile_devices
            WHERE user_id = ANY(${[...users]}::uuid[]) AND platform = ANY(${[...platforms]}::text[])`.pipe(
            Effect.flatMap(decodeOwners)
          )
          return rows.map(({ id, userId }) => ({ id, userId }))
        }, Effect.orDie),

        target: Effect.fn("MobileDevicesRepo.target")(function* (notificationId, deviceId) {
          const row = yield* sql`
            SELECT n.id, n.recipient_id, n.type, n.subject_kind, n.subject_id, n.group_id, n.actor_ids::text[] AS actor_ids,
              n.actor_count, n.data, n.created_at, n.updated_at, n.read_at, n.seen_at,
              d.id AS device_id, d.platform, d.token, d.app_id, p.version AS pushed_version
            FROM mobile_devices d
            JOIN notifications n ON n.id = ${notificationId} AND n.recipient_id = d.user_id
            LEFT JOIN mobile_push_deliveries p ON p.notification_id = n.id AND p.device_id = d.id
            WHERE d.id = ${deviceId}`.pipe(Effect.flatMap(decodeTarget))
          return row.pipe(
            Option.map(({ deviceId, platform, token, appId, pushedVersion, ...notification }) => ({
              notification,
              deviceId,
              platform,
              token,
              appId,
              pushedVersion
            }))
          )
        }, Effect.orDie),

        markPushed: Effect.fn("MobileDevicesRepo.markPushed")(function* (notificationId, deviceId, version) {
          yield* sql`
            INSERT INTO mobile_push_deliveries (notification_id, device_id, version)
            SELECT n.id, d.id, ${version}::timestamptz
            FROM notifications n JOIN mobile_devices d ON d.id = ${deviceId}
            WHERE n.id = ${notificationId}
            ON CONFLICT (notification_id, device_id)
            DO UPDATE SET version = greatest(mobile_push_deliveries.version, EXCLUDED.version)`
        }, Effect.orDie)
      })
    })
  )
}
