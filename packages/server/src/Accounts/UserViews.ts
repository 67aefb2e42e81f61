import { AdminUserView, PublicProfile, User, type UserId } from "@moim/domain/Accounts/User"
import { Context, DateTime, Effect, Layer, Option } from "effect"
import { ImageUploads } from "../platform/ImageUploads.ts"
import type { VerifiedPhoneRow } from "./PhoneNumbersRepo.ts"
import type { ProfileRow, UserRow } from "./UsersRepo.ts"

const utc = (date: Date) => DateTime.fromDateUnsafe(date)
const nullableUtc = (date: Date | null) => (date === null ? null : utc(date))

/** How stored users are shown: to themselves, to anyone, to site admins. */
export class UserViews extends Context.Service<
  UserViews,
  {
    /** The account as its owner sees it, with its verified phone number. */
    readonly user: (row: UserRow, phone: Option.Option<VerifiedPhoneRow>) => User
    readonly profile: (row: ProfileRow) => PublicProfile
    readonly admin: (row: UserRow) => AdminUserView
    readonly avatarUrl: (userId: UserId, avatarKey: string | null) => string | null
  }
>()("@moim/server/Accounts/UserViews") {
  static readonly layer = Layer.effect(
    UserViews,
    Effect.gen(function* () {
      const images = yield* ImageUploads
      const avatarUrl = (userId: UserId, avatarKey: string | null) =>
        images.url(`/api/v1/users/${userId}/avatar`, avatarKey)
      return UserViews.of({
        avatarUrl,
        user: (row, phone) =>
          new User({
            id: row.id,
            email: row.email,
            nickname: row.nickname,
            bio: row.bio,
            avatarUrl: avatarUrl(row.id, row.avatarKey),
            interests: row.interests,
            role: row.role,
            status: row.status,
            emailVerifiedAt: nullableUtc(row.emailVerifiedAt),
            phoneNumber: Option.match(phone, { onNone: () => null, onSome: (verified) => verified.e164 }),
            phoneVerifiedAt: Option.match(phone, {
              onNone: () => null,
              onSome: (verified) => utc(verified.verifiedAt)
            }),
            createdAt: utc(row.createdAt),
            updatedAt: utc(row.updatedAt)
          }),
        profile: (row) =>
          new PublicProfile({
            id: row.id,
            nickname: row.nickname,
            bio: row.bio,
            avatarUrl: avatarUrl(row.id, row.avatarKey),
            interests: row.interests,
            createdAt: utc(row.createdAt)
          }),
        admin: (row) =>
          new AdminUserView({
            id: row.id,
            email: row.email,
            nickname: row.nickname,
            role: row.role,
            status: row.status,
            suspendedAt: nullableUtc(row.suspendedAt),
            suspensionReason: row.suspensionReason,
            createdAt: utc(row.createdAt)
          })
      })
    })
  )
}
