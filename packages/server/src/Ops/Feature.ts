import { Layer } from "effect"
import { OpsHttp } from "./Handlers.ts"
import { JobsHttpLive, JobsRpc } from "./JobsHandlers.ts"
import { MetricsRoute } from "./MetricsRoute.ts"

/**
 * What operations add to the server: the workers report (REST only, `MOIM_OPS_TOKEN`), the job
 * operations for site admins (REST and RPC) and the Prometheus metrics.
 */
export const OpsFeature = {
  http: Layer.merge(OpsHttp, JobsHttpLive),
  rpc: JobsRpc,
  routes: MetricsRoute,
  plainRoutes: [
    { route: "GET /metrics", why: "Prometheus text for a scraper holding MOIM_OPS_TOKEN, not JSON for API clients" }
  ]
}
