import type { MediaId } from "@moim/domain/Media/Media"
import { Context, DateTime, Duration, Effect, Layer } from "effect"
import { Storage } from "../platform/Storage.ts"
import { MediaRepo } from "./MediaRepo.ts"

/** How long a photo may stay attached to nothing (never finalised, never attached, or detached). */
export const unusedGracePeriod = Duration.hours(24)

/** How long processing may take before the photo is marked failed (its job has run out of retries by then). */
export const processingTimeout = Duration.hours(1)

/** How long an upload URL accepts the bytes. */
export const uploadUrlLifetime = Duration.minutes(15)

// A deleted photo's row stays (hidden) until its upload URL has surely expired, so that bytes sent
// late are removed with it rather than left behind.
const uploadSettled = Duration.sum(uploadUrlLifetime, Duration.minutes(5))

const batchSize = 100

type Among = { readonly only: ReadonlyArray<MediaId> } | { readonly startedBefore: Date }

/**
 * Removes photos and their files: those deleted by their owner, and (hourly, `purgeUnused`) those
 * attached to nothing for `unusedGracePeriod`. A photo is first marked deleted, in the database,
 * which hides it and stops it from being attached; then its files go; then its row, once its upload
 * URL has expired. A crash in between leaves the mark, and the next run finishes the work.
 */
export class MediaPurge extends Context.Service<
  MediaPurge,
  {
    /** Removes the files, then the rows, of deleted photos: those given, or all; how many were looked at. */
    readonly removeDeleted: (only?: ReadonlyArray<MediaId>) => Effect.Effect<number>
    /** The hourly purge: fails stuck processing, deletes unused photos, removes deleted ones. */
    readonly purgeUnused: Effect.Effect<{ readonly failed: number; readonly unused: number; readonly removed: number }>
  }
>()("@moim/server/Media/MediaPurge") {
  static readonly layer = Layer.effect(
    MediaPurge,
    Effect.gen(function* () {
      const repo = yield* MediaRepo
      const storage = yield* Storage

      const ago = (duration: Duration.Duration) =>
        Effect.map(DateTime.now, (now) => DateTime.toDateUtc(DateTime.subtractDuration(now, duration)))

      const removeBatch = (among: Among) =>
        Effect.gen(function* () {
          const settledBefore = yield* ago(uploadSettled)
          const batch = yield* repo.deletedBatch(batchSize, among)
          yield* Effect.forEach(
            batch.flatMap((files) => [files.uploadKey, ...files.renditions.map((rendition) => rendition.key)]),
            (key) => storage.delete(key).pipe(Effect.orDie),
            { concurrency: 8, discard: true }
          )
          yield* repo.removeDeleted(
            batch.map((files) => files.id),
            settledBefore
          )
          return batch.length
        })

      const removeDeleted = Effect.fn("MediaPurge.removeDeleted")(function* (only?: ReadonlyArray<MediaId>) {
        if (only !== undefined) return yield* removeBatch({ only })
        // Only rows that go now, or the loop would meet the same young rows again.
        const startedBefore = yield* ago(uploadSettled)
        let removed = 0
        while (true) {
          const count = yield* removeBatch({ startedBefore })
          removed += count
          if (count < batchSize) return removed
        }
      })

      const purgeUnused = Effect.gen(function* () {
        const failed = yield* repo.failStale(
          yield* ago(processingTimeout),
          "Processing did not finish; upload the photo again"
        )
        const unusedBefore = yield* ago(unusedGracePeriod)
        let unused = 0
        while (true) {
          const marked = yield* repo.markUnusedDeleted(unusedBefore, batchSize)
          unused += marked.length
          if (marked.length < batchSize) break
        }
        const removed = yield* removeDeleted()
        return { failed, unused, removed }
      }).pipe(Effect.withSpan("MediaPurge.purgeUnused"))

      return MediaPurge.of({ removeDeleted, purgeUnused })
    })
  )
}
