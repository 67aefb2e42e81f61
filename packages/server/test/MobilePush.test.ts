import { createECDH, randomBytes } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option, Ref, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { MobilePushConfig } from "../src/Notifications/MobilePushConfig.ts"
import { signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { apnsKey, serviceAccount } from "./support/MobilePushCredentials.ts"
import { withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const base = "/api/v1/me/mobile-devices"
const appId = "com.example.moim"

const fcmToken = () => `${randomBytes(11).toString("base64url")}:APA91b${randomBytes(100).toString("base64url")}`
const apnsToken = () => randomBytes(32).toString("hex")

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
}

const Device = Schema.Struct({
  id: Schema.String,
  platform: Schema.String,
  appId: Schema.String,
  deviceName: Schema.NullOr(Schema.String),
  createdAt: Schema.String
})

const listOf = (user: TestUser) =>
  Effect.gen(function* () {
    const response = yield* call("GET", base, { token: user.token })
    expectStatus(response, 200)
    return Schema.decodeUnknownSync(Schema.Array(Device))(response.json)
  })

// FCM only: this server does not push through APNs.
const env = TestServer.testEnv({
  TRUST_PROXY: "true",
  RATE_LIMIT_USER: "100000",
  RATE_LIMIT_AUTH: "100000",
  FCM_SERVICE_ACCOUNT: serviceAccount().json
})

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Mobile devices", (it) => {
  it.effect("a phone is registered, renewed and removed; a token another account registers moves to it", () =>
    Effect.gen(function* () {
      const ada = yield* signUp("Ada")
      const ben = yield* signUp("Ben")
      const token = fcmToken()
      const created = yield* call("POST", base, {
        token: ada.token,
        body: { platform: "fcm", token, appId, deviceName: "  Pixel  " }
      })
      expectStatus(created, 201)
      const device = Schema.decodeUnknownSync(Device)(created.json)
      assert.deepInclude(device, { platform: "fcm", appId, deviceName: "Pixel" })
      assert.notProperty(created.body, "token")

      // The app starts again: the same token keeps its device and name.
      const renewed = yield* call("POST", base, { token: ada.token, body: { platform: "fcm", token, appId } })
      expectStatus(renewed, 201)
      assert.strictEqual(renewed.body.id, device.id)
      assert.strictEqual(renewed.body.deviceName, "Pixel")
      assert.deepStrictEqual(
        (yield* listOf(ada)).map((listed) => listed.id),
        [device.id]
      )

      // Ben cannot remove Ada's phone; then the phone changes hands: it is a new device of Ben's, so
      // nothing waiting for Ada's reaches it.
      expectStatus(yield* call("DELETE", `${base}/${device.id}`, { token: ben.token }), 404, "MobileDeviceNotFound")
      const moved = yield* call("POST", base, { token: ben.token, body: { platform: "fcm", token, appId } })
      expectStatus(moved, 201)
      assert.notStrictEqual(moved.body.id, device.id)
      assert.lengthOf(yield* listOf(ada), 0)
      assert.deepStrictEqual(
        (yield* listOf(ben)).map((listed) => listed.id),
        [String(moved.body.id)]
      )
      expectStatus(
        yield* call("DELETE", `${base}/${String(moved.body.id)}`, { token: ada.token }),
        404,
        "MobileDeviceNotFound"
      )
      expectStatus(yield* call("DELETE", `${base}/${String(moved.body.id)}`, { token: ben.token }), 204)
      assert.lengthOf(yield* listOf(ben), 0)
    })
  )

  it.effect("each account keeps its 20 most recently registered phones", () =>
    Effect.gen(function* () {
      const cy = yield* signUp("Cy")
      const ids: Array<string> = []
      for (let index = 0; index < 21; index++) {
        const response = yield* call("POST", base, {
          token: cy.token,
          body: { platform: "fcm", token: fcmToken(), appId }
        })
        expectStatus(response, 201)
        ids.push(String(response.body.id))
      }
      const listed = yield* listOf(cy)
      assert.lengthOf(listed, 20)
      assert.notInclude(
        listed.map((device) => device.id),
        ids[0]
      )
    })
  )

  it.effect("a token that cannot be one, or a platform the server does not push to, is refused", () =>
    Effect.gen(function* () {
      const dee = yield* signUp("Dee")
      const refused = (body: Record<string, unknown>) => call("POST", base, { token: dee.token, body })
      const notHex = yield* refused({ platform: "apns", token: "zz".repeat(32), appId })
      expectStatus(notHex, 400, "InvalidRequest")
      assert.include(notHex.text, "token")
      expectStatus(yield* refused({ platform: "web", token: fcmToken(), appId }), 400, "InvalidRequest")
      expectStatus(yield* refused({ platform: "fcm", token: "has spaces in it", appId }), 400, "InvalidRequest")
      expectStatus(yield* refused({ platform: "fcm", token: fcmToken(), appId: "com example" }), 400, "InvalidRequest")
      expectStatus(yield* refused({ platform: "fcm", token: "", appId }), 400, "InvalidRequest")

      const apns = yield* refused({ platform: "apns", token: apnsToken(), appId })
      expectStatus(apns, 404, "MobilePushNotConfigured")
      assert.strictEqual(apns.body.platform, "apns")
      assert.lengthOf(yield* listOf(dee), 0)
    })
  )

  it.effect("an erased account's phones and browsers are forgotten", () =>
    Effect.gen(function* () {
      const fay = yield* signUp("Fay")
      expectStatus(
        yield* call("POST", base, { token: fay.token, body: { platform: "fcm", token: fcmToken(), appId } }),
        201
      )
      const ecdh = createECDH("prime256v1")
      ecdh.generateKeys()
      const browser = yield* call("POST", "/api/v1/me/push-subscriptions", {
        token: fay.token,
        body: {
          endpoint: `https://fcm.googleapis.com/fcm/send/${randomBytes(16).toString("base64url")}`,
          keys: { p256dh: ecdh.getPublicKey("base64url"), auth: randomBytes(16).toString("base64url") }
        }
      })
      expectStatus(browser, 201)
      expectStatus(yield* call("DELETE", "/api/v1/me", { token: fay.token }), 204)

      const sql = yield* SqlClient.SqlClient
      const left = yield* sql`
        SELECT (SELECT count(*) FROM mobile_devices WHERE user_id = ${fay.userId})::int AS phones,
          (SELECT count(*) FROM push_subscriptions WHERE user_id = ${fay.userId})::int AS browsers`.pipe(Effect.orDie)
      assert.deepStrictEqual(left, [{ phones: 0, browsers: 0 }])
    })
  )

  it.effect("the same operations over RPC", () =>
    Effect.gen(function* () {
      const eve = yield* signUp("Eve")
      const token = Ref.makeUnsafe(Option.some(eve.token))
      yield* withRpcClient("http", Ref.get(token), (client) =>
        Effect.gen(function* () {
          const device = yield* client.RegisterMobileDevice({ platform: "fcm", token: fcmToken(), appId })
          assert.strictEqual(device.platform, "fcm")
          assert.deepStrictEqual(
            (yield* client.ListMobileDevices()).map((listed) => listed.id),
            [device.id]
          )
          const refused = yield* Effect.flip(
            client.RegisterMobileDevice({ platform: "apns", token: apnsToken(), appId })
          )
          assert.strictEqual(refused._tag, "MobilePushNotConfigured")
          yield* client.DeleteMobileDevice({ id: device.id })
          assert.lengthOf(yield* client.ListMobileDevices(), 0)
        })
      )
    })
  )
})

