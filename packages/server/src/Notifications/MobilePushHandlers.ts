import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import {
  DeleteMobileDevice,
  ListMobileDevices,
  MobilePushRpcs,
  RegisterMobileDevice
} from "@moim/domain/Notifications/MobilePushApi"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { MobileDevices } from "./MobileDevices.ts"

/** One handler per mobile push operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const devices = yield* MobileDevices
  return MobilePushRpcs.of({
    RegisterMobileDevice: (input) => CurrentUser.use((user) => devices.register(user, input)),
    ListMobileDevices: () => CurrentUser.use((user) => devices.list(user)),
    DeleteMobileDevice: ({ id }) => CurrentUser.use((user) => devices.remove(user, id))
  })
})

export const MobilePushRpc = MobilePushRpcs.toLayer(handlers)

const MobilePushHttp = HttpApiBuilder.group(Api, "mobilePush", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(RegisterMobileDevice, handler.RegisterMobileDevice),
      ...Operations.rest(ListMobileDevices, handler.ListMobileDevices),
      ...Operations.rest(DeleteMobileDevice, handler.DeleteMobileDevice)
    })
  )
)

/** The mobile push REST group with the middleware its endpoints use. */
export const MobilePushHttpLive = MobilePushHttp.pipe(Layer.provide(AuthenticationLive))
