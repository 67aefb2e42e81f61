import { randomBytes } from "node:crypto"
import { createServer, type IncomingHttpHeaders } from "node:http"
import { createSecureServer, type IncomingHttpHeaders as Http2Headers, type ServerHttp2Session } from "node:http2"
import { Context, Effect, Layer } from "effect"
import {
  type ApnsKey,
  apnsKey,
  type ServiceAccount,
  serviceAccount,
  verifyJwt
} from "../../../server/test/support/MobilePushCredentials.ts"
import { selfSignedCertificate } from "../../../server/test/support/SelfSignedCertificate.ts"

/**
 * FCM and APNs for tests, on 127.0.0.1 and random ports, each speaking its protocol: Google's token
 * endpoint and FCM's HTTP v1 send over HTTP/1.1, APNs over HTTP/2 with TLS (a certificate made in
 * the test, which the server trusts through `APNS_CA`). Each checks the server's authentication as
 * the real one does (the service account's signed assertion, then its access token; the team key's
 * provider token), records every request, and answers each device token with the statuses a test
 * scripts (success once the script is used up). `env` is what points a Moim server at them.
 */

/** An answer a test scripts: a status and the body the real service sends with it. */
export interface Scripted {
  readonly status: number
  readonly body: unknown
}

export interface FcmRequest {
  readonly headers: IncomingHttpHeaders
  readonly body: unknown
  /** The registration token the message was addressed to. */
  readonly token: string
  /** What FCM answered. */
  readonly status: number
}

export interface TokenRequest {
  readonly form: URLSearchParams
  readonly status: number
}

export interface ApnsRequest {
  readonly headers: Http2Headers
  readonly body: unknown
  /** The device token of the path. */
  readonly token: string
  readonly status: number
}

/** FCM's answers to a token it no longer (or never) knew, as FCM HTTP v1 sends them. */
export const fcmUnregistered: Scripted = {
  status: 404,
  body: {
    error: {
      code: 404,
      message: "Requested entity was not found.",
      status: "NOT_FOUND",
      details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "UNREGISTERED" }]
    }
  }
}
export const fcmInvalidToken: Scripted = {
  status: 400,
  body: {
    error: {
      code: 400,
      message: "The registration token is not a valid FCM registration token",
      status: "INVALID_ARGUMENT",
      details: [
        { "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "INVALID_ARGUMENT" },
        {
          "@type": "type.googleapis.com/google.rpc.BadRequest",
          fieldViolations: [{ field: "message.token", description: "Invalid registration token" }]
        }
      ]
    }
  }
}
export const fcmUnavailable: Scripted = {
  status: 503,
  body: { error: { code: 503, message: "The service is currently unavailable.", status: "UNAVAILABLE" } }
}

const readBody = (request: NodeJS.ReadableStream) =>
  new Promise<string>((resolve) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
  })

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The registration token a send's JSON body is addressed to (`message.token`). */
const tokenOf = (body: unknown): string =>
  typeof body === "object" &&
  body !== null &&
  "message" in body &&
  typeof body.message === "object" &&
  body.message !== null &&
  "token" in body.message &&
  typeof body.message.token === "string"
    ? body.message.token
    : ""

const listen = (server: { listen: (port: number, host: string, done: () => void) => void; address: () => unknown }) =>
  Effect.callback<number>((resume) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resume(
        Effect.succeed(
          typeof address === "object" && address !== null && "port" in address && typeof address.port === "number"
            ? address.port
            : 0
        )
      )
    })
  })

export class MobilePushServices extends Context.Service<
  MobilePushServices,
  {
    /** The settings that point a Moim server at these services, with their credentials. */
    readonly env: Record<string, string>
    readonly account: ServiceAccount
    readonly key: ApnsKey
    /** The token endpoint's URL, the assertion's audience. */
    readonly tokenUri: string
    /** A fresh FCM registration token, or APNs device token (hex). */
    readonly fcmToken: () => string
    readonly apnsToken: () => string
    /** What a token answers next, in order. */
    readonly script: (token: string, answers: ReadonlyArray<Scripted>) => void
    readonly tokenRequests: () => ReadonlyArray<TokenRequest>
    /** The access tokens the token endpoint issued. */
    readonly issued: () => ReadonlyArray<string>
    readonly fcmRequests: (token: string) => ReadonlyArray<FcmRequest>
    readonly apnsRequests: (token: string) => ReadonlyArray<ApnsRequest>
  }