const mobileConfig = (env: Record<string, string>) =>
  Effect.gen(function* () {
    return yield* MobilePushConfig
  }).pipe(
    Effect.provide(MobilePushConfig.layer.pipe(Layer.provide(TestServer.configLayer({ LOG_LEVEL: "Warn", ...env })))),
    Effect.exit
  )

/** The start fails, and the message names the setting. */
const refusesToStart = (exit: Exit.Exit<unknown, unknown>, setting: string) => {
  assert.isTrue(Exit.isFailure(exit), `the start should fail on ${setting}`)
  if (Exit.isFailure(exit)) assert.include(Cause.pretty(exit.cause), setting)
}

describe("mobile push settings", () => {
  const account = serviceAccount()
  const key = apnsKey()
  const apns = { APNS_KEY: key.pem, APNS_KEY_ID: key.keyId, APNS_TEAM_ID: key.teamId }

  it.effect("none set: both platforms off; each set: on, at Apple's and Google's hosts by default", () =>
    Effect.gen(function* () {
      const off = yield* mobileConfig({})
      assert.isTrue(Exit.isSuccess(off) && !off.value.enabled("fcm") && !off.value.enabled("apns"))
      const dir = mkdtempSync(join(tmpdir(), "moim-mobile-"))
      writeFileSync(join(dir, "account.json"), account.json)
      writeFileSync(join(dir, "key.p8"), key.pem)
      const on = yield* mobileConfig({
        FCM_SERVICE_ACCOUNT_FILE: join(dir, "account.json"),
        APNS_KEY_FILE: join(dir, "key.p8"),
        APNS_KEY_ID: key.keyId,
        APNS_TEAM_ID: key.teamId,
        APNS_ENVIRONMENT: "sandbox"
      })
      if (!Exit.isSuccess(on)) return assert.fail(Cause.pretty(on.cause))
      assert.isTrue(on.value.enabled("fcm") && on.value.enabled("apns"))
      assert.strictEqual(Option.getOrUndefined(on.value.fcm)?.projectId, account.projectId)
      assert.strictEqual(Option.getOrUndefined(on.value.fcm)?.apiUrl, "https://fcm.googleapis.com")
      assert.strictEqual(Option.getOrUndefined(on.value.fcm)?.tokenUri, "https://oauth2.googleapis.com/token")
      assert.strictEqual(Option.getOrUndefined(on.value.apns)?.origin, "https://api.sandbox.push.apple.com")
      const production = yield* mobileConfig(apns)
      assert.strictEqual(
        Exit.isSuccess(production) ? Option.getOrUndefined(production.value.apns)?.origin : undefined,
        "https://api.push.apple.com"
      )
    })
  )

  it.effect("a malformed setting stops the start and names it; test hosts must be this machine", () =>
    Effect.gen(function* () {
      refusesToStart(yield* mobileConfig({ FCM_SERVICE_ACCOUNT: "{not json" }), "FCM_SERVICE_ACCOUNT")
      refusesToStart(
        yield* mobileConfig({
          FCM_SERVICE_ACCOUNT: serviceAccount("moim-test", { private_key: key.pem }).json
        }),
        "FCM_SERVICE_ACCOUNT"
      )
      refusesToStart(
        yield* mobileConfig({
          FCM_SERVICE_ACCOUNT: serviceAccount("moim-test", { token_uri: "https://evil.example/token" }).json
        }),
        "token_uri"
      )
      refusesToStart(
        yield* mobileConfig({ FCM_SERVICE_ACCOUNT: account.json, FCM_API_URL: "https://fcm.example.com" }),
        "FCM_API_URL"
      )
      refusesToStart(
        yield* mobileConfig({ FCM_SERVICE_ACCOUNT: account.json, FCM_TOKEN_URI: "http://10.0.0.1/token" }),
        "FCM_TOKEN_URI"
      )
      refusesToStart(
        yield* mobileConfig({ FCM_SERVICE_ACCOUNT_FILE: "/nonexistent/account.json" }),
        "FCM_SERVICE_ACCOUNT_FILE"
      )
      refusesToStart(yield* mobileConfig({ APNS_KEY: key.pem, APNS_KEY_ID: key.keyId }), "APNS_TEAM_ID")
      refusesToStart(yield* mobileConfig({ ...apns, APNS_KEY_ID: "short" }), "APNS_KEY_ID")
      refusesToStart(yield* mobileConfig({ ...apns, APNS_ENVIRONMENT: "staging" }), "APNS_ENVIRONMENT")
      refusesToStart(yield* mobileConfig({ ...apns, APNS_KEY: account.json }), "APNS_KEY")
      refusesToStart(yield* mobileConfig({ ...apns, APNS_HOST: "api.push.example.com:443" }), "APNS_HOST")
      refusesToStart(yield* mobileConfig({ ...apns, APNS_CA: "-----BEGIN CERTIFICATE-----" }), "APNS_CA")
      const testHost = yield* mobileConfig({ ...apns, APNS_HOST: "127.0.0.1:8443", APNS_CA: "pem" })
      assert.strictEqual(
        Exit.isSuccess(testHost) ? Option.getOrUndefined(testHost.value.apns)?.origin : undefined,
        "https://127.0.0.1:8443"
      )
    })
  )
})
