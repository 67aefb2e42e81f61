import { PurgeDeletedMessages } from "@moim/domain/Chat/PurgeDeletedMessages"
import { MessagesPurgeLive, purgeDeletedMessages } from "@moim/server/Chat/MessagesPurge"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/** Daily at 03:47 (cron): deleted messages' earlier texts are forgotten past their retention. */
export const PurgeDeletedMessagesHandler = JobHandler.make(
  PurgeDeletedMessages,
  () =>
    Effect.gen(function* () {
      const removed = yield* purgeDeletedMessages
      yield* Effect.logInfo("purged deleted messages' earlier texts").pipe(Effect.annotateLogs(removed))
    }).pipe(Effect.provide(MessagesPurgeLive)),
  { schedule: "47 3 * * *" }
)
