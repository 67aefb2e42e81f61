import { ServerFeatureServices } from "@moim/server/Features"
import { PlatformLive } from "@moim/server/Platform"
import { AppConfig } from "@moim/server/platform/AppConfig"
import { runMain } from "@moim/server/platform/RunMain"
import * as Server from "@moim/server/Server"
import { Effect, Layer } from "effect"
import { WorkerHealthChecks, WorkerLive } from "./Worker.ts"

/**
 * `npm start`: server and worker in one process. On the embedded defaults this is the way to run
 * Moim: the PGlite database lives in this process. `/health/ready` also checks the worker.
 */
const ServerLive = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    yield* Effect.logInfo(
      `Moim on ${config.publicUrl}: REST ${config.publicUrl}/api/v1, docs ${config.publicUrl}/docs, RPC ${config.publicUrl}/rpc and /rpc/ws`
    )
    return Server.layer({ host: config.host, port: config.port })
  })
)

Layer.launch(
  ServerLive.pipe(
    Layer.provide([ServerFeatureServices, WorkerHealthChecks]),
    Layer.provideMerge(WorkerLive),
    Layer.provide(PlatformLive)
  )
).pipe(runMain)
