import { createDecipheriv, createECDH, createPublicKey, type ECDH, hkdfSync, randomBytes, verify } from "node:crypto"
import { createServer, type IncomingHttpHeaders } from "node:http"
import { Context, Effect, Layer } from "effect"

/**
 * A push service for tests, on 127.0.0.1 and a random port, standing in for FCM or Mozilla's: it
 * records every push it is sent and answers each endpoint with the statuses a test scripts (201
 * once the script is used up). Its devices decrypt what they receive as a browser does (RFC 8291:
 * ECDH on P-256, HKDF, `aes128gcm` of RFC 8188), and `verifyVapid` checks the server's signature
 * as the push service would (RFC 8292), so a test that reads a payload proves a browser could.
 */

/** One request the push service received. */
export interface ReceivedPush {
  readonly endpoint: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
  /** What the push service answered. */
  readonly status: number
}

/** A browser's subscription: what it registers with the server, and its private key to read pushes. */
export interface TestDevice {
  readonly endpoint: string
  readonly keys: { readonly p256dh: string; readonly auth: string }
  /** The plain text of an `aes128gcm` push body, decrypted with this device's keys. */
  readonly decrypt: (body: Buffer) => string
}

const utf8 = (text: string) => Buffer.from(text, "utf8")

const hkdf = (ikm: Buffer, salt: Buffer, info: Buffer, length: number) =>
  Buffer.from(hkdfSync("sha256", ikm, salt, info, length))

/**
 * RFC 8188: the nonce of record `sequence` is the base nonce XOR the sequence number (96-bit,
 * big-endian); a push has far fewer than 2^32 records, so only the last four bytes change.
 */
const recordNonce = (nonce: Buffer, sequence: number) => {
  const result = Buffer.from(nonce)
  result.writeUInt32BE((result.readUInt32BE(8) ^ sequence) >>> 0, 8)
  return result
}

/** Decrypts an `aes128gcm` body (RFC 8188) sent to the device with `ecdh` and `authSecret` (RFC 8291). */
export const decryptPush = (body: Buffer, ecdh: ECDH, authSecret: Buffer): string => {
  const salt = body.subarray(0, 16)
  const recordSize = body.readUInt32BE(16)
  const keyIdLength = body.readUInt8(20)
  const serverPublicKey = body.subarray(21, 21 + keyIdLength)
  const records = body.subarray(21 + keyIdLength)
  if (keyIdLength !== 65) throw new Error(`the key id must be the 65-byte sender key, got ${keyIdLength} bytes`)

  const sharedSecret = ecdh.computeSecret(serverPublicKey)
  const keyInfo = Buffer.concat([utf8("WebPush: info\0"), ecdh.getPublicKey(), serverPublicKey])
  const ikm = hkdf(sharedSecret, authSecret, keyInfo, 32)
  const contentKey = hkdf(ikm, salt, utf8("Content-Encoding: aes128gcm\0"), 16)
  const nonce = hkdf(ikm, salt, utf8("Content-Encoding: nonce\0"), 12)

  const plain: Array<Buffer> = []
  for (let offset = 0, sequence = 0; offset < records.length; offset += recordSize, sequence++) {
    const record = records.subarray(offset, Math.min(offset + recordSize, records.length))
    const decipher = createDecipheriv("aes-128-gcm", contentKey, recordNonce(nonce, sequence))
    decipher.setAuthTag(record.subarray(record.length - 16))
    const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()])
    // Each record ends with a delimiter, 2 for the last and 1 for the others, then zero padding.
    let end = padded.length - 1
    while (end >= 0 && padded[end] === 0) end--
    const last = offset + recordSize >= records.length
    if (padded[end] !== (last ? 2 : 1)) throw new Error("bad padding delimiter")
    plain.push(padded.subarray(0, end))
  }
  return Buffer.concat(plain).toString("utf8")
}

/** A new browser subscription on `endpoint`: a fresh P-256 key pair and authentication secret. */
export const makeDevice = (endpoint: string): TestDevice => {
  const ecdh = createECDH("prime256v1")
  ecdh.generateKeys()
  const auth = randomBytes(16)
  return {
    endpoint,
    keys: { p256dh: ecdh.getPublicKey("base64url"), auth: auth.toString("base64url") },
    decrypt: (body) => decryptPush(body, ecdh, auth)
  }
}

