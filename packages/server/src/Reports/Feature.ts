import { Layer } from "effect"
import { ReportsHttpLive, ReportsRpc } from "./Handlers.ts"

/** What reports add to the server: the REST group and the RPC handlers. */
export const ReportsFeature = { http: ReportsHttpLive, rpc: ReportsRpc, routes: Layer.empty, plainRoutes: [] }
