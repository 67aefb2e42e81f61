import { createHmac, randomBytes } from "node:crypto"
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Config, Context, Effect, Layer, Option, Redacted } from "effect"
import { AppConfig } from "./AppConfig.ts"

/**
 * The server's root secret. Every key the server needs (URL signatures, token signing) is derived
 * from it per purpose, so rotating `MOIM_SECRET` rotates them all. In production the secret comes
 * from `MOIM_SECRET` and is required; on the embedded defaults it is generated once and kept in
 * the data directory so restarts keep sessions and signed links valid.
 */
export class ServerSecret extends Context.Service<
  ServerSecret,
  {
    /** A 32-byte key for one purpose, e.g. `"storage-url"`, `"jwt"`. */
    readonly derive: (purpose: string) => Uint8Array<ArrayBuffer>
  }
>()("@moim/server/platform/ServerSecret") {
  static readonly make = (secret: Redacted.Redacted<string>) =>
    ServerSecret.of({
      derive: (purpose) => new Uint8Array(createHmac("sha256", Redacted.value(secret)).update(purpose).digest())
    })

  static readonly layer = Layer.effect(
    ServerSecret,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const fromEnv = yield* Config.option(Config.Redacted("MOIM_SECRET"))
      if (Option.isSome(fromEnv)) {
        if (Redacted.value(fromEnv.value).length < 32) {
          return yield* Effect.die(new Error("MOIM_SECRET must be at least 32 characters long"))
        }
        return ServerSecret.make(fromEnv.value)
      }
      if (config.production) {
        return yield* Effect.die(new Error("MOIM_SECRET is required when NODE_ENV=production"))
      }
      const secret = yield* Effect.promise(() => loadOrCreate(join(config.dataDir, "secret")))
      return ServerSecret.make(Redacted.make(secret))
    })
  )
}

const loadOrCreate = async (path: string): Promise<string> => {
  try {
    return (await readFile(path, "utf8")).trim()
  } catch {
    const secret = randomBytes(32).toString("base64url")
    await mkdir(join(path, ".."), { recursive: true })
    await writeFile(path, `${secret}\n`, { flag: "wx" }).catch(() => undefined)
    await chmod(path, 0o600)
    return (await readFile(path, "utf8")).trim()
  }
}
