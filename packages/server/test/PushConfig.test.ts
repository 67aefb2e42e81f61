import { createECDH } from "node:crypto"
import { mkdtempSync, readFileSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { PushConfig } from "../src/Notifications/PushConfig.ts"
import { defaultPushHosts, endpointRefusal, parseAllowedHosts } from "../src/Notifications/PushEndpoints.ts"
import { AppConfig } from "../src/platform/AppConfig.ts"
import { configLayer } from "./support/TestServer.ts"

const hosts = (value: string) => parseAllowedHosts(value).hosts

describe("which push endpoints the server posts to", () => {
  const defaults = hosts(defaultPushHosts.join(","))
  const testing = hosts("127.0.0.1:4567,push.example.test")

  it.each([
    ["https://fcm.googleapis.com/fcm/send/abc", defaults],
    ["https://updates.push.services.mozilla.com/wpush/v2/abc", defaults],
    ["https://web.push.apple.com/QGuQyavX", defaults],
    ["https://wns2-par02p.notify.windows.com/w/?token=abc", defaults],
    ["https://FCM.googleapis.com/fcm/send/abc", defaults],
    ["https://fcm.googleapis.com:443/fcm/send/abc", defaults],
    ["http://127.0.0.1:4567/push/abc", testing],
    ["https://127.0.0.1:4567/push/abc", testing],
    ["https://push.example.test/abc", testing]
  ])("allows %s", (endpoint, allowed) => {
    assert.isUndefined(endpointRefusal(endpoint, allowed))
  })

  it.each([
    ["http://fcm.googleapis.com/fcm/send/abc", defaults, "https"],
    ["https://evil.example.com/fcm/send/abc", defaults, "not a push service"],
    ["https://fcm.googleapis.com.evil.example.com/x", defaults, "not a push service"],
    ["https://evilfcm.googleapis.com/x", defaults, "not a push service"],
    ["https://push.apple.com/x", defaults, "not a push service"],
    ["https://fcm.googleapis.com:8443/fcm/send/abc", defaults, "not a push service"],
    ["https://user:secret@fcm.googleapis.com/fcm/send/abc", defaults, "credentials"],
    ["https://127.0.0.1/push", defaults, "not a push service"],
    ["https://169.254.169.254/latest/meta-data", defaults, "not a push service"],
    ["https://[::1]/push", defaults, "not a push service"],
    ["http://127.0.0.1:4568/push/abc", testing, "https"],
    ["http://localhost:4567/push/abc", testing, "https"],
    ["http://push.example.test/abc", testing, "https"],
    ["ftp://push.example.test/abc", testing, "https"],
    ["not a url", defaults, "not a URL"]
  ])("refuses %s", (endpoint, allowed, reason) => {
    assert.include(endpointRefusal(endpoint, allowed) ?? "allowed", reason)
  })

  it("http is allowed only for a loopback host named exactly, never through a wildcard", () => {
    assert.include(endpointRefusal("http://a.example.test:8080/x", hosts("*.example.test:8080")) ?? "allowed", "https")
    assert.isUndefined(endpointRefusal("http://localhost:9000/x", hosts("localhost:9000")))
  })

  it("refuses a list with an entry that is not a host", () => {
    assert.deepStrictEqual(parseAllowedHosts("fcm.googleapis.com, https://x.example, a/b, *., ok.example:1").invalid, [
      "https://x.example",
      "a/b",
      "*."
    ])
  })
})

const keyPair = () => {
  const ecdh = createECDH("prime256v1")
  ecdh.generateKeys()
  return { publicKey: ecdh.getPublicKey("base64url"), privateKey: ecdh.getPrivateKey("base64url") }
}

const pushConfig = (env: Record<string, string>) =>
  Effect.gen(function* () {
    return yield* PushConfig
  }).pipe(
    Effect.provide(
      PushConfig.layer.pipe(Layer.provide(AppConfig.layer), Layer.provide(configLayer({ LOG_LEVEL: "Warn", ...env })))
    ),
    Effect.exit
  )

const dataDir = () => mkdtempSync(join(tmpdir(), "moim-push-"))

/** The start fails, and the message names the setting. */
const refusesToStart = (exit: Exit.Exit<unknown, unknown>, setting: string) => {
  assert.isTrue(Exit.isFailure(exit), "the start should fail")
  if (Exit.isFailure(exit)) assert.include(Cause.pretty(exit.cause), setting)
}

describe("VAPID keys", () => {
  it.effect("on the embedded defaults, a key pair is generated once into the data dir and kept", () =>
    Effect.gen(function* () {
      const dir = dataDir()
      const first = yield* pushConfig({ MOIM_DATA_DIR: dir })
      const second = yield* pushConfig({ MOIM_DATA_DIR: dir })
      assert.isTrue(Exit.isSuccess(first) && Exit.isSuccess(second))
      if (!Exit.isSuccess(first) || !Exit.isSuccess(second)) return
      const [one, two] = [Option.getOrUndefined(first.value.vapid), Option.getOrUndefined(second.value.vapid)]
      assert.strictEqual(Buffer.from(one?.publicKey ?? "", "base64url").length, 65)
      assert.strictEqual(one?.publicKey, two?.publicKey)
      assert.strictEqual(one?.subject, "mailto:webpush@localhost")
      const file = join(dir, "vapid.json")
      assert.include(readFileSync(file, "utf8"), one?.publicKey ?? "missing")
      assert.strictEqual(statSync(file).mode & 0o777, 0o600)
      const elsewhere = yield* pushConfig({ MOIM_DATA_DIR: dataDir() })
      assert.notStrictEqual(
        Exit.isSuccess(elsewhere) ? Option.getOrUndefined(elsewhere.value.vapid)?.publicKey : undefined,
        one?.publicKey
      )
    })
  )

  it.effect("configured keys are used as given; production requires a subject with them", () =>
    Effect.gen(function* () {
      const keys = keyPair()
      const given = yield* pushConfig({
        MOIM_DATA_DIR: dataDir(),
        NODE_ENV: "production",
        VAPID_PUBLIC_KEY: keys.publicKey,
        VAPID_PRIVATE_KEY: keys.privateKey,
        VAPID_SUBJECT: "https://moim.example.com/contact"
      })
      assert.isTrue(Exit.isSuccess(given))
      if (Exit.isSuccess(given)) {
        assert.strictEqual(Option.getOrUndefined(given.value.vapid)?.publicKey, keys.publicKey)
        assert.strictEqual(Option.getOrUndefined(given.value.vapid)?.subject, "https://moim.example.com/contact")
      }
      refusesToStart(
        yield* pushConfig({
          MOIM_DATA_DIR: dataDir(),
          NODE_ENV: "production",
          VAPID_PUBLIC_KEY: keys.publicKey,
          VAPID_PRIVATE_KEY: keys.privateKey
        }),
        "VAPID_SUBJECT"
      )
    })
  )

  it.effect("in production without keys push is off, and nothing is written", () =>
    Effect.gen(function* () {
      const dir = dataDir()
      const exit = yield* pushConfig({ MOIM_DATA_DIR: dir, NODE_ENV: "production" })
      assert.isTrue(Exit.isSuccess(exit) && Option.isNone(exit.value.vapid))
      assert.throws(() => statSync(join(dir, "vapid.json")))
    })
  )

  it.effect("a malformed setting stops the start and names it", () =>
    Effect.gen(function* () {
      const keys = keyPair()
      const other = keyPair()
      const dir = dataDir()
      refusesToStart(yield* pushConfig({ MOIM_DATA_DIR: dir, VAPID_PUBLIC_KEY: keys.publicKey }), "VAPID_PRIVATE_KEY")
      refusesToStart(
        yield* pushConfig({
          MOIM_DATA_DIR: dir,
          VAPID_PUBLIC_KEY: keys.publicKey,
          VAPID_PRIVATE_KEY: other.privateKey
        }),
        "VAPID_PUBLIC_KEY"
      )
      refusesToStart(
        yield* pushConfig({ MOIM_DATA_DIR: dir, VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: "short" }),
        "VAPID_PRIVATE_KEY"
      )
      refusesToStart(yield* pushConfig({ MOIM_DATA_DIR: dir, VAPID_SUBJECT: "ops@example.com" }), "VAPID_SUBJECT")
      refusesToStart(yield* pushConfig({ MOIM_DATA_DIR: dir, VAPID_SUBJECT: "http://example.com" }), "VAPID_SUBJECT")
      refusesToStart(
        yield* pushConfig({ MOIM_DATA_DIR: dir, PUSH_ALLOWED_HOSTS: "fcm.googleapis.com,http://x" }),
        "PUSH_ALLOWED_HOSTS"
      )
    })
  )
})
