import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"
import { MediaId } from "./Media.ts"

/**
 * Checks a finalised upload's bytes and makes its renditions and placeholder. Enqueued when the
 * upload is finalised, keyed by the photo: finalising again while it waits adds no second job.
 */
export const ProcessMedia = Job.make("ProcessMedia", Schema.Struct({ mediaId: MediaId }), {
  maxAttempts: 5,
  key: ({ mediaId }) => `media:${mediaId}`
})
