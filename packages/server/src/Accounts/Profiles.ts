import type { UpdateMePayload } from "@moim/domain/Accounts/AccountsApi"
import {
  type PublicProfile,
  type UploadNotFound,
  type User,
  type UserId,
  UserNotFound,
  type UserRole
} from "@moim/domain/Accounts/User"
import { Unauthorized } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { AvatarContentType, AvatarUpload } from "@moim/domain/Kit/ImageUpload"
import type { InvalidCursor } from "@moim/domain/Kit/Page"
import { defaultPageSize } from "@moim/domain/Kit/Page"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { Cursors, PositionField } from "../platform/Cursors.ts"
import { ImageUploads } from "../platform/ImageUploads.ts"
import { Transaction } from "../platform/Transaction.ts"
import { AccountErasure } from "./AccountErasure.ts"
import { EmailTokensRepo } from "./EmailTokensRepo.ts"
import { OidcFlowsRepo } from "./OidcFlowsRepo.ts"
import { OidcIdentitiesRepo } from "./OidcIdentitiesRepo.ts"
import { PhoneCodesRepo } from "./PhoneCodesRepo.ts"
import { PhoneNumbersRepo } from "./PhoneNumbersRepo.ts"
import { SessionsRepo } from "./SessionsRepo.ts"
import { TwoFactorRepo } from "./TwoFactorRepo.ts"
import { UsersRepo } from "./UsersRepo.ts"
import { UserViews } from "./UserViews.ts"

type Actor = CurrentUser["Service"]

/** Where and how to email a user: their verified address, their nickname, their site role. */
export interface EmailRecipient {
  readonly userId: UserId
  readonly email: string
  readonly nickname: string
  readonly role: UserRole
}

const SearchPosition = Schema.Struct({ score: PositionField.number, id: PositionField.id })
const NewestPosition = Schema.Struct({ createdAt: PositionField.time, id: PositionField.id })

/**
 * People as others see them, and your own profile. Every feature that shows authors or members asks
 * here, in batches (`getMany`), rather than reading the users table itself.
 */
