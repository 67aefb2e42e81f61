import { UserId } from "@moim/domain/Accounts/User"
import { defaultEventReminders, ReminderOffset } from "@moim/domain/Events/EventReminders"
import { GroupId } from "@moim/domain/Groups/Group"
import { DeliveryChannel } from "@moim/domain/Notifications/Notification"
import { DigestFrequency } from "@moim/domain/Notifications/Preferences"
import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"
import { type DeliverySettings, defaultSettings } from "./ChannelPlan.ts"

const SettingsRow = Schema.Struct({
  userId: UserId,
  timeZone: Schema.String,
  quietStart: Schema.NullOr(Schema.Int),
  quietEnd: Schema.NullOr(Schema.Int),
  digest: DigestFrequency
})
type SettingsRow = typeof SettingsRow.Type

const OverrideRow = Schema.Struct({
  userId: UserId,
  type: Schema.String,
  channel: DeliveryChannel,
  enabled: Schema.Boolean
})
export type OverrideRow = typeof OverrideRow.Type

const RemindersRow = Schema.Struct({ userId: UserId, eventReminders: Schema.NullOr(Schema.Array(ReminderOffset)) })

const decodeSettings = Rows.all(SettingsRow)
const decodeReminders = Rows.all(RemindersRow)
const decodeOverrides = Rows.all(OverrideRow)
const decodeUsers = Rows.all(Schema.Struct({ userId: UserId }))
const decodeGroups = Rows.all(Schema.Struct({ groupId: GroupId }))

const toSettings = (row: SettingsRow): DeliverySettings => ({
  timeZone: row.timeZone,
  quietHours: row.quietStart === null || row.quietEnd === null ? null : { start: row.quietStart, end: row.quietEnd },
  digest: row.digest
})

/**
 * The preference tables: `notification_settings` (time zone, quiet hours, digest),
 * `notification_channel_preferences` (only the channels a user changed from their kind's default)
 * and `notification_group_mutes`.
 */
