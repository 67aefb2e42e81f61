import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { InvalidRequest } from "@moim/domain/Kit/InvalidRequest"
import {
  type Attachment,
  isFileContentType,
  isPhotoContentType,
  MediaId,
  MediaUpload,
  maxFileBytes,
  maxMediaBytes,
  type StartMediaUploadPayload
} from "@moim/domain/Media/Media"
import { MediaAttached, MediaNotFound, MediaNotUploaded, MediaSizeMismatch } from "@moim/domain/Media/MediaErrors"
import { ProcessMedia } from "@moim/domain/Media/ProcessMedia"
import { Context, DateTime, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { JobQueue } from "../platform/JobQueue.ts"
import { Storage } from "../platform/Storage.ts"
import { Transaction } from "../platform/Transaction.ts"
import { MediaKeys } from "./MediaKeys.ts"
import { MediaPurge, uploadUrlLifetime } from "./MediaPurge.ts"
import { MediaRepo } from "./MediaRepo.ts"
import { isFinalised, MediaViews } from "./MediaViews.ts"

type SignedIn = CurrentUser["Service"]

const notFound = () => new MediaNotFound({ message: "No photo or file of yours has this id" })

const invalid = (field: string, message: string) =>
  new InvalidRequest({
    message: `Invalid request: payload.${field}: ${message}`,
    issues: [{ path: ["payload", field], message }]
  })

/**
 * What the payload's schema cannot say field by field: a photo's type and limit, a file's type, name
 * and limit. The upload's kind, its name (a file's) and the most bytes it may have.
 */
const uploadOf = (input: typeof StartMediaUploadPayload.Type) => {
  if ((input.kind ?? "photo") === "photo") {
    if (!isPhotoContentType(input.contentType)) {
      return Effect.fail(
        invalid("contentType", `${input.contentType} is not a photo's type: upload it with kind "file"`)
      )
    }
    if (input.size > maxMediaBytes) {
      return Effect.fail(invalid("size", `A photo has at most ${maxMediaBytes} bytes (20 MiB)`))
    }
    return Effect.succeed({ kind: "photo" as const, fileName: null, maxBytes: maxMediaBytes })
  }
  if (!isFileContentType(input.contentType)) {
    return Effect.fail(invalid("contentType", `${input.contentType} is a photo's type: upload it with kind "photo"`))
  }
  if (input.name === undefined) return Effect.fail(invalid("name", "A file needs its name"))
  return Effect.succeed({ kind: "file" as const, fileName: input.name, maxBytes: maxFileBytes })
}

/**
 * A user's own photos, through the API: start an upload (a signed URL straight to storage), finalise
 * it (the file is there and the declared size: processing starts), read one, delete one not attached.
 * Only the uploader ever reaches a photo here; to everyone else it does not exist.
 */
export class MediaUploads extends Context.Service<
  MediaUploads,
  {
    readonly start: (
      user: SignedIn,
      input: typeof StartMediaUploadPayload.Type
    ) => Effect.Effect<MediaUpload, InvalidRequest>
    readonly finalize: (
      user: SignedIn,
      id: MediaId
    ) => Effect.Effect<Attachment, MediaNotFound | MediaNotUploaded | MediaSizeMismatch>
    readonly get: (user: SignedIn, id: MediaId) => Effect.Effect<Attachment, MediaNotFound>
    readonly remove: (user: SignedIn, id: MediaId) => Effect.Effect<void, MediaNotFound | MediaAttached>
  }
>()("@moim/server/Media/MediaUploads") {
  static readonly layer = Layer.effect(
    MediaUploads,
    Effect.gen(function* () {
      const repo = yield* MediaRepo
      const views = yield* MediaViews
      const storage = yield* Storage
      const jobs = yield* JobQueue
      const purge = yield* MediaPurge
      const transaction = yield* Transaction.make

      return MediaUploads.of({
        start: Effect.fn("MediaUploads.start")(function* (user, input) {
          const kind = yield* uploadOf(input)
          const id = MediaId.make(SecureRandom.uuidV7Unsafe())
          const uploadKey = MediaKeys.upload(id)
          const upload = yield* storage
            .presignUpload(uploadKey, {
              contentType: input.contentType,
              contentLength: input.size,
              maxBytes: kind.maxBytes,
              expiresIn: uploadUrlLifetime
            })
            .pipe(Effect.orDie)
          yield* repo.insert({
            id,
            ownerId: user.userId,
            kind: kind.kind,
            fileName: kind.fileName,
            declaredType: input.contentType,
            declaredBytes: input.size,
            uploadKey
          })
          return new MediaUpload({
            mediaId: id,
            url: upload.url,
            method: upload.method,
            headers: upload.headers,
            maxBytes: kind.maxBytes,
            expiresAt: DateTime.addDuration(yield* DateTime.now, uploadUrlLifetime)
          })
        }),

        finalize: Effect.fn("MediaUploads.finalize")(function* (user, id) {
          const found = yield* repo.findOwned(user.userId, id)
          if (Option.isNone(found)) return yield* notFound()
          if (isFinalised(found.value)) return yield* views.attachment(found.value)
          const row = found.value
          // Read outside the transaction: no row stays locked while storage answers.
          const object = yield* storage.head(row.uploadKey).pipe(Effect.orDie)
          if (Option.isNone(object)) {
            return yield* new MediaNotUploaded({ message: "Nothing was uploaded for this id yet" })
          }
          // Both storage adapters refuse another size; this catches a store that does not check signatures.
          if (object.value.size !== row.declaredBytes) {
            yield* storage.delete(row.uploadKey).pipe(Effect.orDie)
            return yield* new MediaSizeMismatch({
              message: `The uploaded file has ${object.value.size} bytes, not the ${row.declaredBytes} declared`
            })
          }
          const finalised = yield* transaction(
            Effect.gen(function* () {
              const marked = yield* repo.markProcessing(id)
              if (Option.isSome(marked)) yield* jobs.enqueue(ProcessMedia, { mediaId: id })
              return marked
            })
          )
          if (Option.isSome(finalised) && isFinalised(finalised.value)) return yield* views.attachment(finalised.value)
          // Finalised (or deleted) by a concurrent request in between: answer what it is now.
          const now = yield* repo.findOwned(user.userId, id)
          if (Option.isNone(now) || !isFinalised(now.value)) return yield* notFound()
          return yield* views.attachment(now.value)
        }),

        get: Effect.fn("MediaUploads.get")(function* (user, id) {
          const found = yield* repo.findOwned(user.userId, id)
          if (Option.isNone(found) || !isFinalised(found.value)) return yield* notFound()
          return yield* views.attachment(found.value)
        }),

        remove: Effect.fn("MediaUploads.remove")(function* (user, id) {
          yield* transaction(
            Effect.gen(function* () {
              const found = yield* repo.findOwned(user.userId, id, { lock: true })
              if (Option.isNone(found)) return yield* notFound()
              if (found.value.subjectId !== null) {
                return yield* new MediaAttached({ message: "It is attached; remove it from there instead" })
              }
              yield* repo.markDeleted(id)
            })
          )
          // The files go now; should storage fail, the hourly purge removes them.
          yield* purge.removeDeleted([id]).pipe(Effect.catchCause(() => Effect.void))
        })
      })
    })
  )
}
