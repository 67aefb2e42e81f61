import { UserId, UserRole, UserStatus } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"
import type { VerifiedPhoneRow } from "./PhoneNumbersRepo.ts"

const NullableDate = Schema.NullOr(Schema.Date)

/** A row of `users`. */
export const UserRow = Schema.Struct({
  id: UserId,
  email: Schema.NullOr(Schema.String),
  passwordHash: Schema.NullOr(Schema.String),
  nickname: Schema.String,
  bio: Schema.String,
  avatarKey: Schema.NullOr(Schema.String),
  interests: Schema.Array(Schema.String),
  role: UserRole,
  status: UserStatus,
  emailVerifiedAt: NullableDate,
  suspendedAt: NullableDate,
  suspensionReason: Schema.NullOr(Schema.String),
  createdAt: Schema.Date,
  updatedAt: Schema.Date
})
export type UserRow = typeof UserRow.Type

/** What anyone may see of a user, as stored. */
export const ProfileRow = Schema.Struct({
  id: UserId,
  nickname: Schema.String,
  bio: Schema.String,
  avatarKey: Schema.NullOr(Schema.String),
  interests: Schema.Array(Schema.String),
  createdAt: Schema.Date
})
export type ProfileRow = typeof ProfileRow.Type

/** A profile found by a nickname search, with its score (as text, for the cursor). */
export const SearchRow = Schema.Struct({ ...ProfileRow.fields, score: Schema.Number })
export type SearchRow = typeof SearchRow.Type

const IdRow = Schema.Struct({ id: UserId })

/** Where to email an active user whose address is verified. */
export const EmailRecipientRow = Schema.Struct({
  id: UserId,
  email: Schema.String,
  nickname: Schema.String,
  role: UserRole
})
export type EmailRecipientRow = typeof EmailRecipientRow.Type

const decodeUser = Rows.first(UserRow)
const decodeIdHandles = Rows.all(Schema.Struct({ id: UserId, handle: Schema.String }))
const decodeIdEmails = Rows.all(Schema.Struct({ id: UserId, email: Schema.String }))
const decodeUserWithPhone = Rows.first(
  Schema.Struct({ ...UserRow.fields, phoneE164: Schema.NullOr(Schema.String), phoneVerifiedAt: NullableDate })
)
const decodeProfile = Rows.first(ProfileRow)
const decodeProfiles = Rows.all(ProfileRow)
const decodeSearch = Rows.all(SearchRow)
const decodeId = Rows.first(IdRow)
const decodeEmailRecipients = Rows.all(EmailRecipientRow)

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (match) => `\\${match}`)
const profileColumns = "id, nickname, bio, avatar_key, interests, created_at"

