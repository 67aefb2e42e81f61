import { generateKeyPairSync, type KeyObject, sign } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { buffer } from "node:stream/consumers"
import { Context, Effect, Layer } from "effect"
import { Provider } from "oidc-provider"
import { freePort } from "./FreePort.ts"
import { listenOnLoopback } from "./LoopbackServer.ts"

/**
 * A person at the provider. `tamper` has the provider's token endpoint hand Moim a bad ID token for
 * them: `forge` re-signs it with a key that is not the provider's (same `kid`); the others re-sign
 * it with the provider's own key after changing one claim: `audience` (for another client), `nonce`
 * (of another sign-in), `expired` (an hour ago).
 */
export interface ProviderAccount {
  readonly sub: string
  readonly email?: string
  readonly emailVerified?: boolean
  readonly name?: string | undefined
  readonly tamper?: "forge" | "audience" | "nonce" | "expired"
  /**
   * The provider keeps the email out of the ID token (re-signed without `email` and
   * `email_verified`, with its own key) and gives it at its user info endpoint only, as some do.
   */
  readonly emailAtUserInfoOnly?: boolean
}

export const oidcClientId = "moim-test-client"
export const oidcClientSecret = "moim-test-client-secret-0123456789"
/** The provider names Moim is configured with in the tests. */
export const oidcProviderName = "acme"

const base64url = (value: Buffer | string) => Buffer.from(value).toString("base64url")

