import { Layer } from "effect"
import { PushHttpLive, PushRpc } from "./PushHandlers.ts"

/** What the web push channel of notifications adds to the server: the devices' subscriptions, on REST and RPC. */
export const PushFeature = {
  http: PushHttpLive,
  rpc: PushRpc,
  routes: Layer.empty,
  plainRoutes: []
}
