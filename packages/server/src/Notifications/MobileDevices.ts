import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import {
  MobileDevice,
  MobileDeviceId,
  MobileDeviceNotFound,
  MobilePushNotConfigured,
  type RegisterMobileDevicePayload
} from "@moim/domain/Notifications/MobileDevice"
import { Context, DateTime, Effect, Layer } from "effect"
import { SecureRandom } from "effect/crypto"
import { type DeviceRow, MobileDevicesRepo } from "./MobileDevicesRepo.ts"
import { MobilePushConfig } from "./MobilePushConfig.ts"

type SignedIn = CurrentUser["Service"]

/** How many phones one account receives pushes on; registering another drops the least recently registered. */
export const maxDevicesPerUser = 20

const view = (row: DeviceRow) =>
  new MobileDevice({
    id: row.id,
    platform: row.platform,
    appId: row.appId,
    deviceName: row.deviceName,
    createdAt: DateTime.fromDateUnsafe(row.createdAt)
  })

/**
 * The phones a user receives pushes on through FCM or APNs: register (a token again keeps its
 * device; another user's moves to this one), list, remove. Only the owner ever sees or removes one.
 */
export class MobileDevices extends Context.Service<
  MobileDevices,
  {
    readonly register: (
      user: SignedIn,
      input: typeof RegisterMobileDevicePayload.Type
    ) => Effect.Effect<MobileDevice, MobilePushNotConfigured>
    readonly list: (user: SignedIn) => Effect.Effect<ReadonlyArray<MobileDevice>>
    readonly remove: (user: SignedIn, id: MobileDeviceId) => Effect.Effect<void, MobileDeviceNotFound>
  }
>()("@moim/server/Notifications/MobileDevices") {
  static readonly layer = Layer.effect(
    MobileDevices,
    Effect.gen(function* () {
      const config = yield* MobilePushConfig
      const repo = yield* MobileDevicesRepo

      return MobileDevices.of({
        register: Effect.fn("MobileDevices.register")(function* (user, input) {
          if (!config.enabled(input.platform)) {
            const name = input.platform === "fcm" ? "FCM" : "APNs"
            return yield* new MobilePushNotConfigured({
              message: `This server does not push through ${name}`,
              platform: input.platform
            })
          }
          const saved = yield* repo.save({
            id: MobileDeviceId.make(SecureRandom.uuidV7Unsafe()),
            userId: user.userId,
            platform: input.platform,
            token: input.token,
            appId: input.appId,
            deviceName: input.deviceName ?? null
          })
          yield* repo.trim(user.userId, maxDevicesPerUser)
          return view(saved)
        }),

        list: Effect.fn("MobileDevices.list")(function* (user) {
          return (yield* repo.listOf(user.userId, maxDevicesPerUser)).map(view)
        }),

        remove: Effect.fn("MobileDevices.remove")(function* (user, id) {
          if (!(yield* repo.remove(user.userId, id))) {
            return yield* new MobileDeviceNotFound({ message: "No such mobile device" })
          }
        })
      })
    })
  )
}