const signJwt = (header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject) => {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`
  return `${signingInput}.${base64url(sign("sha256", Buffer.from(signingInput), key))}`
}

const decodePart = (part: string | undefined): Record<string, unknown> => {
  const parsed: unknown = JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8"))
  return typeof parsed === "object" && parsed !== null ? Object.fromEntries(Object.entries(parsed)) : {}
}

/** A cookie jar of one browser: every cookie the provider set, sent back on every request. */
const makeBrowser = () => {
  const cookies = new Map<string, string>()
  return async (url: string) => {
    const response = await fetch(url, {
      redirect: "manual",
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") }
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";")
      const at = pair?.indexOf("=") ?? -1
      if (pair !== undefined && at > 0) cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
    await response.arrayBuffer()
    return { status: response.status, location: response.headers.get("location") }
  }
}

/**
 * A real OpenID provider (`oidc-provider`) on a loopback port for a test file, with one confidential
 * client for Moim at `moimPort` (chosen here, so the client's redirect URIs can name it). A person
 * "signs in" by the test following the authorization URL as a browser would, with a `login_hint`
 * naming the account; consent is given at once. Its token endpoint is reached through a small proxy
 * in front of the provider that tampers with the ID token of the accounts that ask for it.
 */
export class TestOidcProvider extends Context.Service<
  TestOidcProvider,
  {
    readonly issuer: string
    /** The port Moim's test server must listen on. */
    readonly moimPort: number
    readonly register: (account: ProviderAccount) => void
    /**
     * Follows Moim's authorization URL as `sub`'s browser: signs in, consents, and answers the URL
     * the provider sent the browser back to (Moim's callback, with `code` and `state`).
     */
    readonly signIn: (authorizationUrl: string, sub: string) => Effect.Effect<string>
  }
>()("test/support/TestOidcProvider") {
  static readonly layer = Layer.effect(
    TestOidcProvider,
    Effect.gen(function* () {
      const moimPort = yield* Effect.promise(freePort)
      const accounts = new Map<string, ProviderAccount>()
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
      const forgeryKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey
      const kid = "test-signing-key"

      const handlers: {
        outer?: (request: IncomingMessage, response: ServerResponse) => void
        inner?: (request: IncomingMessage, response: ServerResponse) => void
      } = {}
      const outerServer = createServer((request, response) => handlers.outer?.(request, response))
      const innerServer = createServer((request, response) => handlers.inner?.(request, response))
      const port = yield* listenOnLoopback(outerServer)
      const innerPort = yield* listenOnLoopback(innerServer)
      const issuer = `http://127.0.0.1:${port}`

      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: oidcClientId,
            client_secret: oidcClientSecret,
            redirect_uris: [`http://127.0.0.1:${moimPort}/api/v1/auth/oidc/${oidcProviderName}/callback`],
            grant_types: ["authorization_code"],
            response_types: ["code"]
          }
        ],
        jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }] },
        findAccount: async (_context, sub) => {
          const account = accounts.get(sub)
          if (account === undefined) return undefined
          return {
            accountId: sub,
            claims: () => ({
              sub,
              ...(account.email === undefined
                ? {}
                : { email: account.email, email_verified: account.emailVerified ?? false }),
              ...(account.name === undefined ? {} : { name: account.name })
            })
          }
        },
        claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "preferred_username"] },
        // The claims of the scopes go into the ID token, as most providers do.
        conformIdTokenClaims: false,
        features: { devInteractions: { enabled: false } },
        cookies: { keys: ["test-cookie-key-0123456789"] },
        ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 }
      })
      const providerCallback = provider.callback()

      /** Logs in the `login_hint` account and grants what the client asked for, without a page. */
      const interact = async (request: IncomingMessage, response: ServerResponse) => {
        const details = await provider.interactionDetails(request, response)
        const accountId = String(details.params.login_hint ?? "")
        const grant = new provider.Grant({ accountId, clientId: oidcClientId })
        grant.addOIDCScope(String(details.params.scope ?? "openid"))
        const grantId = await grant.save()
        await provider.interactionFinished(request, response, { login: { accountId }, consent: { grantId } })
      }

      /** The token endpoint, through the provider on the inner port, with the ID token tampered with when asked. */
      const token = async (request: IncomingMessage, response: ServerResponse) => {
        const body = await buffer(request)
        const answer = await fetch(`http://127.0.0.1:${innerPort}${request.url ?? "/"}`, {
          method: "POST",
          headers: {
            "content-type": request.headers["content-type"] ?? "application/x-www-form-urlencoded",
            ...(request.headers.authorization === undefined ? {} : { authorization: request.headers.authorization })
          },
          body
        })
        const text = await answer.text()
        let out = text
        const json: unknown = answer.ok ? JSON.parse(text) : null
        if (typeof json === "object" && json !== null && "id_token" in json && typeof json.id_token === "string") {
          const [header, payload] = json.id_token.split(".")
          const claims = decodePart(payload)
          const account = accounts.get(String(claims.sub))
          const tamper = account?.tamper
          if (account?.emailAtUserInfoOnly === true) {
            const { email: _email, email_verified: _verified, ...rest } = claims
            out = JSON.stringify({ ...json, id_token: signJwt(decodePart(header), rest, privateKey) })
          } else if (tamper === "forge") {
            out = JSON.stringify({ ...json, id_token: signJwt(decodePart(header), claims, forgeryKey) })
          } else if (tamper !== undefined) {
            const now = Math.floor(Date.now() / 1000)
            const changed =
              tamper === "audience"
                ? { aud: "another-client" }
                : tamper === "nonce"
                  ? { nonce: "a-nonce-of-another-sign-in" }
                  : { iat: now - 7200, exp: now - 3600 }
            out = JSON.stringify({
              ...json,
              id_token: signJwt(decodePart(header), { ...claims, ...changed }, privateKey)
            })
          }
        }
        response.writeHead(answer.status, {
          "content-type": answer.headers.get("content-type") ?? "application/json",
          "cache-control": "no-store"
        })
        response.end(out)
      }

      const fail = (response: ServerResponse) => (error: unknown) => {
        response.writeHead(500, { "content-type": "text/plain" })
        response.end(String(error))
      }
      handlers.inner = providerCallback
      handlers.outer = (request, response) => {
        const path = (request.url ?? "/").split("?")[0] ?? "/"
        if (path.startsWith("/interaction/")) return void interact(request, response).catch(fail(response))
        if (path === "/token" && request.method === "POST") return void token(request, response).catch(fail(response))
        providerCallback(request, response)
      }

      return TestOidcProvider.of({
        issuer,
        moimPort,
        register: (account) => {
          accounts.set(account.sub, account)
        },
        signIn: (authorizationUrl, sub) =>
          Effect.promise(async () => {
            const browser = makeBrowser()
            const start = new URL(authorizationUrl)
            start.searchParams.set("login_hint", sub)
            let next = start.href
            for (let hop = 0; hop < 8; hop++) {
              const { status, location } = await browser(next)
              if (location === null) throw new Error(`the provider answered ${status} without a redirect at ${next}`)
              const target = new URL(location, next)
              if (target.origin !== issuer) return target.href
              next = target.href
            }
            throw new Error("the provider kept redirecting")
          })
      })
    })
  )
}
