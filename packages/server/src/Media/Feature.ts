import { Layer } from "effect"
import { MediaHttpLive, MediaRpc } from "./Handlers.ts"

/** What media adds to the server: the REST group and the RPC handlers (the files are served by storage). */
export const MediaFeature = {
  http: MediaHttpLive,
  rpc: MediaRpc,
  routes: Layer.empty,
  plainRoutes: []
}
