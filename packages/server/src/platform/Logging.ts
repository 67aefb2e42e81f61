import { Effect, Layer, Logger, References } from "effect"
import { AppConfig } from "./AppConfig.ts"

/**
 * One JSON line per entry in production (cheap, machine-readable), readable lines in development.
 * `LOG_LEVEL` sets the minimum level. Tracing spans are off: nothing exports them, and recording
 * the dozen spans of a request (with a stack trace each) cost CPU on every request for nothing.
 */
export const LoggingLive = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    const logger = config.logFormat === "json" ? Logger.consoleJson : Logger.consolePretty()
    return Layer.mergeAll(
      Logger.layer([logger]),
      Layer.succeed(References.MinimumLogLevel, config.logLevel),
      Layer.succeed(References.TracerEnabled, false)
    )
  })
)
