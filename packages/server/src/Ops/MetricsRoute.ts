import { Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { PrometheusMetrics } from "effect/observability"
import { AppConfig } from "../platform/AppConfig.ts"
import { makeDepthRefresh } from "./JobMetrics.ts"
import { JobsRepo } from "./JobsRepo.ts"
import { makeOpsTokenCheck } from "./OpsToken.ts"

/**
 * `GET /metrics`: every Effect metric (cache hits and misses by namespace, ...) in Prometheus
 * format, for a scraper holding `Authorization: Bearer $MOIM_OPS_TOKEN`. The job queue's depth per
 * task is read from the database on each scrape; job durations and failures are recorded by the
 * worker running them, so scrape the workers too (`WORKER_PORT`).
 */
export const MetricsRoute = HttpRouter.use(
  Effect.fn(function* (router) {
    const check = makeOpsTokenCheck(yield* AppConfig)
    const refreshDepth = yield* makeDepthRefresh.pipe(Effect.provide(JobsRepo.layer))
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
        yield* refreshDepth
        return HttpServerResponse.text(yield* PrometheusMetrics.format(), {
          contentType: "text/plain; version=0.0.4; charset=utf-8"
        })
      })
    )
  })
)
