import { Attachment, type MediaRendition } from "@moim/domain/Media/Media"
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

/**
 * Rows to the `Attachment` clients see, with rendition URLs: on the CDN when `MEDIA_CDN_URL` is set,
 * else signed storage URLs that are the same all day and valid for days.
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

      const url = (key: string) =>
        Option.match(config.cdnUrl, {
          onSome: (cdn) => Effect.succeed(`${cdn}/${key}`),
          onNone: () =>
            Effect.gen(function* () {
              const now = yield* DateTime.now
              const period = Duration.toMillis(signingPeriod)
              const signedAt = DateTime.makeUnsafe(Math.floor(DateTime.toEpochMillis(now) / period) * period)
              return yield* storage.presignDownload(key, { expiresIn: urlLifetime, signedAt }).pipe(Effect.orDie)
            })
        })

      return MediaViews.of({
        attachment: Effect.fn("MediaViews.attachment")(function* (row) {
          const ready = row.status === "ready"
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
            status: row.status,
            failure: row.status === "failed" ? row.failure : null,
            width: ready ? row.width : null,
            height: ready ? row.height : null,
            placeholder: ready ? row.placeholder : null,
            renditions,
            createdAt: DateTime.fromDateUnsafe(row.createdAt)
          })
        })
      })
    })
  )
}
