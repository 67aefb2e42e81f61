import { Attachment, type MediaFile, type MediaRendition } from "@moim/domain/Media/Media"
import { Context, DateTime, Duration, Effect, Layer, Option } from "effect"
import { Storage } from "../platform/Storage.ts"
import { MediaConfig } from "./MediaConfig.ts"
import type { MediaRow } from "./MediaRepo.ts"

/** A photo that was finalised: only those are shown. */
export type FinalisedRow = MediaRow & { readonly status: "processing" | "ready" | "failed" }

export const isFinalised = (row: MediaRow): row is FinalisedRow => row.status !== "uploading"

// A rendition URL is signed as of the start of the current UTC day and lives a week (S3's longest):
// every request of a day gets the same URL, which browsers cache, and it stays valid at least 6 days.
const signingPeriod = Duration.days(1)
const urlLifetime = Duration.days(7)

// Text files were checked to be UTF-8: say so, so that no client guesses another encoding.
const servedType = (contentType: string) =>
  contentType.startsWith("text/") ? `${contentType}; charset=utf-8` : contentType

/**
 * Rows to the `Attachment` clients see, with rendition URLs: on the CDN when `MEDIA_CDN_URL` is set,
 * else signed storage URLs that are the same all day and valid for days. A file's download URL is
 * always a signed storage URL, whose answer is an attachment of the type its bytes were checked to
 * be: a CDN would serve the object inline, as whatever type its uploader declared.
 */
export class MediaViews extends Context.Service<
  MediaViews,
  {
    readonly attachment: (row: FinalisedRow) => Effect.Effect<Attachment>
  }
>()("@moim/server/Media/MediaViews") {
  static readonly layer = Layer.effect(
    MediaViews,
    Effect.gen(function* () {
      const storage = yield* Storage
      const config = yield* MediaConfig

      const signed = (key: string, download?: { readonly fileName: string; readonly contentType: string }) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const period = Duration.toMillis(signingPeriod)
          const signedAt = DateTime.makeUnsafe(Math.floor(DateTime.toEpochMillis(now) / period) * period)
          return yield* storage.presignDownload(key, { expiresIn: urlLifetime, signedAt, download }).pipe(Effect.orDie)
        })

      const url = (key: string) =>
        Option.match(config.cdnUrl, {
          onSome: (cdn) => Effect.succeed(`${cdn}/${key}`),
          onNone: () => signed(key)
        })

      const file = (row: FinalisedRow) =>
        Effect.gen(function* () {
          if (row.kind !== "file") return null
          const name = row.fileName ?? "file"
          const checked = row.status === "ready" ? row.contentType : null
          const view: MediaFile = {
            name,
            contentType: checked ?? row.declaredType,
            size: row.declaredBytes,
            url:
              checked === null
                ? null
                : yield* signed(row.uploadKey, { fileName: name, contentType: servedType(checked) })
          }
          return view
        })

      return MediaViews.of({
        attachment: Effect.fn("MediaViews.attachment")(function* (row) {
          const ready = row.status === "ready" && row.kind === "photo"
          const renditions = ready
            ? yield* Effect.forEach(row.renditions, (rendition) =>
                Effect.map(
                  url(rendition.key),
                  (href): MediaRendition => ({ width: rendition.width, height: rendition.height, url: href })
                )
              )
            : []
          return new Attachment({
            id: row.id,
            kind: row.kind,
            status: row.status,
            failure: row.status === "failed" ? row.failure : null,
            width: ready ? row.width : null,
            height: ready ? row.height : null,
            placeholder: ready ? row.placeholder : null,
            renditions,
            file: yield* file(row),
            createdAt: DateTime.fromDateUnsafe(row.createdAt)
          })
        })
      })
    })
  )
}
