import type { AnyKind } from "@moim/domain/Notifications/NotificationKind"
import { Context, Effect, Layer } from "effect"
import type { Delivered } from "./Notifications.ts"

/** One batch of a delivery: the notifications just written, with where else each should go. */
export interface DeliveredBatch {
  readonly kind: AnyKind
  readonly delivered: ReadonlyArray<Delivered>
}

/** Takes a delivered batch further on one channel (email, push, the realtime stream). */
export interface ChannelDispatcher {
  readonly name: string
  /**
   * Runs inside the batch's transaction, on its connection: what it enqueues or writes commits or
   * rolls back with the notifications. It must stay cheap (enqueue, not send).
   */
  readonly dispatch: (batch: DeliveredBatch) => Effect.Effect<void>
}

/**
 * The channels beyond in-app, each a `ChannelDispatcher` registered in `Features.ts`. `deliver` hands
 * every batch to each of them in turn.
 */
export class DeliveryChannels extends Context.Service<
  DeliveryChannels,
  { readonly dispatch: (batch: DeliveredBatch) => Effect.Effect<void> }
>()("@moim/server/Notifications/DeliveryChannels") {
  /** `layer(Effect.all([EmailDispatcher, PushDispatcher, ...]))`. */
  static readonly layer = <R>(dispatchers: Effect.Effect<ReadonlyArray<ChannelDispatcher>, never, R>) =>
    Layer.effect(
      DeliveryChannels,
      Effect.map(dispatchers, (all) =>
        DeliveryChannels.of({
          dispatch: (batch) =>
            batch.delivered.length === 0
              ? Effect.void
              : Effect.forEach(all, (dispatcher) => dispatcher.dispatch(batch), { discard: true })
        })
      )
    )
}
