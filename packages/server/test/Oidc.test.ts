import { randomBytes } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Option, Ref } from "effect"
import { SqlClient } from "effect/sql"
import { Totp } from "../src/Accounts/Totp.ts"
import { signUp, siteAdmin } from "./support/Actors.ts"
import { call, freshEmail, freshIp, type JsonResponse } from "./support/Http.ts"
import { rpcProtocols, withRpcClient } from "./support/RpcTestClient.ts"
import { expectSession } from "./support/SignIn.ts"
import { freshPhone, latestCode } from "./support/SmsOutbox.ts"
import {
  oidcClientId,
  oidcClientSecret,
  oidcProviderName,
  type ProviderAccount,
  TestOidcProvider
} from "./support/TestOidcProvider.ts"
import * as TestServer from "./support/TestServer.ts"

const webApp = "https://app.example.com/auth/done"
const nativeApp = "com.example.app:/oauth"

/** Moim on the port the provider's client names, configured with the provider and an unreachable one. */
const env = (issuer: string) =>
  TestServer.testEnv({
    TRUST_PROXY: "true",
    RATE_LIMIT_AUTH: "1000",
    OIDC_PROVIDERS: `${oidcProviderName},offline`,
    OIDC_ACME_ISSUER: issuer,
    OIDC_ACME_CLIENT_ID: oidcClientId,
    OIDC_ACME_CLIENT_SECRET: oidcClientSecret,
    OIDC_OFFLINE_ISSUER: "http://127.0.0.1:9/",
    OIDC_OFFLINE_CLIENT_ID: "nobody",
    OIDC_OFFLINE_CLIENT_SECRET: "nothing",
    OIDC_REDIRECT_URIS: `${webApp}, ${nativeApp}`
  })

const dataDirs: Array<string> = []

const TestLayer = Layer.unwrap(
  Effect.gen(function* () {
    const provider = yield* TestOidcProvider
    const settings = env(provider.issuer)
    dataDirs.push(settings.MOIM_DATA_DIR ?? "")
    return TestServer.layerAt(provider.moimPort, settings)
  })
).pipe(Layer.provideMerge(TestOidcProvider.layer))

const expectError = (response: JsonResponse, status: number, tag: string) => {
  assert.strictEqual(response.status, status, response.text)
  assert.strictEqual(response.body._tag, tag, response.text)
  assert.isString(response.body.message)
}

/** A person at the provider no other test uses. */
const person = (overrides: Partial<ProviderAccount> = {}) =>
  Effect.gen(function* () {
    const provider = yield* TestOidcProvider
    const account: ProviderAccount = {
      sub: `person-${randomBytes(6).toString("hex")}`,
      email: freshEmail("oidc"),
      emailVerified: true,
      name: "Olive Idris",
      ...overrides
    }
    provider.register(account)
    return account
  })

const start = (redirectUri = webApp, token?: string, provider = oidcProviderName) =>
  call(
    "POST",
    token === undefined ? `/api/v1/auth/oidc/${provider}/start` : `/api/v1/me/identities/${provider}/start`,
    {
      ip: freshIp(),
      token,
      body: { redirectUri }
    }
  )

/** The browser's trip: Moim's start, the provider, and Moim's callback; answers the callback's response. */
const throughProvider = (
  account: ProviderAccount,
  options: { readonly redirectUri?: string; readonly token?: string } = {}
) =>
  Effect.gen(function* () {
    const started = yield* start(options.redirectUri, options.token)
    assert.strictEqual(started.status, 200, started.text)
    const authorizationUrl = String(started.body.authorizationUrl)
    const provider = yield* TestOidcProvider
    const callbackUrl = yield* provider.signIn(authorizationUrl, account.sub)
    const callback = yield* Effect.promise(() => fetch(callbackUrl, { redirect: "manual" }))
    const text = yield* Effect.promise(() => callback.text())
    return { callbackUrl, status: callback.status, location: callback.headers.get("location"), text }
  })