export class Profiles extends Context.Service<
  Profiles,
  {
    readonly getMe: (actor: Actor) => Effect.Effect<User, Unauthorized>
    readonly updateMe: (
      actor: Actor,
      input: typeof UpdateMePayload.Type
    ) => Effect.Effect<User, Unauthorized | UploadNotFound>
    /** Erases your personal data, ends every session; your content shows a deleted author. */
    readonly deleteMe: (actor: Actor) => Effect.Effect<void, Unauthorized>
    readonly createAvatarUpload: (
      actor: Actor,
      contentType: typeof AvatarContentType.Type
    ) => Effect.Effect<AvatarUpload>
    readonly get: (userId: UserId) => Effect.Effect<PublicProfile, UserNotFound>
    readonly search: (input: {
      readonly q?: string | undefined
      readonly limit?: number | undefined
      readonly cursor?: string | undefined
    }) => Effect.Effect<
      { readonly items: ReadonlyArray<PublicProfile>; readonly nextCursor: string | null },
      InvalidCursor
    >
    /** The profiles of many users in one query, by id; ids of unknown users are missing from the map. */
    readonly getMany: (ids: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyMap<UserId, PublicProfile>>
    /** The batch read's profiles: in the order asked, each once, leaving out deleted users and unknown ids. */
    readonly showMany: (ids: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyArray<PublicProfile>>
    /** Active users by handle (nickname lower-cased without spaces); a handle several people share names them all. */
    readonly findByHandles: (
      handles: ReadonlyArray<string>
    ) => Effect.Effect<ReadonlyMap<string, ReadonlyArray<UserId>>>
    /** The user, if their account is active. */
    readonly findActive: (userId: UserId) => Effect.Effect<Option.Option<UserId>>
    /** The active accounts whose verified email is one of these (normalised), by email. */
    readonly findVerifiedByEmails: (emails: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, UserId>>
    /** The active account with this (normalised) email, if any. */
    readonly findActiveByEmail: (email: string) => Effect.Effect<Option.Option<UserId>>
    /**
     * Where to email these users, in one query: active accounts with a verified address. The others
     * (unverified, suspended, deleted) are missing from the map: nothing is emailed to an address
     * its owner has not proven.
     */
    readonly emailRecipients: (ids: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyMap<UserId, EmailRecipient>>
    readonly avatarDownloadUrl: (userId: UserId) => Effect.Effect<Option.Option<string>>
    /** When the user last used Moim (any session), if ever; for profiles whose owner shows it. */
    readonly lastActiveAt: (userId: UserId) => Effect.Effect<Option.Option<Date>>
  }
>()("@moim/server/Accounts/Profiles") {
  static readonly layer = Layer.effect(
    Profiles,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const users = yield* UsersRepo
      const sessions = yield* SessionsRepo
      const emailTokens = yield* EmailTokensRepo
      const phones = yield* PhoneNumbersRepo
      const phoneCodes = yield* PhoneCodesRepo
      const twoFactor = yield* TwoFactorRepo
      const identities = yield* OidcIdentitiesRepo
      const oidcFlows = yield* OidcFlowsRepo
      const erasure = yield* AccountErasure
      const images = yield* ImageUploads
      const views = yield* UserViews
      const cursors = yield* Cursors

      const requireUser = (userId: UserId) =>
        Effect.flatMap(
          users.findById(userId),
          Option.match({
            onNone: () => Effect.fail(new Unauthorized({ message: "This account no longer exists" })),
            onSome: Effect.succeed
          })
        )

      const avatarPrefix = (userId: UserId) => `uploads/avatars/${userId}/`

      return Profiles.of({
        getMe: Effect.fn("Profiles.getMe")(function* (actor) {
          // The account and its number in one query: `GET /me` is on every app's start.
          const found = yield* users.findWithPhone(actor.userId)
          if (Option.isNone(found)) return yield* new Unauthorized({ message: "This account no longer exists" })
          return views.user(found.value.user, found.value.phone)
        }),

        updateMe: Effect.fn("Profiles.updateMe")(function* (actor, input) {
          const before = yield* requireUser(actor.userId)
          const avatarKey = input.avatarUploadKey
          if (avatarKey !== undefined && avatarKey !== null) yield* images.verify(avatarPrefix(actor.userId), avatarKey)
          const updated = yield* users.updateProfile(actor.userId, {
            nickname: input.nickname,
            bio: input.bio,
            interests: input.interests,
            avatarKey
          })
          if (Option.isNone(updated)) return yield* new Unauthorized({ message: "This account no longer exists" })
          if (avatarKey !== undefined && before.avatarKey !== null && before.avatarKey !== avatarKey) {
            yield* images.remove(before.avatarKey)
          }
          return views.user(updated.value, yield* phones.findByUser(actor.userId))
        }),

        deleteMe: Effect.fn("Profiles.deleteMe")(function* (actor) {
          const user = yield* requireUser(actor.userId)
          yield* transaction(
            Effect.gen(function* () {
              yield* users.erase(actor.userId)
              yield* emailTokens.deleteForUser(actor.userId)
              yield* phones.remove(actor.userId)
              yield* phoneCodes.removeForUser(actor.userId)
              yield* twoFactor.remove(actor.userId)
              yield* twoFactor.removeChallengesOf(actor.userId)
              yield* identities.removeForUser(actor.userId)
              yield* oidcFlows.removeForUser(actor.userId)
              yield* sessions.revokeAll(actor.userId, { except: null, reason: "account_deleted" })
              yield* erasure.erased(actor.userId)
            })
          )
          if (user.avatarKey !== null) yield* images.remove(user.avatarKey)
        }),

        createAvatarUpload: Effect.fn("Profiles.createAvatarUpload")(function* (actor, contentType) {
          return yield* images.start(avatarPrefix(actor.userId), contentType)
        }),

        get: Effect.fn("Profiles.get")(function* (userId) {
          const row = yield* users.findProfile(userId)
          if (Option.isNone(row)) return yield* new UserNotFound({ message: "No such user" })
          return views.profile(row.value)
        }),

        search: Effect.fn("Profiles.search")(function* (input) {
          const limit = input.limit ?? defaultPageSize
          const q = input.q?.trim()
          if (q !== undefined && q.length > 0) {
            const scope = `users:search:${q}`
            const after = yield* cursors.decode(SearchPosition, scope, input.cursor)
            const rows = yield* users.searchProfiles({ q, limit: limit + 1, after })
            return cursors.page(scope, rows, limit, views.profile, (row) => ({ score: String(row.score), id: row.id }))
          }
          const after = yield* cursors.decode(NewestPosition, "users:newest", input.cursor)
          const rows = yield* users.listNewestProfiles({ limit: limit + 1, after })
          return cursors.page("users:newest", rows, limit, views.profile, (row) => ({
            createdAt: row.createdAt.toISOString(),
            id: row.id
          }))
        }),

        getMany: Effect.fn("Profiles.getMany")(function* (ids) {
          const rows = yield* users.findProfiles([...new Set(ids)])
          return new Map(rows.map((row) => [row.id, views.profile(row)] as const))
        }),

        showMany: Effect.fn("Profiles.showMany")(function* (ids) {
          const unique = [...new Set(ids)]
          const rows = new Map((yield* users.findLiveProfiles(unique)).map((row) => [row.id, row] as const))
          return unique.flatMap((id) => {
            const row = rows.get(id)
            return row === undefined ? [] : [views.profile(row)]
          })
        }),

        findByHandles: Effect.fn("Profiles.findByHandles")(function* (handles) {
          const found = new Map<string, Array<UserId>>()
          for (const row of yield* users.findByHandles(handles)) {
            found.set(row.handle, [...(found.get(row.handle) ?? []), row.id])
          }
          return found
        }),

        findActive: (userId) => users.findActiveId(userId),
        findActiveByEmail: (email) => users.findActiveIdByEmail(email),
        findVerifiedByEmails: (emails) =>
          Effect.map(
            users.findVerifiedByEmails(emails),
            (rows) => new Map(rows.map((row) => [row.email, row.id] as const))
          ),

        emailRecipients: Effect.fn("Profiles.emailRecipients")(function* (ids) {
          const rows = yield* users.findEmailRecipients([...new Set(ids)])
          return new Map(
            rows.map(
              (row) => [row.id, { userId: row.id, email: row.email, nickname: row.nickname, role: row.role }] as const
            )
          )
        }),

        lastActiveAt: (userId) => sessions.lastUsedAt(userId),

        avatarDownloadUrl: Effect.fn("Profiles.avatarDownloadUrl")(function* (userId) {
          const row = yield* users.findProfile(userId)
          if (Option.isNone(row) || row.value.avatarKey === null) return Option.none<string>()
          return Option.some(yield* images.downloadUrl(row.value.avatarKey))
        })
      })
    })
  )
}
