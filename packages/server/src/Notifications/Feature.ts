import { Layer } from "effect"
import { NotificationsHttpLive, NotificationsRpc } from "./Handlers.ts"

/** What notifications add to the server: the REST group and the RPC handlers. */
export const NotificationsFeature = {
  http: NotificationsHttpLive,
  rpc: NotificationsRpc,
  routes: Layer.empty,
  plainRoutes: []
}
