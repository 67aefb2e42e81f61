import { Schema } from "effect"
import { Timestamp } from "../Kit/Timestamp.ts"

export const MediaId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("MediaId"))
  .annotate({ identifier: "MediaId", description: "A photo's id (UUIDv7)" })
export type MediaId = typeof MediaId.Type

/** The most bytes one photo may have; the storage itself refuses a larger upload. */
export const maxMediaBytes = 20 * 1024 * 1024

/**
 * The types an upload may declare. The declaration only signs the upload URL: the worker reads the
 * bytes themselves and refuses anything that is not one of these images, whatever was declared.
 */
export const MediaContentType = Schema.Literals([
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/gif",
  "image/heic",
  "image/heif",
  "image/avif"
]).annotate({
  identifier: "MediaContentType",
  description: "A photo's type: JPEG, PNG, WebP, GIF (its first frame), HEIC/HEIF or AVIF"
})
export type MediaContentType = typeof MediaContentType.Type

export const MediaStatus = Schema.Literals(["processing", "ready", "failed"]).annotate({
  identifier: "MediaStatus",
  description:
    "`processing`: uploaded, its renditions are being made; `ready`: renditions and placeholder are there; `failed`: refused (see `failure`)"
})
export type MediaStatus = typeof MediaStatus.Type

// A struct rather than a class: only the classes an operation returns get their description copied
// to their component schema, and this one is only ever inside an `Attachment`.
export const MediaRendition = Schema.Struct({
  width: Schema.Int.annotate({ description: "In pixels; never wider than the original" }),
  height: Schema.Int.annotate({ description: "In pixels, keeping the original's proportions" }),
  url: Schema.String.annotate({
    description: "A WebP image without metadata. Signed and long-lived (days), or on the server's CDN"
  })
}).annotate({ identifier: "MediaRendition", description: "One size of a photo" })
export type MediaRendition = typeof MediaRendition.Type

export class Attachment extends Schema.Class<Attachment>("Attachment")(
  {
    id: MediaId,
    status: MediaStatus,
    failure: Schema.NullOr(Schema.String).annotate({
      description: "Why the photo was refused, when `failed` (e.g. the file is not an image)"
    }),
    width: Schema.NullOr(Schema.Int).annotate({ description: "Of the original once upright, when `ready`" }),
    height: Schema.NullOr(Schema.Int).annotate({ description: "Of the original once upright, when `ready`" }),
    placeholder: Schema.NullOr(Schema.String).annotate({
      description: "A ThumbHash (base64) to paint a blurred preview while the image loads, when `ready`"
    }),
    renditions: Schema.Array(MediaRendition).annotate({
      description: "Narrowest first, at fixed widths (320, 640, 1280, 2048) up to the original's; empty until `ready`"
    }),
    createdAt: Timestamp
  },
  { description: "A photo as clients show it: its state, size, placeholder and renditions" }
) {}

export const StartMediaUploadPayload = Schema.Struct({
  contentType: MediaContentType,
  size: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: maxMediaBytes })).annotate({
    description: "The file's exact size in bytes: the upload URL accepts a body of this size only"
  })
}).annotate({ identifier: "StartMediaUploadPayload", description: "The photo about to be uploaded" })

export class MediaUpload extends Schema.Class<MediaUpload>("MediaUpload")(
  {
    mediaId: MediaId,
    url: Schema.String.annotate({ description: "Send the file's bytes here, with `method` and `headers`" }),
    method: Schema.Literal("PUT"),
    headers: Schema.Record(Schema.String, Schema.String).annotate({
      description: "Send them exactly as given (`Content-Length` is the file's size; `fetch` sets it itself)"
    }),
    maxBytes: Schema.Int.annotate({ description: "The most bytes a photo may have" }),
    expiresAt: Timestamp.annotate({ description: "The URL accepts the upload until then" })
  },
  { description: "Where and how to upload a photo's bytes, straight to storage; then finalise `mediaId`" }
) {}
