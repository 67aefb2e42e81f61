import { Layer } from "effect"
import { EventsHttpLive, EventsRpc } from "./Handlers.ts"

/** What events add to the server: the REST group and the RPC handlers. */
export const EventsFeature = { http: EventsHttpLive, rpc: EventsRpc, routes: Layer.empty, plainRoutes: [] }
