import { Layer } from "effect"
import { MediaConfig } from "./MediaConfig.ts"
import { MediaLibrary } from "./MediaLibrary.ts"
import { MediaProcessing } from "./MediaProcessing.ts"
import { MediaPurge } from "./MediaPurge.ts"
import { MediaRepo } from "./MediaRepo.ts"
import { MediaUploads } from "./MediaUploads.ts"
import { MediaViews } from "./MediaViews.ts"

/**
 * The media feature's services, on the platform (storage, jobs): the API's `MediaUploads`, the
 * `MediaLibrary` other features attach photos with, and the worker's `MediaProcessing` and
 * `MediaPurge`.
 */
export const MediaLive = Layer.mergeAll(MediaUploads.layer, MediaLibrary.layer, MediaProcessing.layer).pipe(
  Layer.provideMerge(MediaPurge.layer),
  Layer.provide(MediaViews.layer),
  Layer.provide(MediaConfig.layer),
  Layer.provide(MediaRepo.layer)
)
