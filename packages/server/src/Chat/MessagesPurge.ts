import { Effect } from "effect"
import { inBatches, purgeBatchSize, Retention, retentionSeconds } from "../platform/Purge.ts"
import { MessagesRepo } from "./MessagesRepo.ts"

/** What the purge needs, for the worker's handler. */
export const MessagesPurgeLive = MessagesRepo.layer

/**
 * The `PurgeDeletedMessages` cron's work. Deleting a message already empties its text, mentions,
 * reactions and photos and keeps it as its thread's placeholder; what stays is its earlier texts
 * (its edits), forgotten `DELETED_CONTENT_RETENTION` after the deletion. How many it forgot.
 */
export const purgeDeletedMessages = Effect.gen(function* () {
  const messages = yield* MessagesRepo
  const retention = retentionSeconds(yield* Retention.deletedContent)
  return { edits: yield* inBatches(messages.purgeDeletedEdits(retention, purgeBatchSize)) }
}).pipe(Effect.withSpan("purgeDeletedMessages"))
