import { randomBytes } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import {
  oidcClientId,
  oidcClientSecret,
  oidcProviderName,
  TestOidcProvider
} from "../../server/test/support/TestOidcProvider.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { memoryTokenStore } from "../src/index.ts"
import { freshEmail, makeClient, serverEnv } from "./support/TestClient.ts"

const webApp = "https://app.example.com/auth/done"
const nativeApp = "com.example.app:/oauth"

const TestLayer = Layer.unwrap(
  Effect.gen(function* () {
    const provider = yield* TestOidcProvider
    return TestServer.layerAt(
      provider.moimPort,
      serverEnv({
        RATE_LIMIT_AUTH: "1000",
        OIDC_PROVIDERS: oidcProviderName,
        OIDC_ACME_ISSUER: provider.issuer,
        OIDC_ACME_CLIENT_ID: oidcClientId,
        OIDC_ACME_CLIENT_SECRET: oidcClientSecret,
        OIDC_REDIRECT_URIS: `${webApp},${nativeApp}`
      })
    )
  })
).pipe(Layer.provideMerge(TestOidcProvider.layer))

/** The browser's trip from the authorization URL to the app's redirect URI, through the provider and Moim's callback. */
const browse = (authorizationUrl: string, sub: string) =>
  Effect.gen(function* () {
    const provider = yield* TestOidcProvider
    const callbackUrl = yield* provider.signIn(authorizationUrl, sub)
    const callback = yield* Effect.promise(() => fetch(callbackUrl, { redirect: "manual" }))
    assert.strictEqual(callback.status, 302)
    return new URL(callback.headers.get("location") ?? "")
  })

layer(TestLayer, { excludeTestServices: true, timeout: "60 seconds" })("OpenID Connect sign-in with the SDK", (it) => {
  it.effect("signs up from a browser app, keeps the session, and links a second provider account", () =>
    Effect.gen(function* () {
      const provider = yield* TestOidcProvider
      const sub = `sdk-${randomBytes(6).toString("hex")}`
      const email = freshEmail("sdk")
      provider.register({ sub, email, emailVerified: true, name: "Sasha" })
      const tokens = memoryTokenStore()
      const client = yield* makeClient({ tokens })

      const started = yield* Effect.promise(() =>
        client.oidc.startSignIn({ path: { provider: oidcProviderName }, body: { redirectUri: webApp } })
      )
      if (!started.ok) return assert.fail(JSON.stringify(started.error))
      const back = yield* browse(started.data.authorizationUrl, sub)
      assert.isTrue(back.href.startsWith(webApp))
      const code = back.searchParams.get("code") ?? assert.fail(back.href)
      const result = yield* Effect.promise(() => client.oidc.exchange({ body: { code, deviceName: "SDK browser" } }))
      if (!result.ok || "_tag" in result.data) return assert.fail(JSON.stringify(result.error ?? result.data))
      assert.strictEqual(result.data.user.email, email)
      assert.strictEqual((yield* Effect.promise(async () => tokens.get()))?.accessToken, result.data.accessToken)

      const again = yield* Effect.promise(() => client.oidc.exchange({ body: { code } }))
      assert.strictEqual(again.error?._tag, "OidcCodeInvalid")

      // Linking, as a native app would: the redirect URI is the app's custom scheme.
      const work = `sdk-work-${randomBytes(6).toString("hex")}`
      provider.register({ sub: work, email: freshEmail("work"), emailVerified: true })
      const link = yield* Effect.promise(() =>
        client.oidc.startLink({ path: { provider: oidcProviderName }, body: { redirectUri: nativeApp } })
      )
      if (!link.ok) return assert.fail(JSON.stringify(link.error))
      const linkBack = yield* browse(link.data.authorizationUrl, work)
      assert.strictEqual(linkBack.protocol, "com.example.app:")
      const linked = yield* Effect.promise(() =>
        client.oidc.link({ body: { code: linkBack.searchParams.get("code") ?? "" } })
      )
      if (!linked.ok) return assert.fail(JSON.stringify(linked.error))
      const listed = yield* Effect.promise(() => client.oidc.listIdentities())
      assert.strictEqual(listed.data?.length, 2)
      const unlinked = yield* Effect.promise(() => client.oidc.unlink({ path: { id: linked.data.id } }))
      assert.isTrue(unlinked.ok, JSON.stringify(unlinked.error))
    })
  )

  it.effect("types the refusals: a redirect URI not allowed, an unknown provider", () =>
    Effect.gen(function* () {
      const client = yield* makeClient({ retry: false })
      const notAllowed = yield* Effect.promise(() =>
        client.oidc.startSignIn({
          path: { provider: oidcProviderName },
          body: { redirectUri: "https://elsewhere.example.com/" }
        })
      )
      assert.strictEqual(notAllowed.error?._tag, "OidcRedirectUriNotAllowed")
      const unknown = yield* Effect.promise(() =>
        client.oidc.startSignIn({ path: { provider: "nope" }, body: { redirectUri: webApp } })
      )
      assert.strictEqual(unknown.error?._tag, "OidcProviderNotFound")
    })
  )
})
