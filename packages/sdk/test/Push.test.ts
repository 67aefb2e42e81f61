import { createECDH, randomBytes } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { freshEmail, makeClient, password, serverEnv } from "./support/TestClient.ts"

/** What a browser's `subscription.toJSON()` gives for a subscription at FCM. */
const browserSubscription = () => {
  const ecdh = createECDH("prime256v1")
  ecdh.generateKeys()
  return {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomBytes(16).toString("base64url")}`,
    expirationTime: null,
    keys: { p256dh: ecdh.getPublicKey("base64url"), auth: randomBytes(16).toString("base64url") }
  }
}

layer(TestServer.layer(serverEnv()), { excludeTestServices: true })("web push through the SDK", (it) => {
  it.effect("reads the key, registers this browser, lists and removes it, with typed errors", () =>
    Effect.gen(function* () {
      const client = yield* makeClient()
      const key = yield* Effect.promise(() => client.push.publicKey())
      assert.strictEqual(Buffer.from(key.data?.publicKey ?? "", "base64url").length, 65)

      yield* Effect.promise(() =>
        client.auth.signup({ body: { email: freshEmail("pusher"), password, nickname: "Pusher" } })
      )
      const registered = yield* Effect.promise(() =>
        client.push.register({ body: { ...browserSubscription(), deviceName: "Firefox on my laptop" } })
      )
      const id = registered.data?.id ?? assert.fail(JSON.stringify(registered.error))
      assert.strictEqual(registered.data?.deviceName, "Firefox on my laptop")
      const listed = yield* Effect.promise(() => client.push.list())
      assert.deepStrictEqual(
        listed.data?.map((device) => device.id),
        [id]
      )

      const refused = yield* Effect.promise(() =>
        client.push.register({ body: { ...browserSubscription(), endpoint: "https://attacker.example/hook" } })
      )
      assert.strictEqual(refused.error?._tag, "PushEndpointRefused")

      assert.isTrue((yield* Effect.promise(() => client.push.delete({ path: { id } }))).ok)
      const again = yield* Effect.promise(() => client.push.delete({ path: { id } }))
      assert.strictEqual(again.error?._tag, "PushSubscriptionNotFound")
    })
  )
})
