import { Effect, Layer } from "effect"
import { AccountErasure } from "../Accounts/AccountErasure.ts"
import { ActivityPartitions } from "./ActivityPartitions.ts"
import { ActivityRepo } from "./ActivityRepo.ts"
import { Analytics } from "./Analytics.ts"

/** The aggregates for site admins and the partitions' upkeep (the worker's cron), on `activity_events`. */
export const AnalyticsLive = Layer.mergeAll(Analytics.layer, ActivityPartitions.layer).pipe(
  Layer.provide(ActivityRepo.layer)
)

/**
 * Analytics' answer to accounts' `AccountErasure`: an erased account's activity events go with it
 * (aggregates of past periods then count that person no more). Events still buffered in a server
 * process (at most about a second's) are written after it: a request of the account racing its
 * deletion may leave a row or two.
 */
export const AnalyticsAccountErasure = Layer.effect(
  AccountErasure,
  Effect.gen(function* () {
    const before = yield* AccountErasure
    const repo = yield* ActivityRepo
    return { erased: (userId) => Effect.andThen(before.erased(userId), repo.forgetUser(userId)) }
  })
).pipe(Layer.provide(ActivityRepo.layer))
