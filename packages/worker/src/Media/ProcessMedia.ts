import { ProcessMedia } from "@moim/domain/Media/ProcessMedia"
import { MediaProcessing } from "@moim/server/Media/MediaProcessing"
import { Effect, Option } from "effect"
import * as JobHandler from "../JobHandler.ts"
import { FileCheck } from "./FileCheck.ts"
import { ImagePipeline } from "./ImagePipeline.ts"

/**
 * Processes one finalised upload: a photo that is not an accepted image, or cannot be decoded, or a
 * file whose bytes are not of an accepted type of its declared family, is marked failed with the
 * reason (the job itself succeeds: retrying cannot change the bytes); storage or database trouble is
 * retried. Run again, it finds the upload no longer processing and does nothing.
 */
export const ProcessMediaHandler = JobHandler.make(ProcessMedia, ({ mediaId }) =>
  Effect.gen(function* () {
    const processing = yield* MediaProcessing
    const source = yield* processing.source(mediaId)
    if (Option.isNone(source)) return
    const { kind, declaredType, bytes } = source.value
    const refused = (reason: string) =>
      processing
        .fail(mediaId, reason)
        .pipe(Effect.andThen(Effect.logInfo(`${kind} refused`).pipe(Effect.annotateLogs({ mediaId, reason }))))
    if (kind === "file") {
      return yield* FileCheck.check(bytes, declaredType).pipe(
        Effect.flatMap((contentType) => processing.completeFile(mediaId, contentType)),
        Effect.catchTag("FileRefused", (refusal) => refused(refusal.reason))
      )
    }
    yield* ImagePipeline.render(bytes).pipe(
      Effect.flatMap((image) => processing.complete(mediaId, image)),
      Effect.catchTag("ImageRefused", (refusal) => refused(refusal.reason))
    )
  })
)
