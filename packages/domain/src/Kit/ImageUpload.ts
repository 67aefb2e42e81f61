import { Schema } from "effect"
import { Timestamp } from "./Timestamp.ts"

export const AvatarContentType = Schema.Literals(["image/png", "image/jpeg", "image/webp", "image/gif"]).annotate({
  identifier: "AvatarContentType",
  description: "Image types accepted for avatars and group images"
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
