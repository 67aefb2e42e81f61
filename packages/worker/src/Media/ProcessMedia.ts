import { ProcessMedia } from "@moim/domain/Media/ProcessMedia"
import { MediaProcessing } from "@moim/server/Media/MediaProcessing"
import { Effect, Option } from "effect"
import * as JobHandler from "../JobHandler.ts"
import { ImagePipeline } from "./ImagePipeline.ts"

/**
 * Processes one finalised photo: a file that is not an accepted image, or cannot be decoded, marks the
 * photo failed with the reason (the job itself succeeds: retrying cannot change the bytes); storage or
 * database trouble is retried. Run again, it finds the photo no longer processing and does nothing.
 */
export const ProcessMediaHandler = JobHandler.make(ProcessMedia, ({ mediaId }) =>
  Effect.gen(function* () {
    const processing = yield* MediaProcessing
    const source = yield* processing.source(mediaId)
    if (Option.isNone(source)) return
    yield* ImagePipeline.render(source.value).pipe(
      Effect.flatMap((image) => processing.complete(mediaId, image)),
      Effect.catchTag("ImageRefused", (refused) =>
        processing
          .fail(mediaId, refused.reason)
          .pipe(
            Effect.andThen(
              Effect.logInfo("photo refused").pipe(Effect.annotateLogs({ mediaId, reason: refused.reason }))
            )
          )
      )
    )
  })
)
