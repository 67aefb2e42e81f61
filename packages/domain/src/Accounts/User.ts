import { Schema } from "effect"
import { Timestamp } from "../Kit/Timestamp.ts"

export const UserId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("UserId"))
  .annotate({
    identifier: "UserId",
    description: "A user's id (UUIDv7)"
  })
export type UserId = typeof UserId.Type

export const UserRole = Schema.Literals(["user", "admin"]).annotate({
  identifier: "UserRole",
  description: "`admin`: a site administrator"
})
export type UserRole = typeof UserRole.Type

export const UserStatus = Schema.Literals(["active", "suspended", "deleted"]).annotate({
  identifier: "UserStatus",
  description: "`suspended`: by a site admin; `deleted`: erased by its owner"
})
export type UserStatus = typeof UserStatus.Type

/** The signed-in user's own account, as `GET /me` shows it. */
export class User extends Schema.Class<User>("User")(
  {
    id: UserId,
    email: Schema.NullOr(Schema.String).annotate({
      description: "Your email address; null for an account made with a phone number"
    }),
    nickname: Schema.String,
    bio: Schema.String,
    avatarUrl: Schema.NullOr(Schema.String).annotate({ description: "A URL of the avatar image, or null" }),
    interests: Schema.Array(Schema.String),
    role: UserRole,
    status: UserStatus,
    emailVerifiedAt: Schema.NullOr(Timestamp),
    phoneNumber: Schema.NullOr(Schema.String).annotate({
      description: "Your verified phone number (E.164), or null; only you see it"
    }),
    phoneVerifiedAt: Schema.NullOr(Timestamp),
    createdAt: Timestamp,
    updatedAt: Timestamp
  },
  { description: "Your account" }
) {}

/** What anyone may see of a user. */
export class PublicProfile extends Schema.Class<PublicProfile>("PublicProfile")(
  // Described on the struct too: no operation returns it alone (profile pages are `UserProfile`s),
  // so its component would otherwise have no description.
  Schema.Struct({
    id: UserId,
    nickname: Schema.String,
    bio: Schema.String,
    avatarUrl: Schema.NullOr(Schema.String),
    interests: Schema.Array(Schema.String),
    createdAt: Timestamp
  }).annotate({ description: "A user's public profile" }),
  { description: "A user's public profile" }
) {}

/** A user as site admins see it. */
export class AdminUserView extends Schema.Class<AdminUserView>("AdminUserView")(
  {
    id: UserId,
    email: Schema.NullOr(Schema.String),
    nickname: Schema.String,
    role: UserRole,
    status: UserStatus,
    suspendedAt: Schema.NullOr(Timestamp),
    suspensionReason: Schema.NullOr(Schema.String),
    createdAt: Timestamp
  },
  { description: "A user as site admins see them" }
) {}

export class UserNotFound extends Schema.TaggedError<UserNotFound>()(
  "UserNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "UserNotFound", description: "No such user" }
) {}

export class EmailAlreadyRegistered extends Schema.TaggedError<EmailAlreadyRegistered>()(
  "EmailAlreadyRegistered",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "EmailAlreadyRegistered", description: "An account with this email exists" }
) {}

export class UploadNotFound extends Schema.TaggedError<UploadNotFound>()(
  "UploadNotFound",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "UploadNotFound",
    description: "The referenced upload does not exist, is not yours, or is not an acceptable image"
  }
) {}
