import { Context, Duration, Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

export interface HealthCheck {
  readonly name: string
  readonly check: Effect.Effect<void, unknown>
}

/** The dependencies `/health/ready` checks: the database, Redis when configured, the worker's heartbeat. */
export class HealthChecks extends Context.Service<HealthChecks, ReadonlyArray<HealthCheck>>()(
  "@moim/server/http/HealthChecks"
) {}

const checkTimeout = Duration.seconds(2)

const runCheck = (check: HealthCheck) =>
  check.check.pipe(
    Effect.timeout(checkTimeout),
    Effect.as("ok"),
    Effect.catchCause(() => Effect.succeed("unavailable")),
    Effect.map((status) => [check.name, status] as const)
  )

/**
 * `GET /health/live`: the process answers. `GET /health/ready`: every dependency answers within 2 s
 * (200), or 503 naming the ones that do not — load balancers stop sending traffic until it recovers.
 */
export const HealthRoutes = HttpRouter.use(
  Effect.fn(function* (router) {
    const checks = yield* HealthChecks
    yield* router.add("GET", "/health/live", HttpServerResponse.jsonUnsafe({ status: "ok" }))
    yield* router.add(
      "GET",
      "/health/ready",
      Effect.gen(function* () {
        const results = Object.fromEntries(yield* Effect.all(checks.map(runCheck), { concurrency: "unbounded" }))
        const ready = Object.values(results).every((status) => status === "ok")
        return HttpServerResponse.jsonUnsafe(
          { status: ready ? "ready" : "unavailable", checks: results },
          { status: ready ? 200 : 503, headers: { "cache-control": "no-store" } }
        )
      })
    )
  })
)