export class PreferencesRepo extends Context.Service<
  PreferencesRepo,
  {
    /** Each user's settings; the defaults for those who never changed them. */
    readonly settingsOf: (users: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyMap<UserId, DeliverySettings>>
    readonly saveSettings: (userId: UserId, settings: DeliverySettings) => Effect.Effect<void>
    /** Each user's event reminder offsets; the default for those who never chose. */
    readonly remindersOf: (
      users: ReadonlyArray<UserId>
    ) => Effect.Effect<ReadonlyMap<UserId, ReadonlyArray<ReminderOffset>>>
    readonly saveReminders: (userId: UserId, offsets: ReadonlyArray<ReminderOffset>) => Effect.Effect<void>
    /** Channel choices of these users for one type, or (no type) all of one user's. */
    readonly overridesOf: (users: ReadonlyArray<UserId>, type?: string) => Effect.Effect<ReadonlyArray<OverrideRow>>
    /** Sets a channel choice; null removes it (back to the kind's default). */
    readonly setOverride: (
      userId: UserId,
      type: string,
      channel: DeliveryChannel,
      enabled: boolean | null
    ) => Effect.Effect<void>
    /** Those among `users` who muted the group. */
    readonly mutedAmong: (users: ReadonlyArray<UserId>, groupId: GroupId) => Effect.Effect<ReadonlySet<UserId>>
    readonly mutedGroups: (userId: UserId) => Effect.Effect<ReadonlyArray<GroupId>>
    readonly mute: (userId: UserId, groupId: GroupId) => Effect.Effect<void>
    readonly unmute: (userId: UserId, groupId: GroupId) => Effect.Effect<void>
  }
>()("@moim/server/Notifications/PreferencesRepo") {
  static readonly layer = Layer.effect(
    PreferencesRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient

      return PreferencesRepo.of({
        settingsOf: Effect.fn("PreferencesRepo.settingsOf")(function* (users) {
          const rows =
            users.length === 0
              ? []
              : yield* sql`
                  SELECT user_id, time_zone, quiet_start, quiet_end, digest FROM notification_settings
                  WHERE user_id = ANY(${[...users]}::uuid[])`.pipe(Effect.flatMap(decodeSettings))
          const saved = new Map(rows.map((row) => [row.userId, toSettings(row)] as const))
          return new Map(users.map((user) => [user, saved.get(user) ?? defaultSettings] as const))
        }, Effect.orDie),

        saveSettings: Effect.fn("PreferencesRepo.saveSettings")(function* (userId, settings) {
          const start = settings.quietHours?.start ?? null
          const end = settings.quietHours?.end ?? null
          yield* sql`
            INSERT INTO notification_settings (user_id, time_zone, quiet_start, quiet_end, digest, updated_at)
            VALUES (${userId}, ${settings.timeZone}, ${start}, ${end}, ${settings.digest}, now())
            ON CONFLICT (user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, quiet_start = EXCLUDED.quiet_start,
              quiet_end = EXCLUDED.quiet_end, digest = EXCLUDED.digest, updated_at = now()`
        }, Effect.orDie),

        remindersOf: Effect.fn("PreferencesRepo.remindersOf")(function* (users) {
          const rows =
            users.length === 0
              ? []
              : yield* sql`
                  SELECT user_id, event_reminders FROM notification_settings
                  WHERE user_id = ANY(${[...users]}::uuid[])`.pipe(Effect.flatMap(decodeReminders))
          const chosen = new Map(rows.map((row) => [row.userId, row.eventReminders] as const))
          return new Map(users.map((user) => [user, chosen.get(user) ?? defaultEventReminders] as const))
        }, Effect.orDie),

        saveReminders: Effect.fn("PreferencesRepo.saveReminders")(function* (userId, offsets) {
          yield* sql`
            INSERT INTO notification_settings (user_id, event_reminders, updated_at)
            VALUES (${userId}, ${[...offsets]}::smallint[], now())
            ON CONFLICT (user_id) DO UPDATE SET event_reminders = EXCLUDED.event_reminders, updated_at = now()`
        }, Effect.orDie),

        overridesOf: Effect.fn("PreferencesRepo.overridesOf")(function* (users, type) {
          if (users.length === 0) return []
          const ofType = type === undefined ? sql`` : sql`AND type = ${type}`
          return yield* sql`
            SELECT user_id, type, channel, enabled FROM notification_channel_preferences
            WHERE user_id = ANY(${[...users]}::uuid[]) ${ofType}`.pipe(Effect.flatMap(decodeOverrides))
        }, Effect.orDie),

        setOverride: Effect.fn("PreferencesRepo.setOverride")(function* (userId, type, channel, enabled) {
          if (enabled === null) {
            yield* sql`
              DELETE FROM notification_channel_preferences
              WHERE user_id = ${userId} AND type = ${type} AND channel = ${channel}`
            return
          }
          yield* sql`
            INSERT INTO notification_channel_preferences (user_id, type, channel, enabled)
            VALUES (${userId}, ${type}, ${channel}, ${enabled})
            ON CONFLICT (user_id, type, channel) DO UPDATE SET enabled = EXCLUDED.enabled`
        }, Effect.orDie),

        mutedAmong: Effect.fn("PreferencesRepo.mutedAmong")(function* (users, groupId) {
          if (users.length === 0) return new Set<UserId>()
          const rows = yield* sql`
            SELECT user_id FROM notification_group_mutes
            WHERE group_id = ${groupId} AND user_id = ANY(${[...users]}::uuid[])`.pipe(Effect.flatMap(decodeUsers))
          return new Set(rows.map((row) => row.userId))
        }, Effect.orDie),

        mutedGroups: Effect.fn("PreferencesRepo.mutedGroups")(function* (userId) {
          const rows = yield* sql`
            SELECT group_id FROM notification_group_mutes WHERE user_id = ${userId}
            ORDER BY created_at DESC LIMIT 1000`.pipe(Effect.flatMap(decodeGroups))
          return rows.map((row) => row.groupId)
        }, Effect.orDie),

        mute: Effect.fn("PreferencesRepo.mute")(function* (userId, groupId) {
          yield* sql`
            INSERT INTO notification_group_mutes (user_id, group_id, created_at) VALUES (${userId}, ${groupId}, now())
            ON CONFLICT DO NOTHING`
        }, Effect.orDie),

        unmute: Effect.fn("PreferencesRepo.unmute")(function* (userId, groupId) {
          yield* sql`DELETE FROM notification_group_mutes WHERE user_id = ${userId} AND group_id = ${groupId}`
        }, Effect.orDie)
      })
    })
  )
}
