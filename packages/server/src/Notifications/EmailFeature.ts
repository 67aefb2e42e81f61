import { Layer } from "effect"
import { NotificationEmailsHttpLive, NotificationEmailsRpc } from "./EmailHandlers.ts"

/** What the email channel of notifications adds to the server: its unsubscribe links, on REST and RPC. */
export const NotificationEmailsFeature = {
  http: NotificationEmailsHttpLive,
  rpc: NotificationEmailsRpc,
  routes: Layer.empty,
  plainRoutes: []
}
