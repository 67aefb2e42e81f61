import type { ProcessedImage } from "@moim/server/Media/MediaProcessing"
import { Effect, Schema, Semaphore } from "effect"
import { fileTypeFromBuffer } from "file-type"
import sharp from "sharp"
import { rgbaToThumbHash } from "thumbhash"

/** Why an upload is not a photo this server takes; shown to its owner as the photo's `failure`. */
export class ImageRefused extends Schema.TaggedError<ImageRefused>()("ImageRefused", { reason: Schema.String }) {}

/** The rendition widths; an image narrower than one gets a rendition at its own width instead (no upscaling). */
export const renditionWidths = [320, 640, 1280, 2048] as const

/** The largest image decoded, in pixels (a 48-megapixel phone photo fits; a decompression bomb does not). */
export const maxPixels = 70_000_000

/** What the bytes must be, by their magic numbers, whatever the upload declared. */
const accepted: Readonly<Record<string, string>> = {
  "image/jpeg": "JPEG",
  "image/png": "PNG",
  "image/webp": "WebP",
  "image/gif": "GIF",
  "image/heic": "HEIC",
  "image/heif": "HEIF",
  "image/avif": "AVIF"
}

const webpQuality = 80
// ThumbHash encodes images of at most 100x100 pixels.
const placeholderSize = 100

// Decoding a large photo takes hundreds of megabytes: at most two at once in this process,
// whatever the worker's job concurrency.
const decoding = Semaphore.makeUnsafe(2)

const refuse = (reason: string) => new ImageRefused({ reason })

const undecodable = (format: string) => (cause: unknown) => {
  const detail = cause instanceof Error ? cause.message.split("\n")[0]?.slice(0, 200) : undefined
  return refuse(
    format === "HEIC" || format === "HEIF"
      ? "This HEIC photo could not be decoded: the server's image library reads AVIF but not HEVC-coded HEIC; upload it as JPEG"
      : `The ${format} image could not be decoded${detail === undefined ? "" : ` (${detail})`}`
  )
}

/**
 * Turns an upload into what clients are shown: checks the bytes are one of the accepted image types,
 * applies the EXIF orientation, and makes WebP renditions at `renditionWidths` plus a ThumbHash
 * placeholder. Nothing of the upload's metadata (EXIF with its GPS position, XMP, IPTC, ICC) reaches
 * a rendition: `sharp` writes none unless asked to. Animated images give their first frame.
 */
export const ImagePipeline = {
  render: Effect.fn("ImagePipeline.render")(function* (bytes: Uint8Array) {
    const sniffed = yield* Effect.promise(() => fileTypeFromBuffer(bytes))
    const format = sniffed === undefined ? undefined : accepted[sniffed.mime]
    if (format === undefined) {
      return yield* refuse(
        `The file is not a JPEG, PNG, WebP, GIF, HEIC or AVIF image${sniffed === undefined ? "" : ` (it is ${sniffed.mime})`}`
      )
    }
    const options = { limitInputPixels: maxPixels, pages: 1 } as const
    const metadata = yield* Effect.tryPromise({
      try: () => sharp(bytes, { ...options, limitInputPixels: false }).metadata(),
      catch: undecodable(format)
    })
    if (metadata.width * metadata.height > maxPixels) {
      return yield* refuse(
        `The image is ${metadata.width}x${metadata.height} pixels; at most ${maxPixels / 1_000_000} megapixels are accepted`
      )
    }
    const { width, height } = metadata.autoOrient
    const widths = [...new Set(renditionWidths.map((target) => Math.min(target, width)))]
    const upright = sharp(bytes, options).rotate()
    const renditions = yield* Effect.forEach(widths, (target) =>
      Effect.tryPromise({
        try: () =>
          upright
            .clone()
            .resize({ width: target, withoutEnlargement: true })
            .webp({ quality: webpQuality })
            .toBuffer({ resolveWithObject: true }),
        catch: undecodable(format)
      }).pipe(
        Effect.map(({ data, info }) => ({
          width: info.width,
          height: info.height,
          body: new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        }))
      )
    )
    const small = yield* Effect.tryPromise({
      try: () =>
        upright
          .clone()
          .resize({ width: placeholderSize, height: placeholderSize, fit: "inside" })
          .ensureAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true }),
      catch: undecodable(format)
    })
    const placeholder = Buffer.from(rgbaToThumbHash(small.info.width, small.info.height, small.data)).toString("base64")
    const image: ProcessedImage = { width, height, placeholder, renditions }
    return image
  }, decoding.withPermits(1))
}
