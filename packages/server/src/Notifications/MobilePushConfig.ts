import { createPrivateKey, type KeyObject } from "node:crypto"
import { readFile } from "node:fs/promises"
import type { MobilePlatform } from "@moim/domain/Notifications/MobileDevice"
import { Config, Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import { optionalSecret } from "../platform/AppConfig.ts"

/** What FCM HTTP v1 is reached with: a Google service account, which gets OAuth access tokens. */
export interface FcmSettings {
  readonly projectId: string
  readonly clientEmail: string
  readonly privateKeyId: string | undefined
  /** The service account's RSA key, which signs the OAuth assertion. */
  readonly privateKey: Redacted.Redacted<KeyObject>
  /** Where the assertion is exchanged for an access token. */
  readonly tokenUri: string
  /** `https://fcm.googleapis.com` (a loopback URL in tests). */
  readonly apiUrl: string
}

/** What APNs is reached with: a token-based (.p8) key of the team, which signs the provider tokens. */
export interface ApnsSettings {
  readonly keyId: string
  readonly teamId: string
  readonly key: Redacted.Redacted<KeyObject>
  /** `https://api.push.apple.com` or the sandbox (a loopback origin in tests). */
  readonly origin: string
  /** A CA certificate (PEM) to trust, only beside a loopback origin: a test's own APNs. */
  readonly ca: string | undefined
}

const ServiceAccount = Schema.Struct({
  type: Schema.optional(Schema.String),
  project_id: Schema.NonEmptyString,
  client_email: Schema.NonEmptyString,
  private_key: Schema.NonEmptyString,
  private_key_id: Schema.optional(Schema.String),
  token_uri: Schema.optional(Schema.String)
})
const decodeServiceAccount = Schema.decodeUnknownOption(Schema.fromJsonString(ServiceAccount))

export const defaultFcmApiUrl = "https://fcm.googleapis.com"
export const defaultTokenUri = "https://oauth2.googleapis.com/token"
const apnsOrigins = { production: "https://api.push.apple.com", sandbox: "https://api.sandbox.push.apple.com" }

const fail = (message: string) => Effect.die(new Error(message))

const isLoopback = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/u.test(hostname)

/** A URL setting that may only point at this machine (a test's stand-in for Google), without a path. */
const loopbackUrl = (name: string, value: string, path: "none" | "any") => {
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined || !["http:", "https:"].includes(url.protocol) || !isLoopback(url.hostname)) {
    return fail(`${name} may only name a loopback http(s) URL (a test's server), got ${value}`)
  }
  return Effect.succeed(path === "none" ? url.origin : url.toString())
}

/** A secret given as a value (`NAME`) or a file (`NAME_FILE`), never both. */
const secretOrFile = (name: string) =>
  Effect.gen(function* () {
    const value = yield* optionalSecret(name)
    const file = yield* Config.option(Config.NonEmptyString(`${name}_FILE`))
    if (Option.isSome(value) && Option.isSome(file)) return yield* fail(`${name} and ${name}_FILE: set one, not both`)
    if (Option.isSome(value)) return Option.some(Redacted.value(value.value))
    if (Option.isNone(file)) return Option.none<string>()
    return Option.some(
      yield* Effect.tryPromise(() => readFile(file.value, "utf8")).pipe(
        Effect.catch(() => fail(`${name}_FILE: cannot read ${file.value}`))
      )
    )
  })

const privateKey = (name: string, pem: string, type: "rsa" | "ec") =>
  Effect.gen(function* () {
    const key = yield* Effect.try(() => createPrivateKey(pem)).pipe(
      Effect.catch(() => fail(`${name}: not a private key in PEM`))
    )
    if (key.asymmetricKeyType !== type) return yield* fail(`${name}: not an ${type.toUpperCase()} private key`)
    if (type === "ec" && key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      return yield* fail(`${name}: not a P-256 key (an APNs .p8 key is one)`)
    }
    return key
  })

