import { PurgeIdempotencyKeys } from "@moim/domain/Jobs/PurgeIdempotencyKeys"
import { IdempotencyRepo } from "@moim/server/Access/IdempotencyRepo"
import { inBatches, purgeBatchSize } from "@moim/server/platform/Purge"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/** Hourly at :29 (cron): expired idempotency keys and the responses kept for them, in batches. */
export const PurgeIdempotencyKeysHandler = JobHandler.make(
  PurgeIdempotencyKeys,
  () =>
    Effect.gen(function* () {
      const repo = yield* IdempotencyRepo
      const keys = yield* inBatches(repo.purgeExpired(purgeBatchSize))
      yield* Effect.logInfo("purged expired idempotency keys").pipe(Effect.annotateLogs({ keys }))
    }).pipe(Effect.provide(IdempotencyRepo.layer)),
  { schedule: "29 * * * *" }
)