/** The one-time code the app's redirect URI was called with. */
const appCode = (
  trip: { readonly status: number; readonly location: string | null; readonly text: string },
  redirectUri = webApp
) => {
  assert.strictEqual(trip.status, 302, trip.text)
  const location = new URL(trip.location ?? "")
  assert.isTrue(String(location).startsWith(redirectUri), String(location))
  assert.isNull(location.searchParams.get("error"), String(location))
  return location.searchParams.get("code") ?? assert.fail("no code in the redirect")
}

const exchange = (code: string, deviceName?: string) =>
  call("POST", "/api/v1/auth/oidc/exchange", {
    ip: freshIp(),
    body: { code, ...(deviceName === undefined ? {} : { deviceName }) }
  })

/** Signs `account` in (or up) over REST, and answers the exchange's response. */
const signInWith = (account: ProviderAccount) =>
  Effect.gen(function* () {
    const code = appCode(yield* throughProvider(account))
    return yield* exchange(code, "Browser")
  })

const userOf = (response: JsonResponse) => {
  assert.strictEqual(response.status, 200, response.text)
  return response.body.user as Record<string, unknown>
}

const identitiesOf = (token: string) =>
  Effect.map(call("GET", "/api/v1/me/identities", { token }), (response) => {
    assert.strictEqual(response.status, 200, response.text)
    return response.json as ReadonlyArray<Record<string, unknown>>
  })

/** Links `account` to the signed-in `token`'s account: start, provider, callback, `POST /me/identities`. */
const link = (token: string, account: ProviderAccount) =>
  Effect.gen(function* () {
    const code = appCode(yield* throughProvider(account, { token }))
    return yield* call("POST", "/api/v1/me/identities", { token, body: { code } })
  })