>()("@moim/worker/test/MobilePushServices") {
  static readonly layer = Layer.effect(
    MobilePushServices,
    Effect.gen(function* () {
      const account = serviceAccount()
      const key = apnsKey()
      const certificate = selfSignedCertificate()
      const scripts = new Map<string, Array<Scripted>>()
      const next = (token: string): Scripted | undefined => scripts.get(token)?.shift()
      const tokenRequests: Array<TokenRequest> = []
      const issued: Array<string> = []
      const fcm: Array<FcmRequest> = []
      const apns: Array<ApnsRequest> = []
      let tokenUri = ""

      const google = createServer((request, response) => {
        void readBody(request).then((text) => {
          const answer = (status: number, body: unknown) =>
            response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
          if (request.method === "POST" && request.url === "/token") {
            const form = new URLSearchParams(text)
            try {
              const { claims } = verifyJwt(form.get("assertion") ?? "", "RS256", account.publicKey)
              const now = Date.now() / 1000
              const valid =
                form.get("grant_type") === "urn:ietf:params:oauth:grant-type:jwt-bearer" &&
                claims.iss === account.clientEmail &&
                claims.aud === tokenUri &&
                claims.scope === "https://www.googleapis.com/auth/firebase.messaging" &&
                typeof claims.iat === "number" &&
                typeof claims.exp === "number" &&
                Math.abs(claims.iat - now) < 300 &&
                claims.exp > now &&
                claims.exp - claims.iat <= 3600
              if (!valid) throw new Error("the assertion's claims are not a service account's")
              const accessToken = `ya29.${randomBytes(24).toString("base64url")}`
              issued.push(accessToken)
              tokenRequests.push({ form, status: 200 })
              return answer(200, { access_token: accessToken, expires_in: 3599, token_type: "Bearer" })
            } catch (cause) {
              tokenRequests.push({ form, status: 400 })
              return answer(400, { error: "invalid_grant", error_description: String(cause) })
            }
          }
          const sent = /^\/v1\/projects\/([^/]+)\/messages:send$/u.exec(request.url ?? "")
          if (request.method === "POST" && sent !== null) {
            const body = parse(text)
            const token = tokenOf(body)
            const bearer = /^Bearer (.+)$/u.exec(request.headers.authorization ?? "")?.[1]
            const scripted =
              sent[1] !== account.projectId
                ? { status: 403, body: { error: { code: 403, status: "PERMISSION_DENIED" } } }
                : bearer === undefined || !issued.includes(bearer)
                  ? { status: 401, body: { error: { code: 401, status: "UNAUTHENTICATED" } } }
                  : (next(token) ?? {
                      status: 200,
                      body: { name: `projects/${account.projectId}/messages/${randomBytes(8).toString("hex")}` }
                    })
            fcm.push({ headers: request.headers, body, token, status: scripted.status })
            return answer(scripted.status, scripted.body)
          }
          return answer(404, { error: { code: 404, status: "NOT_FOUND" } })
        })
      })

      const apple = createSecureServer({ key: certificate.key, cert: certificate.cert })
      const sessions = new Set<ServerHttp2Session>()
      apple.on("session", (session) => {
        sessions.add(session)
        session.on("close", () => sessions.delete(session))
      })
      apple.on("stream", (stream, headers) => {
        void readBody(stream).then((text) => {
          const token = /^\/3\/device\/([0-9a-fA-F]+)$/u.exec(String(headers[":path"] ?? ""))?.[1] ?? ""
          let scripted: Scripted
          try {
            const jwt = /^bearer (.+)$/u.exec(String(headers.authorization ?? ""))?.[1] ?? ""
            const { header, claims } = verifyJwt(jwt, "ES256", key.publicKey)
            const now = Date.now() / 1000
            if (header.kid !== key.keyId || claims.iss !== key.teamId) throw new Error("not this team's key")
            if (typeof claims.iat !== "number" || now - claims.iat > 3600 || claims.iat - now > 60) {
              throw new Error("expired")
            }
            scripted =
              headers[":method"] !== "POST"
                ? { status: 405, body: { reason: "MethodNotAllowed" } }
                : (next(token) ?? { status: 200, body: "" })
          } catch {
            scripted = { status: 403, body: { reason: "InvalidProviderToken" } }
          }
          apns.push({ headers, body: parse(text), token, status: scripted.status })
          stream.respond({
            ":status": scripted.status,
            "apns-id": "8e8c7f0a-0000-4000-8000-000000000000",
            ...(scripted.body === "" ? {} : { "content-type": "application/json" })
          })
          stream.end(scripted.body === "" ? undefined : JSON.stringify(scripted.body))
        })
      })

      const googlePort = yield* Effect.acquireRelease(listen(google), () =>
        Effect.callback<void>((resume) => {
          google.closeAllConnections()
          google.close(() => resume(Effect.void))
        })
      )
      const applePort = yield* Effect.acquireRelease(listen(apple), () =>
        Effect.callback<void>((resume) => {
          for (const session of sessions) session.destroy()
          apple.close(() => resume(Effect.void))
        })
      )
      tokenUri = `http://127.0.0.1:${googlePort}/token`
      return MobilePushServices.of({
        env: {
          FCM_SERVICE_ACCOUNT: account.json,
          FCM_API_URL: `http://127.0.0.1:${googlePort}`,
          FCM_TOKEN_URI: tokenUri,
          APNS_KEY: key.pem,
          APNS_KEY_ID: key.keyId,
          APNS_TEAM_ID: key.teamId,
          APNS_HOST: `127.0.0.1:${applePort}`,
          APNS_CA: certificate.cert
        },
        account,
        key,
        tokenUri,
        fcmToken: () => `${randomBytes(11).toString("base64url")}:APA91b${randomBytes(100).toString("base64url")}`,
        apnsToken: () => randomBytes(32).toString("hex"),
        script: (token, answers) => {
          scripts.set(token, [...answers])
        },
        tokenRequests: () => [...tokenRequests],
        issued: () => [...issued],
        fcmRequests: (token) => fcm.filter((request) => request.token === token),
        apnsRequests: (token) => apns.filter((request) => request.token === token)
      })
    })
  )
}