/** The `users` table: accounts, their credentials, profile, role and status. */
export class UsersRepo extends Context.Service<
  UsersRepo,
  {
    /** None when the email is taken. An account made with a phone number has no email or password. */
    readonly insert: (user: {
      readonly id: UserId
      readonly email: string | null
      readonly passwordHash: string | null
      readonly nickname: string
      readonly role?: UserRole
    }) => Effect.Effect<Option.Option<UserRow>>
    readonly findByEmail: (email: string) => Effect.Effect<Option.Option<UserRow>>
    readonly findById: (id: UserId) => Effect.Effect<Option.Option<UserRow>>
    /** The account, locked until the caller's transaction ends (for changes to its ways to sign in). */
    readonly lockById: (id: UserId) => Effect.Effect<Option.Option<UserRow>>
    /** The account and its verified number (a sibling table), in one query: what `GET /me` shows. */
    readonly findWithPhone: (
      id: UserId
    ) => Effect.Effect<Option.Option<{ readonly user: UserRow; readonly phone: Option.Option<VerifiedPhoneRow> }>>
    /** Changes only the given fields; none when the account is deleted. */
    readonly updateProfile: (
      id: UserId,
      changes: {
        readonly nickname?: string | undefined
        readonly bio?: string | undefined
        readonly interests?: ReadonlyArray<string> | undefined
        readonly avatarKey?: string | null | undefined
      }
    ) => Effect.Effect<Option.Option<UserRow>>
    readonly setPassword: (id: UserId, passwordHash: string) => Effect.Effect<void>
    /** True when the account still has this email, now verified. */
    readonly markEmailVerified: (id: UserId, email: string) => Effect.Effect<boolean>
    /** Suspends (with a reason) or lifts a suspension; none when there is no such live account. */
    readonly setSuspension: (
      id: UserId,
      suspension: { readonly reason: string | null } | null
    ) => Effect.Effect<Option.Option<UserRow>>
    readonly makeAdmin: (id: UserId) => Effect.Effect<void>
    /** Erases what identifies the person; the row stays so their content can show a deleted author. */
    readonly erase: (id: UserId) => Effect.Effect<void>
    readonly findProfile: (id: UserId) => Effect.Effect<Option.Option<ProfileRow>>
    /** Profiles of many users in one query (deleted users included, shown as deleted). */
    readonly findProfiles: (ids: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyArray<ProfileRow>>
    /** Profiles of many users in one query, deleted users left out (as `findProfile` does). */
    readonly findLiveProfiles: (ids: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyArray<ProfileRow>>
    readonly findActiveId: (id: UserId) => Effect.Effect<Option.Option<UserId>>
    readonly findActiveIdByEmail: (email: string) => Effect.Effect<Option.Option<UserId>>
    /** The active accounts with these (normalised) emails, verified ones only. */
    readonly findVerifiedByEmails: (
      emails: ReadonlyArray<string>
    ) => Effect.Effect<ReadonlyArray<{ readonly id: UserId; readonly email: string }>>
    /**
     * Active users by handle: the nickname lower-cased without its spaces (`@annalee` is "Anna Lee"),
     * as chat's `@nickname` mentions name people.
     */
    readonly findByHandles: (
      handles: ReadonlyArray<string>
    ) => Effect.Effect<ReadonlyArray<{ readonly id: UserId; readonly handle: string }>>
    /** The active users among `ids` whose email is verified, with their address. */
    readonly findEmailRecipients: (ids: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyArray<EmailRecipientRow>>
    /** Fuzzy nickname search (trigram similarity, prefixes first), best first, after a keyset position. */
    readonly searchProfiles: (options: {
      readonly q: string
      readonly limit: number
      readonly after: { readonly score: string; readonly id: string } | null
    }) => Effect.Effect<ReadonlyArray<SearchRow>>
    readonly listNewestProfiles: (options: {
      readonly limit: number
      readonly after: { readonly createdAt: string; readonly id: string } | null
    }) => Effect.Effect<ReadonlyArray<ProfileRow>>
  }
>()("@moim/server/Accounts/UsersRepo") {
  static readonly layer = Layer.effect(
    UsersRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const profile = sql.literal(profileColumns)

      return UsersRepo.of({
        insert: Effect.fn("UsersRepo.insert")(function* (user) {
          return yield* sql`
            INSERT INTO users (id, email, password_hash, nickname, role, created_at, updated_at)
            VALUES (${user.id}, ${user.email}, ${user.passwordHash}, ${user.nickname}, ${user.role ?? "user"}, now(), now())
            ON CONFLICT (email) WHERE email IS NOT NULL DO NOTHING
            RETURNING *`.pipe(Effect.flatMap(decodeUser))
        }, Effect.orDie),

        findByEmail: Effect.fn("UsersRepo.findByEmail")(function* (email) {
          return yield* sql`SELECT * FROM users WHERE email = ${email}`.pipe(Effect.flatMap(decodeUser))
        }, Effect.orDie),

        findById: Effect.fn("UsersRepo.findById")(function* (id) {
          return yield* sql`SELECT * FROM users WHERE id = ${id}`.pipe(Effect.flatMap(decodeUser))
        }, Effect.orDie),

        lockById: Effect.fn("UsersRepo.lockById")(function* (id) {
          return yield* sql`SELECT * FROM users WHERE id = ${id} FOR UPDATE`.pipe(Effect.flatMap(decodeUser))
        }, Effect.orDie),

        findWithPhone: Effect.fn("UsersRepo.findWithPhone")(function* (id) {
          const row = yield* sql`
            SELECT u.*, p.e164 AS phone_e164, p.verified_at AS phone_verified_at
            FROM users u LEFT JOIN phone_numbers p ON p.user_id = u.id
            WHERE u.id = ${id}`.pipe(Effect.flatMap(decodeUserWithPhone))
          return Option.map(row, ({ phoneE164, phoneVerifiedAt, ...user }) => ({
            user,
            phone:
              phoneE164 === null || phoneVerifiedAt === null
                ? Option.none()
                : Option.some({ userId: user.id, e164: phoneE164, verifiedAt: phoneVerifiedAt })
          }))
        }, Effect.orDie),

        updateProfile: Effect.fn("UsersRepo.updateProfile")(function* (id, changes) {
          return yield* sql`
            UPDATE users SET
              nickname = coalesce(${changes.nickname ?? null}, nickname),
              bio = coalesce(${changes.bio ?? null}, bio),
              interests = coalesce(${changes.interests === undefined ? null : [...changes.interests]}::text[], interests),
              avatar_key = CASE WHEN ${changes.avatarKey !== undefined} THEN ${changes.avatarKey ?? null} ELSE avatar_key END,
              updated_at = now()
            WHERE id = ${id} AND status <> 'deleted'
            RETURNING *`.pipe(Effect.flatMap(decodeUser))
        }, Effect.orDie),

        setPassword: Effect.fn("UsersRepo.setPassword")(function* (id, passwordHash) {
          yield* sql`UPDATE users SET password_hash = ${passwordHash}, updated_at = now() WHERE id = ${id}`
        }, Effect.orDie),

        markEmailVerified: Effect.fn("UsersRepo.markEmailVerified")(function* (id, email) {
          const rows = yield* sql`
            UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
            WHERE id = ${id} AND email = ${email} RETURNING id`
          return rows.length > 0
        }, Effect.orDie),

        setSuspension: Effect.fn("UsersRepo.setSuspension")(function* (id, suspension) {
          const rows =
            suspension === null
              ? yield* sql`
                  UPDATE users SET status = 'active', suspended_at = NULL, suspension_reason = NULL, updated_at = now()
                  WHERE id = ${id} AND status <> 'deleted' RETURNING *`
              : yield* sql`
                  UPDATE users SET status = 'suspended', suspended_at = now(), suspension_reason = ${suspension.reason},
                    updated_at = now()
                  WHERE id = ${id} AND status <> 'deleted' RETURNING *`
          return yield* decodeUser(rows)
        }, Effect.orDie),

        makeAdmin: Effect.fn("UsersRepo.makeAdmin")(function* (id) {
          yield* sql`UPDATE users SET role = 'admin', updated_at = now() WHERE id = ${id}`
        }, Effect.orDie),

        erase: Effect.fn("UsersRepo.erase")(function* (id) {
          yield* sql`
            UPDATE users SET status = 'deleted', email = NULL, password_hash = NULL, nickname = 'Deleted user', bio = '',
              avatar_key = NULL, interests = '{}', email_verified_at = NULL, deleted_at = now(), updated_at = now()
            WHERE id = ${id}`
        }, Effect.orDie),

        findProfile: Effect.fn("UsersRepo.findProfile")(function* (id) {
          return yield* sql`SELECT ${profile} FROM users WHERE id = ${id} AND status <> 'deleted'`.pipe(
            Effect.flatMap(decodeProfile)
          )
        }, Effect.orDie),

        findLiveProfiles: Effect.fn("UsersRepo.findLiveProfiles")(function* (ids) {
          if (ids.length === 0) return []
          return yield* sql`
            SELECT ${profile} FROM users WHERE id = ANY(${[...ids]}::uuid[]) AND status <> 'deleted'`.pipe(
            Effect.flatMap(decodeProfiles)
          )
        }, Effect.orDie),

        findProfiles: Effect.fn("UsersRepo.findProfiles")(function* (ids) {
          if (ids.length === 0) return []
          return yield* sql`SELECT ${profile} FROM users WHERE id = ANY(${[...ids]}::uuid[])`.pipe(
            Effect.flatMap(decodeProfiles)
          )
        }, Effect.orDie),

        findActiveId: Effect.fn("UsersRepo.findActiveId")(function* (id) {
          const row = yield* sql`SELECT id FROM users WHERE id = ${id} AND status = 'active'`.pipe(
            Effect.flatMap(decodeId)
          )
          return Option.map(row, (found) => found.id)
        }, Effect.orDie),

        findActiveIdByEmail: Effect.fn("UsersRepo.findActiveIdByEmail")(function* (email) {
          const row = yield* sql`SELECT id FROM users WHERE email = ${email} AND status = 'active'`.pipe(
            Effect.flatMap(decodeId)
          )
          return Option.map(row, (found) => found.id)
        }, Effect.orDie),

        findVerifiedByEmails: Effect.fn("UsersRepo.findVerifiedByEmails")(function* (emails) {
          if (emails.length === 0) return []
          return yield* sql`
            SELECT id, email FROM users
            WHERE email = ANY(${[...new Set(emails)]}::text[]) AND status = 'active' AND email_verified_at IS NOT NULL`.pipe(
            Effect.flatMap(decodeIdEmails)
          )
        }, Effect.orDie),

        findByHandles: Effect.fn("UsersRepo.findByHandles")(function* (handles) {
          if (handles.length === 0) return []
          return yield* sql`
            SELECT id, lower(regexp_replace(nickname, '\\s+', '', 'g')) AS handle FROM users
            WHERE lower(regexp_replace(nickname, '\\s+', '', 'g')) = ANY(${[...new Set(handles)]}::text[])
              AND status = 'active'`.pipe(Effect.flatMap(decodeIdHandles))
        }, Effect.orDie),

        findEmailRecipients: Effect.fn("UsersRepo.findEmailRecipients")(function* (ids) {
          if (ids.length === 0) return []
          return yield* sql`
            SELECT id, email, nickname, role FROM users
            WHERE id = ANY(${[...ids]}::uuid[]) AND status = 'active' AND email IS NOT NULL
              AND email_verified_at IS NOT NULL`.pipe(Effect.flatMap(decodeEmailRecipients))
        }, Effect.orDie),

        searchProfiles: Effect.fn("UsersRepo.searchProfiles")(function* (options) {
          const q = options.q.toLowerCase()
          const prefix = `${escapeLike(q)}%`
          const after = options.after
          return yield* sql`
            SELECT * FROM (
              SELECT ${profile},
                greatest(similarity(lower(nickname), ${q}), CASE WHEN lower(nickname) LIKE ${prefix} THEN 0.99 ELSE 0 END)::real AS score
              FROM users
              WHERE status = 'active' AND (lower(nickname) % ${q} OR lower(nickname) LIKE ${prefix})
            ) matches
            WHERE ${after === null ? sql`true` : sql`(score < ${after.score}::real OR (score = ${after.score}::real AND id > ${after.id}::uuid))`}
            ORDER BY score DESC, id ASC
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeSearch))
        }, Effect.orDie),

        listNewestProfiles: Effect.fn("UsersRepo.listNewestProfiles")(function* (options) {
          const after = options.after
          return yield* sql`
            SELECT ${profile} FROM users
            WHERE status = 'active'
              AND ${after === null ? sql`true` : sql`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`}
            ORDER BY created_at DESC, id DESC
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeProfiles))
        }, Effect.orDie)
      })
    })
  )
}
