import { Schema } from "effect"

export class MediaNotFound extends Schema.TaggedError<MediaNotFound>()(
  "MediaNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "MediaNotFound", description: "No photo or file of yours has this id" }
) {}

/** Finalised before the bytes arrived, or after the upload URL expired. */
export class MediaNotUploaded extends Schema.TaggedError<MediaNotUploaded>()(
  "MediaNotUploaded",
  { message: Schema.String },
  {
    httpApiStatus: 409,
    identifier: "MediaNotUploaded",
    description: "Nothing was uploaded for this photo yet: send the bytes to the upload URL first"
  }
) {}

/** The stored upload is not the size declared: a store that did not enforce the signed size. */
export class MediaSizeMismatch extends Schema.TaggedError<MediaSizeMismatch>()(
  "MediaSizeMismatch",
  { message: Schema.String },
  {
    httpApiStatus: 422,
    identifier: "MediaSizeMismatch",
    description: "The uploaded file is not the size declared; it was discarded, upload it again"
  }
) {}

export class MediaAttached extends Schema.TaggedError<MediaAttached>()(
  "MediaAttached",
  { message: Schema.String },
  {
    httpApiStatus: 409,
    identifier: "MediaAttached",
    description: "The photo is attached (to a post): remove it from there instead"
  }
) {}

/**
 * For the features that attach photos (posts): the photo is the author's, but not finalised, failed,
 * or attached to something else.
 */
export class MediaNotAttachable extends Schema.TaggedError<MediaNotAttachable>()(
  "MediaNotAttachable",
  { mediaId: Schema.String, message: Schema.String },
  {
    httpApiStatus: 409,
    identifier: "MediaNotAttachable",
    description: "The photo cannot be attached: it is not finalised, it failed, or it is attached elsewhere"
  }
) {}

/** For the features that take photos only (posts): the upload is a file, not a photo. */
export class MediaNotAPhoto extends Schema.TaggedError<MediaNotAPhoto>()(
  "MediaNotAPhoto",
  { mediaId: Schema.String, message: Schema.String },
  {
    httpApiStatus: 422,
    identifier: "MediaNotAPhoto",
    description: "The upload is a file, not a photo: only photos can be attached here"
  }
) {}
