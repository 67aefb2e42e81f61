import { Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { PrometheusMetrics } from "effect/observability"
import { AppConfig } from "../platform/AppConfig.ts"
import { makeOpsTokenCheck } from "./OpsToken.ts"

/**
 * `GET /metrics`: every Effect metric (cache hits and misses by namespace, ...) in Prometheus
 * format, for a scraper holding `Authorization: Bearer $MOIM_OPS_TOKEN`.
 */
export const MetricsRoute = HttpRouter.use(
  Effect.fn(function* (router) {
    const check = makeOpsTokenCheck(yield* AppConfig)
    yield* router.add(
      "GET",
      "/metrics",
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const token = (request.headers.authorization ?? "").replace(/^Bearer\s+/i, "")
        if (check(token) !== "valid") {
          return HttpServerResponse.jsonUnsafe(
            { _tag: "OpsUnauthorized", message: "Metrics need Authorization: Bearer <MOIM_OPS_TOKEN>" },
            { status: 401 }
          )
        }
        return HttpServerResponse.text(yield* PrometheusMetrics.format(), {
          contentType: "text/plain; version=0.0.4; charset=utf-8"
        })
      })
    )
  })
)
