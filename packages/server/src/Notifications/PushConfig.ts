import { createECDH } from "node:crypto"
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { PushEndpointRefused } from "@moim/domain/Notifications/PushSubscription"
import { Config, Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import webpush from "web-push"
import { AppConfig, optionalSecret } from "../platform/AppConfig.ts"
import { type AllowedHost, defaultPushHosts, endpointRefusal, parseAllowedHosts } from "./PushEndpoints.ts"

/** The server's VAPID identity (RFC 8292): every push is signed with it. */
export interface Vapid {
  /** Uncompressed P-256 public key, base64url: what browsers subscribe with. */
  readonly publicKey: string
  readonly privateKey: Redacted.Redacted<string>
  /** `mailto:` or `https:`: whom a push service contacts about this server's pushes. */
  readonly subject: string
}

const KeyPair = Schema.Struct({ publicKey: Schema.String, privateKey: Schema.String })
const decodeKeyPair = Schema.decodeUnknownOption(Schema.fromJsonString(KeyPair))

/** Why the two keys are not one P-256 key pair, or undefined when they are. */
const keyPairProblem = (publicKey: string, privateKey: string): string | undefined => {
  const ecdh = createECDH("prime256v1")
  try {
    ecdh.setPrivateKey(Buffer.from(privateKey, "base64url"))
  } catch {
    return "the private key is not a P-256 private key (32 bytes, base64url)"
  }
  return ecdh.getPublicKey("base64url") === publicKey.replace(/=+$/u, "")
    ? undefined
    : "the public key is not the private key's (uncompressed, base64url)"
}

const isSubject = (subject: string) =>
  /^mailto:[^\s@]+@[^\s@]+$/u.test(subject) || (URL.canParse(subject) && new URL(subject).protocol === "https:")

/**
 * The key pair generated on the embedded defaults, kept in the data directory like the server secret,
 * so subscriptions made before a restart keep working. Two processes racing to create it read back
 * the one that was written first.
 */
const loadOrCreateKeys = async (path: string): Promise<{ publicKey: string; privateKey: string } | undefined> => {
  const read = async () => Option.getOrUndefined(decodeKeyPair(await readFile(path, "utf8")))
  try {
    return await read()
  } catch {
    const keys = webpush.generateVAPIDKeys()
    await mkdir(join(path, ".."), { recursive: true })
    await writeFile(path, `${JSON.stringify(keys)}\n`, { flag: "wx", mode: 0o600 }).catch(() => undefined)
    await chmod(path, 0o600)
    return read()
  }
}

const fail = (message: string) => Effect.die(new Error(message))

/**
 * Web push settings: the VAPID keys (`VAPID_PUBLIC_KEY`, `VAPID_PRIVATE_KEY`, `VAPID_SUBJECT`) and the
 * push services pushes may go to (`PUSH_ALLOWED_HOSTS`). Without keys, the embedded defaults generate
 * a pair once into `MOIM_DATA_DIR/vapid.json`; a production server without keys sends no push, and
 * its push operations answer `PushNotConfigured`. A malformed setting fails the start, naming it.
 */
export class PushConfig extends Context.Service<
  PushConfig,
  {
    /** None when push is off. */
    readonly vapid: Option.Option<Vapid>
    /** The endpoint as a URL when the server may post to it (see `PushEndpoints.ts`). */
    readonly checkEndpoint: (endpoint: string) => Effect.Effect<URL, PushEndpointRefused>
  }
>()("@moim/server/Notifications/PushConfig") {
  static readonly make = (vapid: Option.Option<Vapid>, allowed: ReadonlyArray<AllowedHost>) =>
    PushConfig.of({
      vapid,
      checkEndpoint: (endpoint) => {
        const refusal = endpointRefusal(endpoint, allowed)
        return refusal === undefined
          ? Effect.succeed(new URL(endpoint))
          : Effect.fail(new PushEndpointRefused({ message: refusal }))
      }
    })

  static readonly layer = Layer.effect(
    PushConfig,
    Effect.gen(function* () {
      const app = yield* AppConfig
      const publicKey = yield* Config.option(Config.String("VAPID_PUBLIC_KEY")).pipe(
        Config.map(Option.filter((value) => value.trim().length > 0))
      )
      const privateKey = yield* optionalSecret("VAPID_PRIVATE_KEY")
      const subjectSetting = yield* Config.option(Config.String("VAPID_SUBJECT")).pipe(
        Config.map(Option.filter((value) => value.trim().length > 0))
      )
      const hostsSetting = yield* Config.String("PUSH_ALLOWED_HOSTS").pipe(
        Config.withDefault(defaultPushHosts.join(","))
      )
      const allowed = parseAllowedHosts(hostsSetting)
      if (allowed.invalid.length > 0) {
        return yield* fail(`PUSH_ALLOWED_HOSTS: not a host: ${allowed.invalid.join(", ")}`)
      }
      if (Option.isSome(subjectSetting) && !isSubject(subjectSetting.value.trim())) {
        return yield* fail("VAPID_SUBJECT must be a mailto: address or an https: URL")
      }
      if (Option.isSome(publicKey) !== Option.isSome(privateKey)) {
        return yield* fail("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are set together, or neither")
      }

      const keys = yield* Option.isSome(publicKey) && Option.isSome(privateKey)
        ? Effect.succeed(
            Option.some({ publicKey: publicKey.value.trim(), privateKey: Redacted.value(privateKey.value).trim() })
          )
        : app.production
          ? Effect.succeedNone
          : Effect.promise(() => loadOrCreateKeys(join(app.dataDir, "vapid.json"))).pipe(
              Effect.flatMap((generated) =>
                generated === undefined
                  ? fail(`${join(app.dataDir, "vapid.json")} is not a VAPID key pair: delete it to generate another`)
                  : Effect.succeedSome(generated)
              )
            )
      if (Option.isNone(keys)) {
        yield* Effect.logInfo("web push is off: set VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT to send it")
        return PushConfig.make(Option.none(), allowed.hosts)
      }
      const problem = keyPairProblem(keys.value.publicKey, keys.value.privateKey)
      if (problem !== undefined) return yield* fail(`VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: ${problem}`)
      if (app.production && Option.isNone(subjectSetting)) {
        return yield* fail("VAPID_SUBJECT is required with VAPID keys when NODE_ENV=production")
      }
      return PushConfig.make(
        Option.some({
          publicKey: keys.value.publicKey.replace(/=+$/u, ""),
          privateKey: Redacted.make(keys.value.privateKey),
          subject: Option.getOrElse(subjectSetting, () => "mailto:webpush@localhost").trim()
        }),
        allowed.hosts
      )
    })
  )
}
