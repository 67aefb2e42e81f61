import { randomBytes } from "node:crypto"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigProvider, Effect, Layer } from "effect"
import { HttpServer } from "effect/http"
import { makePlatform, ServerServices } from "../../src/Platform.ts"
import * as Server from "../../src/Server.ts"
import { freePort } from "./FreePort.ts"
import * as TestDatabase from "./TestDatabase.ts"

export const opsToken = "test-operator-token-0123456789"

/**
 * The environment a test server sees: a private data dir, quiet logs, and the run's Redis when the
 * test run has `REDIS_URL` (memory otherwise). Nothing else leaks in from the machine.
 */
export const testEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
  NODE_ENV: "test",
  MOIM_DATA_DIR: mkdtempSync(join(tmpdir(), "moim-test-")),
  LOG_LEVEL: "Warn",
  MOIM_SECRET: "test-secret-that-is-long-enough-0123456789",
  MOIM_OPS_TOKEN: opsToken,
  // Each test server has its own Redis keys: rate limits and caches must not cross test files.
  REDIS_KEY_PREFIX: `moim-test:${randomBytes(6).toString("hex")}:`,
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  ...overrides
})

export const configLayer = (env: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))

/** The platform on this test file's own database, configured from `env`. */
export const platformLayer = (env: Record<string, string> = testEnv()) =>
  makePlatform(TestDatabase.layer()).pipe(Layer.provide(configLayer(env)))

const freePortEffect = Effect.promise(freePort)

/**
 * The whole HTTP server on 127.0.0.1 and a free port, on this file's own database. The port is
 * chosen first so `MOIM_PUBLIC_URL` (signed URLs, links) points at this server.
 */
export const layer = (env: Record<string, string> = testEnv()) =>
  Layer.unwrap(Effect.map(freePortEffect, (port) => layerAt(port, env)))

/** The whole HTTP server on 127.0.0.1 and `port` (one a test had to name beforehand, e.g. to an OpenID provider). */
export const layerAt = (port: number, env: Record<string, string> = testEnv()) =>
  Server.layer({ host: "127.0.0.1", port }).pipe(
    Layer.provideMerge(ServerServices),
    Layer.provideMerge(makePlatform(TestDatabase.layer())),
    Layer.provide(configLayer({ MOIM_PUBLIC_URL: `http://127.0.0.1:${port}`, ...env, PORT: String(port) }))
  )

/** `http://127.0.0.1:<port>` of the running test server. */
export const baseUrl = HttpServer.addressFormattedWith((address) => Effect.succeed(address))
