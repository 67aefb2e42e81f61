import { PurgeDeletedPosts } from "@moim/domain/Posts/PurgeDeletedPosts"
import { PostsPurgeLive, purgeDeletedPosts } from "@moim/server/Posts/PostsPurge"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/** Daily at 03:37 (cron): posts deleted past their retention go for good. */
export const PurgeDeletedPostsHandler = JobHandler.make(
  PurgeDeletedPosts,
  () =>
    Effect.gen(function* () {
      const removed = yield* purgeDeletedPosts
      yield* Effect.logInfo("purged deleted posts").pipe(Effect.annotateLogs(removed))
    }).pipe(Effect.provide(PostsPurgeLive)),
  { schedule: "37 3 * * *" }
)
