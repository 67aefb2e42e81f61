import { Effect, Layer } from "effect"
import { PlatformLive, ServerServices } from "./Platform.ts"
import { AppConfig } from "./platform/AppConfig.ts"
import { runMain } from "./platform/RunMain.ts"
import * as Server from "./Server.ts"

/** `npm run start:server`: the HTTP server alone; run workers with `npm run start:worker`. */
const ServerLive = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    yield* Effect.logInfo(`Moim server on http://${config.host}:${config.port} (docs at ${config.publicUrl}/docs)`)
    return Server.layer({ host: config.host, port: config.port })
  })
)

Layer.launch(ServerLive.pipe(Layer.provide(ServerServices), Layer.provide(PlatformLive))).pipe(runMain)