const fcmSettings = Effect.gen(function* () {
  const json = yield* secretOrFile("FCM_SERVICE_ACCOUNT")
  const apiSetting = yield* Config.option(Config.NonEmptyString("FCM_API_URL"))
  const tokenSetting = yield* Config.option(Config.NonEmptyString("FCM_TOKEN_URI"))
  if (Option.isNone(json)) return Option.none<FcmSettings>()
  const account = decodeServiceAccount(json.value)
  if (Option.isNone(account)) {
    return yield* fail(
      "FCM_SERVICE_ACCOUNT: not a service account's JSON key (project_id, client_email and private_key are needed)"
    )
  }
  const key = yield* privateKey("FCM_SERVICE_ACCOUNT private_key", account.value.private_key, "rsa")
  const apiUrl = Option.isSome(apiSetting)
    ? yield* loopbackUrl("FCM_API_URL", apiSetting.value, "none")
    : defaultFcmApiUrl
  // The key's own token_uri is Google's; anything else would send the signed assertion elsewhere.
  const accountUri = account.value.token_uri ?? defaultTokenUri
  if (Option.isNone(tokenSetting) && accountUri !== defaultTokenUri) {
    return yield* fail(`FCM_SERVICE_ACCOUNT: token_uri must be ${defaultTokenUri}, got ${accountUri}`)
  }
  const tokenUri = Option.isSome(tokenSetting)
    ? yield* loopbackUrl("FCM_TOKEN_URI", tokenSetting.value, "any")
    : defaultTokenUri
  return Option.some<FcmSettings>({
    projectId: account.value.project_id,
    clientEmail: account.value.client_email,
    privateKeyId: account.value.private_key_id,
    privateKey: Redacted.make(key),
    tokenUri,
    apiUrl
  })
})

const apnsSettings = Effect.gen(function* () {
  const pem = yield* secretOrFile("APNS_KEY")
  const keyId = yield* Config.option(Config.NonEmptyString("APNS_KEY_ID"))
  const teamId = yield* Config.option(Config.NonEmptyString("APNS_TEAM_ID"))
  const environment = yield* Config.Literals(["production", "sandbox"], "APNS_ENVIRONMENT").pipe(
    Config.withDefault("production" as const)
  )
  const hostSetting = yield* Config.option(Config.NonEmptyString("APNS_HOST"))
  const ca = yield* secretOrFile("APNS_CA")
  const given = [pem, keyId, teamId].filter(Option.isSome).length
  if (given === 0) return Option.none<ApnsSettings>()
  if (Option.isNone(pem) || Option.isNone(keyId) || Option.isNone(teamId)) {
    return yield* fail("APNS_KEY (or APNS_KEY_FILE), APNS_KEY_ID and APNS_TEAM_ID are set together, or none")
  }
  if (!/^[A-Z0-9]{10}$/u.test(keyId.value)) return yield* fail("APNS_KEY_ID: the key's 10-character id")
  if (!/^[A-Z0-9]{10}$/u.test(teamId.value)) return yield* fail("APNS_TEAM_ID: the team's 10-character id")
  const key = yield* privateKey("APNS_KEY", pem.value, "ec")
  if (Option.isSome(ca) && Option.isNone(hostSetting)) {
    return yield* fail("APNS_CA is for a test's own APNs server only: it needs APNS_HOST")
  }
  const origin = Option.isSome(hostSetting)
    ? yield* loopbackUrl("APNS_HOST", `https://${hostSetting.value}`, "none")
    : apnsOrigins[environment]
  return Option.some<ApnsSettings>({
    keyId: keyId.value,
    teamId: teamId.value,
    key: Redacted.make(key),
    origin,
    ca: Option.getOrUndefined(ca)
  })
})

/**
 * Mobile push settings, from the environment: FCM by a service account (`FCM_SERVICE_ACCOUNT`, its
 * JSON key, or `FCM_SERVICE_ACCOUNT_FILE`), APNs by a token-based key (`APNS_KEY` or `APNS_KEY_FILE`,
 * `APNS_KEY_ID`, `APNS_TEAM_ID`, `APNS_ENVIRONMENT`). Either, both or neither may be set; a platform
 * without its settings is not pushed to, and registering a device of it answers
 * `MobilePushNotConfigured`. `FCM_API_URL`, `FCM_TOKEN_URI`, `APNS_HOST` and `APNS_CA` point the
 * adapters at a test's servers, on this machine only. A malformed setting fails the start, naming it.
 */
export class MobilePushConfig extends Context.Service<
  MobilePushConfig,
  {
    readonly fcm: Option.Option<FcmSettings>
    readonly apns: Option.Option<ApnsSettings>
    readonly enabled: (platform: MobilePlatform) => boolean
  }
>()("@moim/server/Notifications/MobilePushConfig") {
  static readonly layer = Layer.effect(
    MobilePushConfig,
    Effect.gen(function* () {
      const fcm = yield* fcmSettings
      const apns = yield* apnsSettings
      if (Option.isNone(fcm) && Option.isNone(apns)) {
        yield* Effect.logDebug("mobile push is off: set FCM_SERVICE_ACCOUNT or APNS_KEY to send it")
      }
      return MobilePushConfig.of({
        fcm,
        apns,
        enabled: (platform) => (platform === "fcm" ? Option.isSome(fcm) : Option.isSome(apns))
      })
    })
  )
}
