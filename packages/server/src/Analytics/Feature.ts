import { Layer } from "effect"
import { AnalyticsHttpLive, AnalyticsRpc } from "./Handlers.ts"

/** What analytics adds to the server: the REST group and the RPC handlers of the aggregates. */
export const AnalyticsFeature = { http: AnalyticsHttpLive, rpc: AnalyticsRpc, routes: Layer.empty, plainRoutes: [] }
