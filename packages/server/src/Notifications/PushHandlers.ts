import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import {
  DeletePushSubscription,
  GetPushPublicKey,
  ListPushSubscriptions,
  PushRpcs,
  RegisterPushSubscription
} from "@moim/domain/Notifications/PushApi"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive, OptionalAuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { PushSubscriptions } from "./PushSubscriptions.ts"

/** One handler per web push operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const push = yield* PushSubscriptions
  return PushRpcs.of({
    GetPushPublicKey: () => push.publicKey,
    RegisterPushSubscription: (input) => CurrentUser.use((user) => push.register(user, input)),
    ListPushSubscriptions: () => CurrentUser.use((user) => push.list(user)),
    DeletePushSubscription: ({ id }) => CurrentUser.use((user) => push.remove(user, id))
  })
})

export const PushRpc = PushRpcs.toLayer(handlers)

const PushHttp = HttpApiBuilder.group(Api, "push", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(GetPushPublicKey, handler.GetPushPublicKey),
      ...Operations.rest(RegisterPushSubscription, handler.RegisterPushSubscription),
      ...Operations.rest(ListPushSubscriptions, handler.ListPushSubscriptions),
      ...Operations.rest(DeletePushSubscription, handler.DeletePushSubscription)
    })
  )
)

/** The push REST group with the middleware its endpoints use. */
export const PushHttpLive = PushHttp.pipe(Layer.provide([AuthenticationLive, OptionalAuthenticationLive]))
