import { createHash, createHmac, timingSafeEqual } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Layer } from "effect"

interface S3rverInstance {
  run(): Promise<AddressInfo>
  close(): Promise<void>
}
type S3rverConstructor = new (options: {
  readonly address: string
  readonly port: number
  readonly silent: boolean
  readonly directory: string
  readonly configureBuckets: ReadonlyArray<{ readonly name: string }>
}) => S3rverInstance

// s3rver ships no type declarations; this is the part of its API the tests use.
const isS3rver = (module: unknown): module is S3rverConstructor => typeof module === "function"

const bucket = "moim-media-test"
const accessKeyId = "S3RVER"
const secretAccessKey = "S3RVER"

const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest()

// RFC 3986 unreserved characters stay; everything else is percent-encoded, as SigV4 canonicalises.
const encode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)

/**
 * Why a presigned (query-string SigV4) request would be refused by S3, or undefined when S3 would
 * take it: the signature recomputed from the request as it arrived (its method, path, query and
 * the headers it says it signed, `Content-Length` and `Content-Type` among them), and the expiry.
 */
const presignRefusal = (req: IncomingMessage): string | undefined => {
  const url = new URL(req.url ?? "/", "http://s3.test")
  const params = url.searchParams
  const signature = params.get("X-Amz-Signature")
  const credential = params.get("X-Amz-Credential")
  const amzDate = params.get("X-Amz-Date")
  const signedHeaders = params.get("X-Amz-SignedHeaders")
  const expires = Number(params.get("X-Amz-Expires"))
  if (signature === null || credential === null || amzDate === null || signedHeaders === null) {
    return "AuthorizationQueryParametersError"
  }
  const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"))
  if (!(signedAt + expires * 1000 > Date.now())) return "AccessDenied: Request has expired"
  const canonicalQuery = [...params.entries()]
    .filter(([key]) => key !== "X-Amz-Signature")
    .map(([key, value]) => [encode(key), encode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("&")
  const headerLines = signedHeaders
    .split(";")
    .map((name) => {
      const value = req.headers[name]
      const text = Array.isArray(value) ? value.join(",") : (value ?? "")
      return `${name}:${text.trim().replace(/\s+/g, " ")}\n`
    })
    .join("")
  const canonicalRequest = [
    req.method ?? "GET",
    url.pathname,
    canonicalQuery,
    headerLines,
    signedHeaders,
    params.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD"
  ].join("\n")
  const [, date = "", region = "", service = "", terminator = ""] = credential.split("/")
  const scope = `${date}/${region}/${service}/${terminator}`
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex")
  ].join("\n")
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), terminator)
  const expected = hmac(signingKey, stringToSign)
  const given = Buffer.from(signature, "hex")
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : "SignatureDoesNotMatch"
}

const refuse = (req: IncomingMessage, res: ServerResponse, code: string) => {
  // Read the body first, as S3 does, so the client gets the answer rather than a reset connection.
  req.resume()
  req.once("end", () => {
    res.writeHead(403, { "content-type": "application/xml" })
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`)
  })
}

/**
 * An S3 for the tests: s3rver, behind a proxy that checks presigned URLs' SigV4 signatures as S3
 * does. s3rver stores and serves objects faithfully but does not check V4 signatures at all, so
 * without the proxy an upload of another size or type than signed would be accepted, which S3 refuses.
 * `env` is what a Moim server needs to use it.
 */
export class S3Server extends Context.Service<
  S3Server,
  { readonly endpoint: string; readonly bucket: string; readonly env: Readonly<Record<string, string>> }
>()("test/support/S3Server") {
  static readonly layer = Layer.effect(
    S3Server,
    Effect.gen(function* () {
      const loaded: unknown = createRequire(import.meta.url)("s3rver")
      if (!isS3rver(loaded)) return yield* Effect.die(new Error("s3rver did not export its server class"))
      const directory = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "moim-s3rver-"))),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
      )
      const s3rver = new loaded({
        address: "127.0.0.1",
        port: 0,
        silent: true,
        directory,
        configureBuckets: [{ name: bucket }]
      })
      const upstream = yield* Effect.acquireRelease(
        Effect.promise(() => s3rver.run()),
        () => Effect.promise(() => s3rver.close())
      )

      const proxy = createServer((req, res) => {
        const presigned = new URL(req.url ?? "/", "http://s3.test").searchParams.has("X-Amz-Signature")
        const refusal = presigned ? presignRefusal(req) : undefined
        if (refusal !== undefined) return refuse(req, res, refusal)
        const forwarded = request(
          {
            host: "127.0.0.1",
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
          }
        )
        forwarded.on("error", () => res.destroy())
        req.pipe(forwarded)
      })
      const port = yield* Effect.acquireRelease(
        Effect.callback<number>((resume) => {
          proxy.listen(0, "127.0.0.1", () => {
            const address = proxy.address()
            resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
          })
        }),
        () =>
          Effect.callback<void>((resume) => {
            proxy.closeAllConnections()
            proxy.close(() => resume(Effect.void))
          })
      )
      const endpoint = `http://127.0.0.1:${port}`
      return S3Server.of({
        endpoint,
        bucket,
        env: {
          S3_BUCKET: bucket,
          S3_REGION: "us-east-1",
          S3_ENDPOINT: endpoint,
          S3_FORCE_PATH_STYLE: "true",
          S3_ACCESS_KEY_ID: accessKeyId,
          S3_SECRET_ACCESS_KEY: secretAccessKey
        }
      })
    })
  )
}
