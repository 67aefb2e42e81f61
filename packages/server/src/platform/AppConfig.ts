import { resolve } from "node:path"
import { Config, Context, Effect, Layer, Option, Redacted } from "effect"

/** An optional secret setting; an empty value counts as unset. */
export const optionalSecret = (name: string) =>
  Config.option(Config.Redacted(name)).pipe(
    Config.map(Option.filter((value) => Redacted.value(value).trim().length > 0))
  )

/**
 * Settings shared by the server and the worker, read once from the environment at start.
 * Adapter-specific settings (S3, SMTP) are read by their own layers. A missing or malformed value
 * fails the start with a message naming the variable.
 */
export class AppConfig extends Context.Service<
  AppConfig,
  {
    readonly environment: "development" | "production" | "test"
    readonly production: boolean
    readonly host: string
    readonly port: number
    /** Base URL clients use to reach this server; used in links (emails, signed storage URLs). */
    readonly publicUrl: string
    /** Where the app's pages live; emailed links point there (`/verify-email`, `/invitations/...`). */
    readonly appUrl: string
    readonly dataDir: string
    readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
    readonly databasePoolSize: number
    readonly redisUrl: Option.Option<Redacted.Redacted<string>>
    /** Starts every Redis key and channel, so deployments can share one Redis. */
    readonly redisKeyPrefix: string
    readonly logLevel: "All" | "Trace" | "Debug" | "Info" | "Warn" | "Error" | "Fatal" | "None"
    readonly logFormat: "json" | "pretty"
    readonly corsOrigins: ReadonlyArray<string>
    readonly maxBodyBytes: number
    readonly opsToken: Option.Option<Redacted.Redacted<string>>
    readonly workerConcurrency: number
    /** Take the client address from `X-Forwarded-For` (set when behind a proxy you run). */
    readonly trustProxy: boolean
  }
>()("@moim/server/platform/AppConfig") {
  static readonly config = Effect.gen(function* () {
    const environment = yield* Config.Literals(["development", "production", "test"], "NODE_ENV").pipe(
      Config.withDefault("development" as const)
    )
    const production = environment === "production"
    const port = yield* Config.Port("PORT").pipe(Config.withDefault(3000))
    const host = yield* Config.String("HOST").pipe(Config.withDefault(production ? "0.0.0.0" : "127.0.0.1"))
    const publicUrl = yield* Config.URL("MOIM_PUBLIC_URL").pipe(
      Config.map((url) => url.toString().replace(/\/$/, "")),
      Config.withDefault(`http://localhost:${port}`)
    )
    const appUrl = yield* Config.URL("MOIM_APP_URL").pipe(
      Config.map((url) => url.toString().replace(/\/$/, "")),
      Config.withDefault(publicUrl)
    )
    const dataDir = yield* Config.NonEmptyString("MOIM_DATA_DIR").pipe(Config.withDefault(".moim"))
    const databaseUrl = yield* optionalSecret("DATABASE_URL")
    const databasePoolSize = yield* Config.Int("DATABASE_POOL_SIZE").pipe(Config.withDefault(10))
    const redisUrl = yield* optionalSecret("REDIS_URL")
    const redisKeyPrefix = yield* Config.NonEmptyString("REDIS_KEY_PREFIX").pipe(Config.withDefault("moim:"))
    const logLevel = yield* Config.LogLevel("LOG_LEVEL").pipe(Config.withDefault("Info" as const))
    const logFormat = yield* Config.Literals(["json", "pretty"], "LOG_FORMAT").pipe(
      Config.withDefault(production ? ("json" as const) : ("pretty" as const))
    )
    const corsOrigins = yield* Config.String("CORS_ORIGINS").pipe(
      Config.map((value) =>
        value
          .split(",")
          .map((origin) => origin.trim())
          .filter((origin) => origin.length > 0)
      ),
      Config.withDefault(["*"])
    )
    const maxBodyBytes = yield* Config.Int("MAX_BODY_BYTES").pipe(Config.withDefault(1024 * 1024))
    const opsToken = yield* optionalSecret("MOIM_OPS_TOKEN")
    const workerConcurrency = yield* Config.Int("WORKER_CONCURRENCY").pipe(Config.withDefault(10))
    const trustProxy = yield* Config.Boolean("TRUST_PROXY").pipe(Config.withDefault(false))
    return AppConfig.of({
      environment,
      production,
      host,
      port,
      publicUrl,
      appUrl,
      dataDir: resolve(dataDir),
      databaseUrl,
      databasePoolSize,
      redisUrl,
      redisKeyPrefix,
      logLevel,
      logFormat,
      corsOrigins,
      maxBodyBytes,
      opsToken,
      workerConcurrency,
      trustProxy
    })
  })

  static readonly layer = Layer.effect(AppConfig, AppConfig.config)
}