const base64UrlJson = (part: string): unknown => JSON.parse(Buffer.from(part, "base64url").toString("utf8"))

/**
 * Checks a push's `Authorization: vapid t=<JWT>, k=<public key>` header as a push service does: an
 * ES256 JWT signed by `k`, for the endpoint's origin, expiring within 24 hours. Returns the key and
 * the claims, or throws.
 */
export const verifyVapid = (
  headers: IncomingHttpHeaders,
  endpoint: string
): { readonly publicKey: string; readonly subject: unknown; readonly expiresAt: number } => {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/u.exec(headers.authorization ?? "")
  if (match?.[1] === undefined || match[2] === undefined)
    throw new Error(`no VAPID authorization: ${headers.authorization}`)
  const [token, publicKey] = [match[1], match[2]]
  const [header = "", claims = "", signature = ""] = token.split(".")
  const raw = Buffer.from(publicKey, "base64url")
  const key = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: raw.subarray(1, 33).toString("base64url"),
      y: raw.subarray(33, 65).toString("base64url")
    },
    format: "jwk"
  })
  const signed = verify(
    "sha256",
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url")
  )
  if (!signed) throw new Error("the VAPID signature does not verify")
  const parsedHeader = base64UrlJson(header)
  const parsedClaims = base64UrlJson(claims)
  if (
    typeof parsedHeader !== "object" ||
    parsedHeader === null ||
    !("alg" in parsedHeader) ||
    parsedHeader.alg !== "ES256"
  ) {
    throw new Error("the VAPID JWT is not ES256")
  }
  if (typeof parsedClaims !== "object" || parsedClaims === null) throw new Error("the VAPID claims are not an object")
  const audience = "aud" in parsedClaims ? parsedClaims.aud : undefined
  const expiresAt = "exp" in parsedClaims && typeof parsedClaims.exp === "number" ? parsedClaims.exp : 0
  if (audience !== new URL(endpoint).origin)
    throw new Error(`the VAPID audience ${String(audience)} is not the endpoint's origin`)
  const now = Date.now() / 1000
  if (expiresAt <= now || expiresAt > now + 24 * 3600) throw new Error(`the VAPID JWT expires at ${expiresAt}`)
  return { publicKey, subject: "sub" in parsedClaims ? parsedClaims.sub : undefined, expiresAt }
}

/** The running push service. */
export class PushService extends Context.Service<
  PushService,
  {
    /** `127.0.0.1:<port>`, for `PUSH_ALLOWED_HOSTS`. */
    readonly host: string
    /** A new device whose endpoint is on this push service. */
    readonly device: () => TestDevice
    /** The statuses the endpoint answers next, in order; 201 once they are used up. */
    readonly script: (endpoint: string, statuses: ReadonlyArray<number>) => void
    /** What the endpoint was sent so far. */
    readonly received: (endpoint: string) => ReadonlyArray<ReceivedPush>
  }
>()("@moim/worker/test/PushService") {
  static readonly layer = Layer.effect(
    PushService,
    Effect.gen(function* () {
      const received: Array<ReceivedPush> = []
      const scripts = new Map<string, Array<number>>()
      const server = createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const endpoint = `http://${request.headers.host}${request.url}`
          const status = request.method === "POST" ? (scripts.get(endpoint)?.shift() ?? 201) : 405
          received.push({ endpoint, headers: request.headers, body: Buffer.concat(chunks), status })
          response.writeHead(status, { "content-type": "text/plain" }).end(status === 201 ? "" : "refused")
        })
      })
      const port = yield* Effect.acquireRelease(
        Effect.callback<number>((resume) => {
          server.listen(0, "127.0.0.1", () => {
            const address = server.address()
            resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
          })
        }),
        () =>
          Effect.callback<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      )
      const host = `127.0.0.1:${port}`
      return PushService.of({
        host,
        device: () => makeDevice(`http://${host}/push/${randomBytes(12).toString("base64url")}`),
        script: (endpoint, statuses) => {
          scripts.set(endpoint, [...statuses])
        },
        received: (endpoint) => received.filter((push) => push.endpoint === endpoint)
      })
    })
  )
}
