import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import {
  type PushEndpointRefused,
  PushNotConfigured,
  PushSubscription,
  PushSubscriptionId,
  PushSubscriptionNotFound,
  type RegisterPushSubscriptionPayload
} from "@moim/domain/Notifications/PushSubscription"
import { Context, DateTime, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { PushConfig } from "./PushConfig.ts"
import { PushSubscriptionsRepo, type SubscriptionRow } from "./PushSubscriptionsRepo.ts"

type SignedIn = CurrentUser["Service"]

/** How many devices one account receives pushes on; registering another drops the least recently registered. */
export const maxSubscriptionsPerUser = 20

const view = (row: SubscriptionRow) =>
  new PushSubscription({
    id: row.id,
    endpoint: row.endpoint,
    deviceName: row.deviceName,
    createdAt: DateTime.fromDateUnsafe(row.createdAt)
  })

/**
 * The devices a user receives web push on: the server's public key to subscribe with, and the
 * user's own subscriptions (register, list, remove). Only the owner ever sees or removes one.
 */
export class PushSubscriptions extends Context.Service<
  PushSubscriptions,
  {
    readonly publicKey: Effect.Effect<{ readonly publicKey: string }, PushNotConfigured>
    readonly register: (
      user: SignedIn,
      input: typeof RegisterPushSubscriptionPayload.Type
    ) => Effect.Effect<PushSubscription, PushNotConfigured | PushEndpointRefused>
    readonly list: (user: SignedIn) => Effect.Effect<ReadonlyArray<PushSubscription>>
    readonly remove: (user: SignedIn, id: PushSubscriptionId) => Effect.Effect<void, PushSubscriptionNotFound>
  }
>()("@moim/server/Notifications/PushSubscriptions") {
  static readonly layer = Layer.effect(
    PushSubscriptions,
    Effect.gen(function* () {
      const config = yield* PushConfig
      const repo = yield* PushSubscriptionsRepo
      const notConfigured = new PushNotConfigured({ message: "This server does not send web push" })
      const configured = Option.match(config.vapid, {
        onNone: () => Effect.fail(notConfigured),
        onSome: Effect.succeed
      })

      return PushSubscriptions.of({
        publicKey: Effect.map(configured, (vapid) => ({ publicKey: vapid.publicKey })),

        register: Effect.fn("PushSubscriptions.register")(function* (user, input) {
          yield* configured
          yield* config.checkEndpoint(input.endpoint)
          const saved = yield* repo.save({
            id: PushSubscriptionId.make(SecureRandom.uuidV7Unsafe()),
            userId: user.userId,
            endpoint: input.endpoint,
            p256dh: input.keys.p256dh.replace(/=+$/u, ""),
            auth: input.keys.auth.replace(/=+$/u, ""),
            deviceName: input.deviceName ?? null
          })
          yield* repo.trim(user.userId, maxSubscriptionsPerUser)
          return view(saved)
        }),

        list: Effect.fn("PushSubscriptions.list")(function* (user) {
          return (yield* repo.listOf(user.userId, maxSubscriptionsPerUser)).map(view)
        }),

        remove: Effect.fn("PushSubscriptions.remove")(function* (user, id) {
          if (!(yield* repo.remove(user.userId, id))) {
            return yield* new PushSubscriptionNotFound({ message: "No such push subscription" })
          }
        })
      })
    })
  )
}
