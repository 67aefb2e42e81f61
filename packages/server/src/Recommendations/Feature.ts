import { Layer } from "effect"
import { RecommendationsHttpLive, RecommendationsRpc } from "./Handlers.ts"

/** What recommendations add to the server: the REST groups and the RPC handlers. */
export const RecommendationsFeature = {
  http: RecommendationsHttpLive,
  rpc: RecommendationsRpc,
  routes: Layer.empty,
  plainRoutes: []
}
