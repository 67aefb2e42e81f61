import { Effect, Layer } from "effect"
import { AccountErasure } from "../Accounts/AccountErasure.ts"
import { MobileDevicesRepo } from "./MobileDevicesRepo.ts"
import { PushSubscriptionsRepo } from "./PushSubscriptionsRepo.ts"

/**
 * The push channels' answer to accounts' `AccountErasure`, after whoever answered it before: an
 * erased account's browsers and phones are forgotten (their endpoints and tokens identify devices),
 * in the transaction of the erasure.
 */
export const PushAccountErasure = Layer.effect(
  AccountErasure,
  Effect.gen(function* () {
    const before = yield* AccountErasure
    const subscriptions = yield* PushSubscriptionsRepo
    const devices = yield* MobileDevicesRepo
    return {
      erased: (userId) =>
        before
          .erased(userId)
          .pipe(Effect.andThen(subscriptions.removeAllOf(userId)), Effect.andThen(devices.removeAllOf(userId)))
    }
  })
).pipe(Layer.provide([PushSubscriptionsRepo.layer, MobileDevicesRepo.layer]))