layer(TestLayer, { excludeTestServices: true, timeout: "90 seconds" })("OpenID Connect sign-in over REST", (it) => {
  it.effect("signs up with a verified email: the account has the email, verified, and the provider's name", () =>
    Effect.gen(function* () {
      const account = yield* person({ name: "  Olive   Idris " })
      const trip = yield* throughProvider(account)
      assert.include(trip.callbackUrl, `/api/v1/auth/oidc/${oidcProviderName}/callback?`)
      const signedUp = yield* exchange(appCode(trip), "Laptop")
      const user = userOf(signedUp)
      assert.strictEqual(user.email, account.email)
      assert.isString(user.emailVerifiedAt)
      assert.strictEqual(user.nickname, "Olive Idris")
      const token = String(signedUp.body.accessToken)
      assert.isString(signedUp.body.refreshToken)

      const identities = yield* identitiesOf(token)
      assert.strictEqual(identities.length, 1)
      assert.deepInclude(identities[0], { provider: oidcProviderName, email: account.email })
      assert.isString(identities[0]?.lastUsedAt)
      const sessions = yield* call("GET", "/api/v1/me/sessions", { token })
      assert.deepInclude((sessions.json as ReadonlyArray<Record<string, unknown>>)[0], { deviceName: "Laptop" })
    })
  )

  it.effect("takes the email from the user info endpoint when the ID token has none", () =>
    Effect.gen(function* () {
      const account = yield* person({ emailAtUserInfoOnly: true })
      const user = userOf(yield* signInWith(account))
      assert.strictEqual(user.email, account.email)
      assert.isString(user.emailVerifiedAt)
    })
  )

  it.effect("signs up without an email when the provider did not verify it, and never merges by it", () =>
    Effect.gen(function* () {
      const unverified = yield* person({ emailVerified: false, name: undefined })
      const user = userOf(yield* signInWith(unverified))
      assert.isNull(user.email)
      assert.isNull(user.emailVerifiedAt)
      // No name: the nickname comes from the email's local part.
      assert.strictEqual(user.nickname, unverified.email?.split("@")[0])

      // An unverified email that an account has is not a way into that account either.
      const owner = yield* signUp("Owner")
      const impostor = yield* person({ email: owner.email, emailVerified: false })
      const other = userOf(yield* signInWith(impostor))
      assert.notStrictEqual(other.id, owner.userId)
      assert.isNull(other.email)
      assert.deepStrictEqual(yield* identitiesOf(owner.token), [])
    })
  )

  it.effect("signs in to the same account with the same identity, from a native app too", () =>
    Effect.gen(function* () {
      const account = yield* person()
      const first = userOf(yield* signInWith(account))
      const trip = yield* throughProvider(account, { redirectUri: nativeApp })
      const again = yield* exchange(appCode(trip, nativeApp))
      assert.strictEqual(userOf(again).id, first.id)
      const refreshed = yield* call("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: String(again.body.refreshToken) }
      })
      assert.strictEqual(refreshed.status, 200, refreshed.text)
    })
  )

  it.effect("refuses a verified email that an account already has: OidcEmailTaken, nothing merged", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Registered")
      const account = yield* person({ email: owner.email })
      expectError(yield* signInWith(account), 409, "OidcEmailTaken")
      assert.deepStrictEqual(yield* identitiesOf(owner.token), [])
      // The owner links the provider from their account; then it signs them in.
      const linked = yield* link(owner.token, account)
      assert.strictEqual(linked.status, 201, linked.text)
      assert.strictEqual(userOf(yield* signInWith(account)).id, owner.userId)
    })
  )

  it.effect("links a provider to a signed-in account, lists it, and unlinks it", () =>
    Effect.gen(function* () {
      const user = yield* signUp("Linker")
      const account = yield* person({ email: freshEmail("work") })
      const linked = yield* link(user.token, account)
      assert.strictEqual(linked.status, 201, linked.text)
      assert.deepInclude(linked.body, { provider: oidcProviderName, email: account.email, lastUsedAt: null })
      const identities = yield* identitiesOf(user.token)
      assert.deepStrictEqual(
        identities.map((identity) => identity.id),
        [linked.body.id]
      )
      // The provider signs in to the linked account; its email is not the account's.
      const signedIn = userOf(yield* signInWith(account))
      assert.strictEqual(signedIn.id, user.userId)
      assert.strictEqual(signedIn.email, user.email)

      const unlinked = yield* call("DELETE", `/api/v1/me/identities/${String(linked.body.id)}`, { token: user.token })
      assert.strictEqual(unlinked.status, 204, unlinked.text)
      assert.deepStrictEqual(yield* identitiesOf(user.token), [])
      expectError(
        yield* call("DELETE", `/api/v1/me/identities/${String(linked.body.id)}`, { token: user.token }),
        404,
        "IdentityNotFound"
      )
      // Unlinked, the identity signs up a new account (its email is not taken: it is not the account's).
      assert.notStrictEqual(userOf(yield* signInWith(account)).id, user.userId)
    })
  )

  it.effect("refuses to link an identity another account has, and a link code spent by anyone else", () =>
    Effect.gen(function* () {
      const account = yield* person()
      userOf(yield* signInWith(account))
      const user = yield* signUp("Second")
      expectError(yield* link(user.token, account), 409, "OidcIdentityTaken")

      // A link's code finishes that link only: not a sign-in, not someone else's link.
      const fresh = yield* person()
      const code = appCode(yield* throughProvider(fresh, { token: user.token }))
      expectError(yield* exchange(code), 400, "OidcCodeInvalid")
      const code2 = appCode(yield* throughProvider(fresh, { token: user.token }))
      const stranger = yield* signUp("Stranger")
      expectError(
        yield* call("POST", "/api/v1/me/identities", { token: stranger.token, body: { code: code2 } }),
        400,
        "OidcCodeInvalid"
      )
      // A sign-in's code does not link.
      const signInCode = appCode(yield* throughProvider(fresh))
      expectError(
        yield* call("POST", "/api/v1/me/identities", { token: user.token, body: { code: signInCode } }),
        400,
        "OidcCodeInvalid"
      )
      assert.deepStrictEqual(yield* identitiesOf(user.token), [])
    })
  )

  it.effect("never unlinks the last way to sign in", () =>
    Effect.gen(function* () {
      const account = yield* person({ emailVerified: false })
      const signedUp = yield* signInWith(account)
      const token = String(signedUp.body.accessToken)
      const [only] = yield* identitiesOf(token)
      expectError(
        yield* call("DELETE", `/api/v1/me/identities/${String(only?.id)}`, { token }),
        409,
        "LastSignInMethod"
      )
      // With a second provider identity, either can go, but not both.
      const second = yield* person()
      assert.strictEqual((yield* link(token, second)).status, 201)
      const removed = yield* call("DELETE", `/api/v1/me/identities/${String(only?.id)}`, { token })
      assert.strictEqual(removed.status, 204, removed.text)
      const [last] = yield* identitiesOf(token)
      expectError(
        yield* call("DELETE", `/api/v1/me/identities/${String(last?.id)}`, { token }),
        409,
        "LastSignInMethod"
      )
    })
  )

  it.effect("refuses a replayed, unknown or expired state with OidcStateInvalid", () =>
    Effect.gen(function* () {
      const account = yield* person()
      const trip = yield* throughProvider(account)
      appCode(trip)
      const replayed = yield* call("GET", trip.callbackUrl.replace(/^http:\/\/[^/]+/, ""))
      expectError(replayed, 400, "OidcStateInvalid")

      expectError(
        yield* call("GET", `/api/v1/auth/oidc/${oidcProviderName}/callback?code=abc&state=made-up`),
        400,
        "OidcStateInvalid"
      )
      expectError(yield* call("GET", `/api/v1/auth/oidc/${oidcProviderName}/callback`), 400, "OidcStateInvalid")

      const started = yield* start()
      const provider = yield* TestOidcProvider
      const callbackUrl = yield* provider.signIn(String(started.body.authorizationUrl), account.sub)
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE oidc_states SET expires_at = now() - interval '1 second'
                 WHERE expires_at > now() + interval '9 minutes'`.pipe(Effect.orDie)
      expectError(yield* call("GET", callbackUrl.replace(/^http:\/\/[^/]+/, "")), 400, "OidcStateInvalid")
    })
  )

  it.effect("spends a one-time code once, and not after 60 seconds", () =>
    Effect.gen(function* () {
      const account = yield* person()
      const code = appCode(yield* throughProvider(account))
      userOf(yield* exchange(code))
      expectError(yield* exchange(code), 400, "OidcCodeInvalid")
      expectError(yield* exchange("never-issued"), 400, "OidcCodeInvalid")

      const late = appCode(yield* throughProvider(account))
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE oidc_codes SET expires_at = now() - interval '1 second'`.pipe(Effect.orDie)
      expectError(yield* exchange(late), 400, "OidcCodeInvalid")
    })
  )

  it.effect("refuses a redirect URI that is not allowed, an unknown provider and an unreachable one", () =>
    Effect.gen(function* () {
      expectError(yield* start("https://evil.example.com/steal"), 400, "OidcRedirectUriNotAllowed")
      expectError(yield* start(`${webApp}/more`), 400, "OidcRedirectUriNotAllowed")
      expectError(yield* start(webApp, undefined, "nope"), 404, "OidcProviderNotFound")
      expectError(yield* start(webApp, undefined, "offline"), 503, "OidcProviderUnavailable")
      // The redirect URI is checked before the provider is asked anything; an unknown provider is 404 first.
      expectError(
        yield* start("https://evil.example.com/steal", undefined, "offline"),
        400,
        "OidcRedirectUriNotAllowed"
      )
      expectError(yield* start("https://evil.example.com/steal", undefined, "nope"), 404, "OidcProviderNotFound")
      const user = yield* signUp("Linker")
      expectError(yield* start("https://evil.example.com/steal", user.token), 400, "OidcRedirectUriNotAllowed")
    })
  )

  it.effect("refuses an ID token with a forged signature, for another audience, another nonce or expired", () =>
    Effect.gen(function* () {
      const reasons = { forge: "signature", audience: '"aud"', nonce: '"nonce"', expired: '"exp"' } as const
      for (const tamper of ["forge", "audience", "nonce", "expired"] as const) {
        const account = yield* person({ tamper })
        const trip = yield* throughProvider(account)
        assert.strictEqual(trip.status, 302, trip.text)
        const location = new URL(trip.location ?? "")
        assert.isTrue(location.href.startsWith(webApp))
        assert.strictEqual(location.searchParams.get("error"), "OidcTokenRejected", location.href)
        // Refused for what was wrong: the signature, or a claim of a validly signed token.
        assert.include(location.searchParams.get("error_description") ?? "", reasons[tamper], location.href)
        assert.isNull(location.searchParams.get("code"))
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql`SELECT 1 FROM oidc_identities WHERE subject = ${account.sub}`.pipe(Effect.orDie)
        assert.strictEqual(rows.length, 0)
      }
    })
  )

  it.effect("sends the app the provider's refusal when the person cancels at the provider", () =>
    Effect.gen(function* () {
      const started = yield* start()
      const authorizationUrl = new URL(String(started.body.authorizationUrl))
      const state = authorizationUrl.searchParams.get("state") ?? ""
      const provider = yield* TestOidcProvider
      const query = new URLSearchParams({ error: "access_denied", state, iss: provider.issuer })
      const callback = yield* call("GET", `/api/v1/auth/oidc/${oidcProviderName}/callback?${query}`)
      assert.strictEqual(callback.status, 302, callback.text)
      const location = new URL(callback.headers.get("location") ?? "")
      assert.strictEqual(location.searchParams.get("error"), "OidcProviderError", location.href)
      assert.include(location.searchParams.get("error_description") ?? "", "access_denied")
      // The state is spent: the sign-in cannot be finished afterwards.
      expectError(
        yield* call("GET", `/api/v1/auth/oidc/${oidcProviderName}/callback?${query}`),
        400,
        "OidcStateInvalid"
      )
    })
  )

  it.effect("asks for the second factor of an account that has it on, and refuses a suspended account", () =>
    Effect.gen(function* () {
      const account = yield* person()
      const token = String((yield* signInWith(account)).body.accessToken)
      const startedTotp = yield* call("POST", "/api/v1/me/two-factor", { token })
      const secret = Totp.fromBase32(String(startedTotp.body.secret))
      const confirmed = yield* call("POST", "/api/v1/me/two-factor/confirm", {
        token,
        body: { code: Totp.code(secret, Totp.stepAt(Date.now())) }
      })
      assert.strictEqual(confirmed.status, 200, confirmed.text)
      const challenged = yield* signInWith(account)
      assert.strictEqual(challenged.status, 200, challenged.text)
      assert.strictEqual(challenged.body._tag, "SecondFactorRequired")
      const recovery = (confirmed.body.codes as ReadonlyArray<string>)[0] ?? ""
      const completed = yield* call("POST", "/api/v1/auth/login/second-factor", {
        ip: freshIp(),
        body: { challenge: String(challenged.body.challenge), code: recovery }
      })
      assert.strictEqual(completed.status, 200, completed.text)

      const suspended = yield* person()
      const suspendedId = String(userOf(yield* signInWith(suspended)).id)
      const admin = yield* siteAdmin
      const done = yield* call("POST", `/api/v1/admin/users/${suspendedId}/suspend`, { token: admin.token, body: {} })
      assert.strictEqual(done.status, 200, done.text)
      expectError(yield* signInWith(suspended), 403, "AccountSuspended")
    })
  )

  it.effect("forgets linked identities when the account is deleted", () =>
    Effect.gen(function* () {
      const account = yield* person()
      const signedUp = yield* signInWith(account)
      const first = userOf(signedUp)
      const deleted = yield* call("DELETE", "/api/v1/me", { token: String(signedUp.body.accessToken) })
      assert.strictEqual(deleted.status, 204, deleted.text)
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql`SELECT 1 FROM oidc_identities WHERE user_id = ${String(first.id)}`.pipe(Effect.orDie)
      assert.strictEqual(rows.length, 0)
      // The same provider account signs up afresh.
      assert.notStrictEqual(userOf(yield* signInWith(account)).id, first.id)
    })
  )

  it.effect("lets an account that signs in with a provider remove its phone number", () =>
    Effect.gen(function* () {
      const token = String((yield* signInWith(yield* person({ emailVerified: false }))).body.accessToken)
      const phoneNumber = freshPhone()
      const added = yield* call("POST", "/api/v1/me/phone-number", { token, body: { phoneNumber } })
      assert.strictEqual(added.status, 202, added.text)
      const code = yield* latestCode(dataDirs.at(-1) ?? "", phoneNumber)
      const verified = yield* call("POST", "/api/v1/me/phone-number/verify", { token, body: { code } })
      assert.strictEqual(verified.status, 200, verified.text)
      // The provider still signs in: the number may go.
      const removed = yield* call("DELETE", "/api/v1/me/phone-number", { token })
      assert.strictEqual(removed.status, 204, removed.text)
    })
  )
})

