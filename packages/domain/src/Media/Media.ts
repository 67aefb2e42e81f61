import { Schema } from "effect"
import { isLengthBetween, isStorableText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

export const MediaId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("MediaId"))
  .annotate({ identifier: "MediaId", description: "A photo's or a file's id (UUIDv7)" })
export type MediaId = typeof MediaId.Type

/** The most bytes one photo may have; the storage itself refuses a larger upload. */
export const maxMediaBytes = 20 * 1024 * 1024

/** The most bytes one file (not a photo) may have; the storage itself refuses a larger upload. */
export const maxFileBytes = 100 * 1024 * 1024

export const MediaKind = Schema.Literals(["photo", "file"]).annotate({
  identifier: "MediaKind",
  description:
    "`photo`: an image, checked, resized and shown inline through its renditions; `file`: any other accepted file, checked by its bytes and kept as uploaded, only ever downloaded"
})
export type MediaKind = typeof MediaKind.Type

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

/**
 * The types a file (`kind: "file"`) may declare: documents, archives and audio or video. The worker
 * reads the bytes and refuses a file whose real type is not of the declared one's family.
 */
export const FileContentType = Schema.Literals([
  "application/pdf",
  "text/plain",
  "text/csv",
  "text/markdown",
  "application/zip",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
  "application/vnd.oasis.opendocument.presentation",
  "audio/mpeg",
  "audio/mp4",
  "video/mp4",
  "video/webm"
]).annotate({
  identifier: "FileContentType",
  description:
    "A file's type: PDF, plain text, CSV, Markdown (UTF-8), ZIP, Word/Excel/PowerPoint (OOXML), OpenDocument text/spreadsheet/presentation, MP3, MP4 audio, MP4 or WebM video"
})
export type FileContentType = typeof FileContentType.Type

export const isPhotoContentType: (value: string) => value is MediaContentType = Schema.is(MediaContentType)
export const isFileContentType: (value: string) => value is FileContentType = Schema.is(FileContentType)

/**
 * A file's name as its uploader's device knew it, kept apart from where it is stored and given back
 * only as the name a download is saved under: 1 to 255 characters, no path separators, no control or
 * bidirectional-override characters, not `.` or `..`.
 */
export const MediaFileName = Schema.String.annotate({
  description:
    "The name the file is downloaded as, e.g. `Budget 2026.xlsx`: 1 to 255 characters, without `/`, `\\`, control characters or bidirectional overrides",
  examples: ["Budget 2026.xlsx"]
}).check(
  isLengthBetween(1, 255),
  isStorableText,
  Schema.makeFilter((value: string) => value !== "." && value !== "..", { expected: "a file name, not . or .." }),
  Schema.isPattern(/^[^/\\\p{Cc}\u202A-\u202E\u2066-\u2069]+$/u, {
    expected: "a file name without path separators or control characters"
  })
)

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

/** A file's part of an `Attachment`: what a client shows and the link to download it. */
export const MediaFile = Schema.Struct({
  name: Schema.String.annotate({ description: "The name it was uploaded with; downloads are saved under it" }),
  contentType: Schema.String.annotate({
    description: "The declared type until `ready`, then the type its bytes were checked to be"
  }),
  size: Schema.Int.annotate({ description: "In bytes" }),
  url: Schema.NullOr(Schema.String).annotate({
    description:
      "Downloads the file as uploaded (`Content-Disposition: attachment`, never shown inline), when `ready`. Signed and long-lived (days)"
  })
}).annotate({ identifier: "MediaFile", description: "A file that is not a photo: its name, type, size and download" })
export type MediaFile = typeof MediaFile.Type

export class Attachment extends Schema.Class<Attachment>("Attachment")(
  {
    id: MediaId,
    kind: MediaKind,
    status: MediaStatus,
    failure: Schema.NullOr(Schema.String).annotate({
      description: "Why the upload was refused, when `failed` (e.g. the file is not an image)"
    }),
    width: Schema.NullOr(Schema.Int).annotate({ description: "Of the original once upright, when `ready`" }),
    height: Schema.NullOr(Schema.Int).annotate({ description: "Of the original once upright, when `ready`" }),
    placeholder: Schema.NullOr(Schema.String).annotate({
      description: "A ThumbHash (base64) to paint a blurred preview while the image loads, when `ready`"
    }),
    renditions: Schema.Array(MediaRendition).annotate({
      description:
        "Narrowest first, at fixed widths (320, 640, 1280, 2048) up to the original's; empty until `ready`, and always for a file"
    }),
    file: Schema.NullOr(MediaFile).annotate({ description: 'For a file (`kind: "file"`); null for a photo' }),
    createdAt: Timestamp
  },
  {
    description:
      "A photo or a file as clients show it: its state; a photo's size, placeholder and renditions; a file's name and download"
  }
) {}

export const StartMediaUploadPayload = Schema.Struct({
  kind: Schema.optionalKey(MediaKind),
  name: Schema.optionalKey(MediaFileName),
  contentType: Schema.Union([MediaContentType, FileContentType]).annotate({
    description: "A photo's type (`MediaContentType`), or a file's (`FileContentType`)"
  }),
  size: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: maxFileBytes })).annotate({
    description: `The file's exact size in bytes: the upload URL accepts a body of this size only. At most ${maxMediaBytes} (20 MiB) for a photo, ${maxFileBytes} (100 MiB) for a file`
  })
}).annotate({
  identifier: "StartMediaUploadPayload",
  description:
    "The photo or file about to be uploaded: `kind` is `photo` unless given; a file needs its `name` and one of the `FileContentType`s"
})

export class MediaUpload extends Schema.Class<MediaUpload>("MediaUpload")(
  {
    mediaId: MediaId,
    url: Schema.String.annotate({ description: "Send the file's bytes here, with `method` and `headers`" }),
    method: Schema.Literal("PUT"),
    headers: Schema.Record(Schema.String, Schema.String).annotate({
      description: "Send them exactly as given (`Content-Length` is the file's size; `fetch` sets it itself)"
    }),
    maxBytes: Schema.Int.annotate({ description: "The most bytes an upload of this kind may have" }),
    expiresAt: Timestamp.annotate({ description: "The URL accepts the upload until then" })
  },
  { description: "Where and how to upload a photo's or a file's bytes, straight to storage; then finalise `mediaId`" }
) {}
