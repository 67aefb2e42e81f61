import { createServer } from "node:http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { HealthRoutes } from "@moim/server/http/Health"
import { ServerMiddleware } from "@moim/server/http/ServerMiddleware"
import { MetricsRoute } from "@moim/server/Ops/MetricsRoute"
import { PlatformLive } from "@moim/server/Platform"
import { AppConfig, optionalSecret } from "@moim/server/platform/AppConfig"
import { runMain } from "@moim/server/platform/RunMain"
import { Config, Effect, Layer, Option } from "effect"
import { HttpRouter } from "effect/http"
import { WorkerHealthChecks, WorkerLive } from "./Worker.ts"

/**
 * Serves `/health/live` and `/health/ready` on `WORKER_PORT` for the orchestrator, and `/metrics`
 * (with `MOIM_OPS_TOKEN`): this worker's job durations and failures, and the queue's depth.
 */
const HealthServer = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    const port = yield* Config.Port("WORKER_PORT").pipe(Config.withDefault(3001))
    yield* Effect.logInfo(`Moim worker health on http://${config.host}:${port}/health/ready`)
    return HttpRouter.serve(Layer.mergeAll(HealthRoutes, MetricsRoute, ServerMiddleware), {
      disableLogger: true,
      disableListenLog: true
    }).pipe(Layer.provide(NodeHttpServer.layer(createServer, { host: config.host, port })))
  })
)

/**
 * `npm run start:worker`: a worker process alone, any number of them beside the servers. It needs a
 * shared `DATABASE_URL`: the embedded database lives inside one process, which `npm start` runs.
 */
const program = Effect.gen(function* () {
  const databaseUrl = yield* optionalSecret("DATABASE_URL")
  if (Option.isNone(databaseUrl)) {
    return yield* Effect.die(
      new Error("DATABASE_URL is required to run the worker on its own; `npm start` runs server and worker together")
    )
  }
  return yield* Layer.launch(
    HealthServer.pipe(Layer.provide(WorkerHealthChecks), Layer.provideMerge(WorkerLive), Layer.provide(PlatformLive))
  )
})

runMain(program)
