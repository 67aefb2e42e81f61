import type { MediaId, MediaKind } from "@moim/domain/Media/Media"
import { Context, Effect, Layer, Option } from "effect"
import { Storage } from "../platform/Storage.ts"
import { MediaKeys } from "./MediaKeys.ts"
import { MediaRepo, type StoredRendition } from "./MediaRepo.ts"

/** What the worker made of an upload. */
export interface ProcessedImage {
  /** Of the original, once upright. */
  readonly width: number
  readonly height: number
  /** ThumbHash, base64. */
  readonly placeholder: string
  /** WebP files without metadata, narrowest first. */
  readonly renditions: ReadonlyArray<{ readonly width: number; readonly height: number; readonly body: Uint8Array }>
}

/** An upload awaiting processing: what it is, what it was declared as, and its bytes. */
export interface MediaSource {
  readonly kind: MediaKind
  readonly declaredType: string
  readonly bytes: Uint8Array
}

/**
 * The worker's side of a photo or a file (`ProcessMedia`): the uploaded bytes, then the outcome, ready
 * (a photo with its renditions, a file with the type its bytes were checked to be) or failed with the
 * reason. Each step checks the upload is still processing, so a job run twice, or one that finishes
 * after the upload was deleted, changes nothing and leaves no file behind. A photo's upload is
 * removed once processed, since it may carry where the photo was taken; a file's upload is the file
 * itself and stays until the file is deleted. A failed upload's bytes are removed at once.
 */
export class MediaProcessing extends Context.Service<
  MediaProcessing,
  {
    /**
     * The upload while it awaits processing; none when it no longer does (done, failed or deleted),
     * or when its bytes are gone (then it is marked failed).
     */
    readonly source: (id: MediaId) => Effect.Effect<Option.Option<MediaSource>>
    /** Stores the renditions and records the photo ready. */
    readonly complete: (id: MediaId, image: ProcessedImage) => Effect.Effect<void>
    /** Records the file ready, its upload kept and served as `contentType` (checked from its bytes). */
    readonly completeFile: (id: MediaId, contentType: string) => Effect.Effect<void>
    /** Records the photo failed, with the reason its owner is shown. */
    readonly fail: (id: MediaId, reason: string) => Effect.Effect<void>
  }
>()("@moim/server/Media/MediaProcessing") {
  static readonly layer = Layer.effect(
    MediaProcessing,
    Effect.gen(function* () {
      const repo = yield* MediaRepo
      const storage = yield* Storage

      const removeUpload = (id: MediaId) => storage.delete(MediaKeys.upload(id)).pipe(Effect.orDie)

      // The upload goes first, so a photo its owner sees failed never still has its bytes stored.
      const fail = Effect.fn("MediaProcessing.fail")(function* (id: MediaId, reason: string) {
        yield* removeUpload(id)
        yield* repo.markFailed(id, reason)
      })

      return MediaProcessing.of({
        source: Effect.fn("MediaProcessing.source")(function* (id) {
          const row = yield* repo.processing(id)
          if (Option.isNone(row)) return Option.none()
          const object = yield* storage.get(row.value.uploadKey).pipe(
            Effect.map(Option.some),
            Effect.catchTag("StorageObjectNotFound", () => Effect.succeedNone),
            Effect.orDie
          )
          if (Option.isNone(object)) {
            yield* fail(id, "The uploaded file is gone; upload it again")
            return Option.none()
          }
          return Option.some({ kind: row.value.kind, declaredType: row.value.declaredType, bytes: object.value.body })
        }),

        completeFile: Effect.fn("MediaProcessing.completeFile")(function* (id, contentType) {
          yield* repo.markFileReady(id, contentType)
        }),

        complete: Effect.fn("MediaProcessing.complete")(function* (id, image) {
          const stored: ReadonlyArray<StoredRendition> = image.renditions.map((rendition) => ({
            width: rendition.width,
            height: rendition.height,
            key: MediaKeys.rendition(id, rendition.width)
          }))
          yield* Effect.forEach(
            image.renditions,
            (rendition) =>
              storage
                .put(MediaKeys.rendition(id, rendition.width), rendition.body, { contentType: "image/webp" })
                .pipe(Effect.orDie),
            { concurrency: 4, discard: true }
          )
          const recorded = yield* repo.markReady(id, {
            width: image.width,
            height: image.height,
            placeholder: image.placeholder,
            renditions: stored
          })
          if (recorded) return yield* removeUpload(id)
          // Another run recorded the same files (the keys are the photo's), or the photo was deleted
          // meanwhile: then nothing else will remove what was just stored.
          if (!(yield* repo.exists(id))) {
            yield* Effect.forEach(stored, (rendition) => storage.delete(rendition.key).pipe(Effect.orDie), {
              discard: true
            })
          }
        }),

        fail
      })
    })
  )
}
