import { createECDH, randomBytes } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, Option, Ref } from "effect"
import { signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const base = "/api/v1/me/push-subscriptions"

/** A browser's subscription at FCM (one of the push services allowed by default): endpoint and keys. */
const subscription = (endpoint = `https://fcm.googleapis.com/fcm/send/${randomBytes(16).toString("base64url")}`) => {
  const ecdh = createECDH("prime256v1")
  ecdh.generateKeys()
  return { endpoint, keys: { p256dh: ecdh.getPublicKey("base64url"), auth: randomBytes(16).toString("base64url") } }
}

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
}

const listOf = (user: TestUser) =>
  Effect.gen(function* () {
    const response = yield* call("GET", base, { token: user.token })
    expectStatus(response, 200)
    return response.json as ReadonlyArray<Record<string, unknown>>
  })

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

/** The RPC tag an effect fails with, or "success". */
const outcome = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.exit(effect), (exit) =>
    Exit.isSuccess(exit)
      ? "success"
      : Option.match(Exit.findErrorOption(exit), { onNone: () => "defect", onSome: (error) => error._tag })
  )

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Web push subscriptions", (it) => {
  it.effect("anyone reads the server's public key, the same on REST and RPC", () =>
    Effect.gen(function* () {
      const response = yield* call("GET", "/api/v1/push/public-key")
      expectStatus(response, 200)
      const key = Buffer.from(String(response.body.publicKey), "base64url")
      assert.strictEqual(key.length, 65)
      assert.strictEqual(key[0], 4)
      const rpc = yield* withRpcClient("http", Effect.succeedNone, (client) => client.GetPushPublicKey())
      assert.strictEqual(rpc.publicKey, response.body.publicKey)
    })
  )

  it.effect("a device is registered, renewed and removed; an endpoint another account registers moves to it", () =>
    Effect.gen(function* () {
      const ada = yield* signUp("Ada")
      const ben = yield* signUp("Ben")
      const phone = subscription()
      const created = yield* call("POST", base, { token: ada.token, body: { ...phone, deviceName: "  Phone  " } })
      expectStatus(created, 201)
      assert.strictEqual(created.body.endpoint, phone.endpoint)
      assert.strictEqual(created.body.deviceName, "Phone")
      assert.match(String(created.body.createdAt), /^\d{4}-\d\d-\d\dT/)

      // The browser renewed its keys: the same subscription, its name kept.
      const renewed = yield* call("POST", base, {
        token: ada.token,
        body: { ...subscription(phone.endpoint), keys: { ...subscription().keys, auth: `${phone.keys.auth}==` } }
      })
      expectStatus(renewed, 201)
      assert.strictEqual(renewed.body.id, created.body.id)
      assert.strictEqual(renewed.body.deviceName, "Phone")
      assert.strictEqual(renewed.body.createdAt, created.body.createdAt)
      // What a browser's `subscription.toJSON()` gives, as it is.
      const laptop = yield* call("POST", base, { token: ada.token, body: { ...subscription(), expirationTime: null } })
      expectStatus(laptop, 201)
      assert.isNull(laptop.body.deviceName)
      assert.deepStrictEqual(
        (yield* listOf(ada)).map((item) => item.id),
        [laptop.body.id, created.body.id]
      )
      assert.deepStrictEqual(yield* listOf(ben), [])

      // Ben signs in on the same browser: the endpoint is his now, under a new id.
      const moved = yield* call("POST", base, { token: ben.token, body: subscription(phone.endpoint) })
      expectStatus(moved, 201)
      assert.notStrictEqual(moved.body.id, created.body.id)
      assert.isNull(moved.body.deviceName)
      assert.deepStrictEqual(
        (yield* listOf(ada)).map((item) => item.id),
        [laptop.body.id]
      )
      assert.deepStrictEqual(
        (yield* listOf(ben)).map((item) => item.endpoint),
        [phone.endpoint]
      )

      // Nobody removes another person's device; removing your own twice finds nothing the second time.
      expectStatus(
        yield* call("DELETE", `${base}/${String(laptop.body.id)}`, { token: ben.token }),
        404,
        "PushSubscriptionNotFound"
      )
      expectStatus(yield* call("DELETE", `${base}/${String(laptop.body.id)}`, { token: ada.token }), 204)
      expectStatus(
        yield* call("DELETE", `${base}/${String(laptop.body.id)}`, { token: ada.token }),
        404,
        "PushSubscriptionNotFound"
      )
      assert.deepStrictEqual(yield* listOf(ada), [])
      assert.lengthOf(yield* listOf(ben), 1)
    })
  )

  it.effect("the same flow over RPC", () =>
    Effect.gen(function* () {
      const cy = yield* signUp("Cy")
      const token = yield* Ref.make(Option.some(cy.token))
      yield* withRpcClient("http", Ref.get(token), (client) =>
        Effect.gen(function* () {
          const device = subscription()
          const registered = yield* client.RegisterPushSubscription({ ...device, deviceName: "Tablet" })
          assert.strictEqual(registered.deviceName, "Tablet")
          const listed = yield* client.ListPushSubscriptions()
          assert.deepStrictEqual(
            listed.map((item) => item.id),
            [registered.id]
          )
          yield* client.DeletePushSubscription({ id: registered.id })
          assert.strictEqual(
            yield* outcome(client.DeletePushSubscription({ id: registered.id })),
            "PushSubscriptionNotFound"
          )
          assert.strictEqual(
            yield* outcome(client.RegisterPushSubscription(subscription("https://evil.example.com/push"))),
            "PushEndpointRefused"
          )
        })
      )
    })
  )

  it.effect("a subscription the server could not use, or must not post to, is refused with a typed 400", () =>
    Effect.gen(function* () {
      const dee = yield* signUp("Dee")
      const good = subscription()
      const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString("base64url")
      const compressed = createECDH("prime256v1")
      compressed.generateKeys()
      const invalid: ReadonlyArray<readonly [unknown, string]> = [
        [{ ...good, endpoint: "not a url" }, "payload.endpoint"],
        [{ ...good, endpoint: "ftp://fcm.googleapis.com/fcm/send/x" }, "payload.endpoint"],
        [{ ...good, endpoint: `https://fcm.googleapis.com/${"a".repeat(2048)}` }, "payload.endpoint"],
        [{ ...good, keys: { ...good.keys, p256dh: offCurve } }, "payload.keys.p256dh"],
        [
          { ...good, keys: { ...good.keys, p256dh: compressed.getPublicKey("base64url", "compressed") } },
          "payload.keys.p256dh"
        ],
        [{ ...good, keys: { ...good.keys, p256dh: `${good.keys.p256dh.slice(0, 86)}+` } }, "payload.keys.p256dh"],
        [{ ...good, keys: { ...good.keys, auth: randomBytes(15).toString("base64url") } }, "payload.keys.auth"],
        [{ ...good, keys: { ...good.keys, auth: randomBytes(32).toString("base64url") } }, "payload.keys.auth"],
        [{ endpoint: good.endpoint }, "payload.keys"],
        [{ ...good, deviceName: "x".repeat(101) }, "payload.deviceName"],
        [{ ...good, expirationTime: -1 }, "payload.expirationTime"],
        [{ ...good, subscriptionId: "x" }, "payload.subscriptionId"]
      ]
      for (const [body, path] of invalid) {
        const response = yield* call("POST", base, { token: dee.token, body })
        expectStatus(response, 400, "InvalidRequest")
        const issues = response.body.issues as ReadonlyArray<{ readonly path: ReadonlyArray<string> }>
        assert.isTrue(
          issues.some((issue) => issue.path.join(".") === path),
          `${path} in ${response.text}`
        )
        // The RPC server answers the same payload the same way. (The typed RPC client refuses to
        // build such a payload at all, so the frame is written by hand, as another client would.)
        const frame = { _tag: "Request", id: "1", tag: "RegisterPushSubscription", payload: body, headers: [] }
        const raw = yield* call("POST", "/rpc", {
          body: `${JSON.stringify(frame)}\n`,
          headers: { "content-type": "application/ndjson", authorization: `Bearer ${dee.token}` }
        })
        assert.include(raw.text.split("\n")[0] ?? "", '"_tag":"InvalidRequest"', JSON.stringify(body).slice(0, 200))
      }
      for (const endpoint of [
        "https://evil.example.com/fcm/send/x",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com:8443/fcm/send/x",
        "https://user:secret@fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com.evil.example.com/x",
        "https://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:6379/",
        "https://localhost/push"
      ]) {
        expectStatus(
          yield* call("POST", base, { token: dee.token, body: subscription(endpoint) }),
          400,
          "PushEndpointRefused"
        )
      }
      assert.deepStrictEqual(yield* listOf(dee), [])
      // Safari's push service is one of the defaults, under any of its hosts.
      expectStatus(
        yield* call("POST", base, { token: dee.token, body: subscription("https://web.push.apple.com/QGuQyavXutnM") }),
        201
      )
      expectStatus(yield* call("DELETE", `${base}/not-an-id`, { token: dee.token }), 400, "InvalidRequest")
    })
  )

  it.effect("each account keeps its 20 most recently registered devices", () =>
    Effect.gen(function* () {
      const eve = yield* signUp("Eve")
      const ids: Array<string> = []
      for (let index = 0; index < 21; index++) {
        const response = yield* call("POST", base, { token: eve.token, body: subscription() })
        expectStatus(response, 201)
        ids.push(String(response.body.id))
      }
      const kept = (yield* listOf(eve)).map((item) => String(item.id))
      assert.lengthOf(kept, 20)
      assert.notInclude(kept, ids[0])
      assert.deepStrictEqual([...kept].sort(), ids.slice(1).sort())
    })
  )
})

const production = TestServer.testEnv({
  NODE_ENV: "production",
  TRUST_PROXY: "true",
  RATE_LIMIT_USER: "100000",
  RATE_LIMIT_AUTH: "100000"
})

layer(TestServer.layer(production), { excludeTestServices: true, timeout: "120 seconds" })(
  "Web push on a production server without VAPID keys",
  (it) => {
    it.effect("the operations say push is off; what is registered can still be listed", () =>
      Effect.gen(function* () {
        const fay = yield* signUp("Fay")
        expectStatus(yield* call("GET", "/api/v1/push/public-key"), 404, "PushNotConfigured")
        expectStatus(yield* call("POST", base, { token: fay.token, body: subscription() }), 404, "PushNotConfigured")
        assert.deepStrictEqual(yield* listOf(fay), [])
        const token = yield* Ref.make(Option.some(fay.token))
        yield* withRpcClient("http", Ref.get(token), (client) =>
          Effect.gen(function* () {
            assert.strictEqual(yield* outcome(client.GetPushPublicKey()), "PushNotConfigured")
            assert.strictEqual(yield* outcome(client.RegisterPushSubscription(subscription())), "PushNotConfigured")
          })
        )
      })
    )
  }
)
