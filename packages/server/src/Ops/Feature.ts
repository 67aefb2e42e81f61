import { Layer } from "effect"
import { OpsHttp } from "./Handlers.ts"
import { MetricsRoute } from "./MetricsRoute.ts"

/** What operations add to the server: the workers report (REST only) and the Prometheus metrics. */
export const OpsFeature = {
  http: OpsHttp,
  rpc: Layer.empty,
  routes: MetricsRoute,
  plainRoutes: [
    { route: "GET /metrics", why: "Prometheus text for a scraper holding MOIM_OPS_TOKEN, not JSON for API clients" }
  ]
}
