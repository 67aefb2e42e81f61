import { Layer } from "effect"
import { MobilePushHttpLive, MobilePushRpc } from "./MobilePushHandlers.ts"

/** What the mobile push channel of notifications adds to the server: the phones' tokens, on REST and RPC. */
export const MobilePushFeature = {
  http: MobilePushHttpLive,
  rpc: MobilePushRpc,
  routes: Layer.empty,
  plainRoutes: []
}
