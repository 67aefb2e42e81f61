import { PurgeDeletedGroups } from "@moim/domain/Groups/PurgeDeletedGroups"
import { Groups } from "@moim/server/Groups/Groups"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/** How long a deleted group can still be restored by an operator before it is gone for good. */
export const groupRetentionDays = 30

/** Daily at 03:17 (cron). */
export const PurgeDeletedGroupsHandler = JobHandler.make(
  PurgeDeletedGroups,
  () =>
    Effect.gen(function* () {
      const groups = yield* Groups
      const purged = yield* groups.purgeDeleted(groupRetentionDays)
      if (purged > 0) yield* Effect.logInfo("purged deleted groups").pipe(Effect.annotateLogs({ purged }))
    }),
  { schedule: "17 3 * * *" }
)
