import { createHash } from "node:crypto"
import { UploadNotFound } from "@moim/domain/Accounts/User"
import type { AvatarContentType } from "@moim/domain/Kit/ImageUpload"
import { AvatarUpload } from "@moim/domain/Kit/ImageUpload"
import { Context, DateTime, Duration, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { AppConfig } from "./AppConfig.ts"
import { Storage } from "./Storage.ts"

const maxBytes = 5 * 1024 * 1024
const uploadTtl = Duration.minutes(15)

/**
 * Image uploads (avatars, group images) straight from the client to storage: `start` signs an
 * upload under an owner's prefix, `verify` checks that a key the client hands back is under that
 * prefix, finished, an image and small enough. Images are served through stable redirect routes
 * whose URL changes when the image does, so clients and CDNs may cache them.
 */
export class ImageUploads extends Context.Service<
  ImageUploads,
  {
    readonly start: (prefix: string, contentType: typeof AvatarContentType.Type) => Effect.Effect<AvatarUpload>
    readonly verify: (prefix: string, key: string) => Effect.Effect<void, UploadNotFound>
    /** `${publicUrl}${path}?v=<hash of key>`, or null without an image. */
    readonly url: (path: string, key: string | null) => string | null
    readonly downloadUrl: (key: string) => Effect.Effect<string>
    readonly remove: (key: string) => Effect.Effect<void>
  }
>()("@moim/server/platform/ImageUploads") {
  static readonly layer = Layer.effect(
    ImageUploads,
    Effect.gen(function* () {
      const storage = yield* Storage
      const app = yield* AppConfig
      return ImageUploads.of({
        start: Effect.fn("ImageUploads.start")(function* (prefix, contentType) {
          const key = `${prefix}${SecureRandom.uuidV7Unsafe()}`
          const upload = yield* storage
            .presignUpload(key, { contentType, maxBytes, expiresIn: uploadTtl })
            .pipe(Effect.orDie)
          return new AvatarUpload({
            key,
            url: upload.url,
            method: "PUT",
            headers: upload.headers,
            maxBytes,
            expiresAt: DateTime.addDuration(yield* DateTime.now, uploadTtl)
          })
        }),
        verify: Effect.fn("ImageUploads.verify")(function* (prefix, key) {
          const refused = new UploadNotFound({ message: "No finished image upload of yours has this key" })
          if (!key.startsWith(prefix)) return yield* refused
          const object = yield* storage.head(key).pipe(Effect.orDie)
          if (Option.isNone(object) || !object.value.contentType.startsWith("image/") || object.value.size > maxBytes) {
            return yield* refused
          }
        }),
        url: (path, key) =>
          key === null
            ? null
            : `${app.publicUrl}${path}?v=${createHash("sha256").update(key).digest("hex").slice(0, 12)}`,
        downloadUrl: (key) => storage.presignDownload(key, { expiresIn: Duration.hours(1) }).pipe(Effect.orDie),
        remove: (key) => storage.delete(key).pipe(Effect.ignore)
      })
    })
  )
}