layer(TestLayer, { excludeTestServices: true, timeout: "90 seconds" })("OpenID Connect sign-in over RPC", (it) => {
  for (const protocol of rpcProtocols) {
    it.effect(`starts, exchanges, links, lists and unlinks over ${protocol}`, () =>
      Effect.gen(function* () {
        const token = yield* Ref.make(Option.none<string>())
        const provider = yield* TestOidcProvider
        return yield* withRpcClient(protocol, Ref.get(token), (client) =>
          Effect.gen(function* () {
            const account = yield* person()
            const started = yield* client.StartOidcSignIn({ provider: oidcProviderName, redirectUri: nativeApp })
            const callbackUrl = yield* provider.signIn(started.authorizationUrl, account.sub)
            const callback = yield* Effect.promise(() => fetch(callbackUrl, { redirect: "manual" }))
            const code = appCode(
              { status: callback.status, location: callback.headers.get("location"), text: "" },
              nativeApp
            )
            const session = expectSession(yield* client.ExchangeOidcCode({ code, deviceName: "Phone" }))
            assert.strictEqual(session.user.email, account.email)
            yield* Ref.set(token, Option.some(session.accessToken))
            const replay = yield* Effect.flip(client.ExchangeOidcCode({ code }))
            assert.strictEqual(replay._tag, "OidcCodeInvalid")

            const second = yield* person()
            const linkStart = yield* client.StartOidcLink({ provider: oidcProviderName, redirectUri: nativeApp })
            const linkCallback = yield* Effect.promise(async () =>
              fetch(await Effect.runPromise(provider.signIn(linkStart.authorizationUrl, second.sub)), {
                redirect: "manual"
              })
            )
            const linkCode = appCode(
              { status: linkCallback.status, location: linkCallback.headers.get("location"), text: "" },
              nativeApp
            )
            const linked = yield* client.LinkIdentity({ code: linkCode })
            assert.strictEqual(linked.provider, oidcProviderName)
            const listed = yield* client.ListIdentities()
            assert.strictEqual(listed.length, 2)
            yield* client.UnlinkIdentity({ id: linked.id })
            const [last] = yield* client.ListIdentities()
            const refused = yield* Effect.flip(client.UnlinkIdentity({ id: last?.id ?? linked.id }))
            assert.strictEqual(refused._tag, "LastSignInMethod")
            const unknown = yield* Effect.flip(client.StartOidcSignIn({ provider: "nope", redirectUri: nativeApp }))
            assert.strictEqual(unknown._tag, "OidcProviderNotFound")
          })
        )
      })
    )
  }
})
