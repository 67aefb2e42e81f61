import { Layer } from "effect"
import { RealtimeHttpLive, RealtimeRpc } from "./Handlers.ts"

/** What the realtime feature adds to the server: the SSE stream and its tickets, and the RPC stream. */
export const RealtimeFeature = { http: RealtimeHttpLive, rpc: RealtimeRpc, routes: Layer.empty, plainRoutes: [] }
