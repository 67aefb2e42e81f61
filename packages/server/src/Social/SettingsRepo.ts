import { UserId } from "@moim/domain/Accounts/User"
import { DefaultPostAudience, FriendRequestPolicy, Settings, Visibility } from "@moim/domain/Social/Social"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

const SettingsRow = Schema.Struct({
  userId: UserId,
  privateAccount: Schema.Boolean,
  profileDetails: Visibility,
  defaultPostAudience: DefaultPostAudience,
  friendsList: Visibility,
  lastActive: Visibility,
  friendRequests: FriendRequestPolicy,
  findableByPhone: Schema.Boolean,
  findableByEmail: Schema.Boolean
})

const decodeRow = Rows.first(SettingsRow)
const decodeRows = Rows.all(SettingsRow)

/** What a user without a settings row has. */
export const defaultSettings = new Settings({
  privateAccount: false,
  profileDetails: "everyone",
  defaultPostAudience: "public",
  friendsList: "everyone",
  lastActive: "friends",
  friendRequests: "everyone",
  findableByPhone: true,
  findableByEmail: true
})

const toSettings = ({ userId: _userId, ...fields }: typeof SettingsRow.Type) => new Settings(fields)

const columns = `user_id, private_account, profile_details, default_post_audience, friends_list, last_active,
  friend_requests, findable_by_phone, findable_by_email`

/** The `social_settings` table: privacy settings, a row only once someone changed theirs. */
export class SettingsRepo extends Context.Service<
  SettingsRepo,
  {
    readonly get: (userId: UserId) => Effect.Effect<Settings>
    /** The settings of many users in one query; every id is in the map. */
    readonly getMany: (ids: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyMap<UserId, Settings>>
    /** Writes the whole settings (locked by the caller's transaction when it read them with `lock`). */
    readonly put: (userId: UserId, settings: Settings) => Effect.Effect<void>
    /** The settings, their row locked (shared or exclusive) for the rest of the transaction. */
    readonly lock: (userId: UserId, mode: "share" | "update") => Effect.Effect<Settings>
  }
>()("@moim/server/Social/SettingsRepo") {
  static readonly layer = Layer.effect(
    SettingsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)
      return SettingsRepo.of({
        get: Effect.fn("SettingsRepo.get")(function* (userId) {
          const row = yield* sql`SELECT ${selected} FROM social_settings WHERE user_id = ${userId}`.pipe(
            Effect.flatMap(decodeRow)
          )
          return Option.match(row, { onNone: () => defaultSettings, onSome: toSettings })
        }, Effect.orDie),
        getMany: Effect.fn("SettingsRepo.getMany")(function* (ids) {
          const unique = [...new Set(ids)]
          if (unique.length === 0) return new Map()
          const rows = yield* sql`SELECT ${selected} FROM social_settings WHERE user_id = ANY(${unique}::uuid[])`.pipe(
            Effect.flatMap(decodeRows)
          )
          const found = new Map(rows.map((row) => [row.userId, toSettings(row)] as const))
          return new Map(unique.map((id) => [id, found.get(id) ?? defaultSettings] as const))
        }, Effect.orDie),
        put: Effect.fn("SettingsRepo.put")(function* (userId, settings) {
          yield* sql`
            INSERT INTO social_settings (user_id, private_account, profile_details, default_post_audience, friends_list,
              last_active, friend_requests, findable_by_phone, findable_by_email, updated_at)
            VALUES (${userId}, ${settings.privateAccount}, ${settings.profileDetails}, ${settings.defaultPostAudience},
              ${settings.friendsList}, ${settings.lastActive}, ${settings.friendRequests}, ${settings.findableByPhone},
              ${settings.findableByEmail}, now())
            ON CONFLICT (user_id) DO UPDATE SET private_account = excluded.private_account,
              profile_details = excluded.profile_details, default_post_audience = excluded.default_post_audience,
              friends_list = excluded.friends_list, last_active = excluded.last_active,
              friend_requests = excluded.friend_requests, findable_by_phone = excluded.findable_by_phone,
              findable_by_email = excluded.findable_by_email, updated_at = now()`
        }, Effect.orDie),
        lock: Effect.fn("SettingsRepo.lock")(function* (userId, mode) {
          // A row to lock even for someone on the defaults.
          yield* sql`
            INSERT INTO social_settings (user_id, updated_at) VALUES (${userId}, now()) ON CONFLICT (user_id) DO NOTHING`
          const row =
            yield* sql`SELECT ${selected} FROM social_settings WHERE user_id = ${userId} ${mode === "share" ? sql`FOR SHARE` : sql`FOR UPDATE`}`.pipe(
              Effect.flatMap(decodeRow)
            )
          return Option.match(row, { onNone: () => defaultSettings, onSome: toSettings })
        }, Effect.orDie)
      })
    })
  )
}
