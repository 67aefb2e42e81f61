import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { Bio, Interests, Nickname, Password, PasswordAttempt } from "./AccountFields.ts"
import { IncorrectPassword, SessionNotFound } from "./AuthErrors.ts"
import { Authentication } from "./Authentication.ts"
import { Session, SessionId } from "./Session.ts"
import { UploadKey } from "./Text.ts"
import { Timestamp } from "./Timestamp.ts"
import { UploadNotFound, User } from "./User.ts"

const doc = (summary: string, description: string) => OpenApi.annotations({ summary, description })

export const AvatarContentType = Schema.Literals(["image/png", "image/jpeg", "image/webp", "image/gif"]).annotate({
  identifier: "AvatarContentType",
  description: "Image types accepted for avatars and group images"
})

export const UpdateMePayload = Schema.Struct({
  nickname: Schema.optional(Nickname),
  bio: Schema.optional(Bio),
  interests: Schema.optional(Interests),
  avatarUploadKey: Schema.optional(
    Schema.NullOr(UploadKey).annotate({
      description: "The `key` of a finished avatar upload (`POST /me/avatar-upload`), or null to remove the avatar"
    })
  )
}).annotate({ identifier: "UpdateMePayload", description: "Only the fields present change" })

export const ChangePasswordPayload = Schema.Struct({
  currentPassword: PasswordAttempt,
  newPassword: Password
}).annotate({ identifier: "ChangePasswordPayload", description: "Your current password and the new one" })

export const AvatarUploadRequest = Schema.Struct({ contentType: AvatarContentType }).annotate({
  identifier: "AvatarUploadRequest",
  description: "The type of the image you are about to upload"
})

export class AvatarUpload extends Schema.Class<AvatarUpload>("AvatarUpload")(
  {
    key: Schema.String.annotate({ description: "Pass as `avatarUploadKey` to `PATCH /me` once uploaded" }),
    url: Schema.String.annotate({ description: "PUT the image bytes here, with the headers below" }),
    method: Schema.Literal("PUT"),
    headers: Schema.Record(Schema.String, Schema.String),
    maxBytes: Schema.Int,
    expiresAt: Timestamp
  },
  { description: "Where and how to upload an avatar image" }
) {}

/** The signed-in user's own account and devices. */
export class MeApi extends HttpApiGroup.make("me")
  .add(
    HttpApiEndpoint.get("get", "/me", { success: User }).annotateMerge(doc("Your account", "The signed-in user.")),
    HttpApiEndpoint.patch("update", "/me", {
      payload: UpdateMePayload,
      success: User,
      error: UploadNotFound
    }).annotateMerge(doc("Edit your profile", "Changes nickname, bio, interests or avatar.")),
    HttpApiEndpoint.delete("delete", "/me", { success: HttpApiSchema.NoContent }).annotateMerge(
      doc(
        "Delete your account",
        "Erases your personal data, shows your content as by a deleted user, and ends every session. The email can sign up again."
      )
    ),
    HttpApiEndpoint.post("changePassword", "/me/password", {
      payload: ChangePasswordPayload,
      success: HttpApiSchema.NoContent,
      error: IncorrectPassword
    }).annotateMerge(doc("Change your password", "Needs the current password; ends every other session.")),
    HttpApiEndpoint.post("createAvatarUpload", "/me/avatar-upload", {
      payload: AvatarUploadRequest,
      success: AvatarUpload
    }).annotateMerge(doc("Start an avatar upload", "A URL to PUT the image to directly (up to 5 MiB, 15 minutes).")),
    HttpApiEndpoint.post("resendVerification", "/me/verification-email", {
      success: HttpApiSchema.Accepted
    }).annotateMerge(doc("Resend the verification email", "Does nothing when the address is already verified.")),
    HttpApiEndpoint.get("listSessions", "/me/sessions", { success: Schema.Array(Session) }).annotateMerge(
      doc("Your signed-in devices", "Every active session, most recently used first.")
    ),
    HttpApiEndpoint.delete("revokeSession", "/me/sessions/:id", {
      params: { id: SessionId },
      success: HttpApiSchema.NoContent,
      error: SessionNotFound
    }).annotateMerge(doc("Sign a device out", "Ends one of your sessions; its tokens stop working at once.")),
    HttpApiEndpoint.post("revokeOtherSessions", "/me/sessions/revoke-others", {
      success: HttpApiSchema.NoContent
    }).annotateMerge(doc("Sign out everywhere else", "Ends every session but the current one."))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Me", description: "Your account, profile and devices" })) {}
