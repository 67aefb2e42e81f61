import { generateKeyPairSync, type KeyObject, verify } from "node:crypto"

/**
 * Credentials of the kinds FCM and APNs issue, made in the test: a Google service account's JSON key
 * (RSA) and an APNs token key (.p8, P-256), each with the public key their service checks signatures
 * with. `verifyJwt` checks a compact JWS as Google's token endpoint and APNs do.
 */

export interface ServiceAccount {
  /** What `FCM_SERVICE_ACCOUNT` holds: the JSON key as Google's console downloads it. */
  readonly json: string
  readonly projectId: string
  readonly clientEmail: string
  readonly privateKeyId: string
  readonly publicKey: KeyObject
}

/** A fresh service account; `overrides` replaces fields of its JSON key (to make a malformed one). */
export const serviceAccount = (projectId = "moim-test", overrides: Record<string, string> = {}): ServiceAccount => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const clientEmail = `push@${projectId}.iam.gserviceaccount.com`
  const privateKeyId = "0123456789abcdef0123456789abcdef01234567"
  const json = JSON.stringify({
    type: "service_account",
    project_id: projectId,
    private_key_id: privateKeyId,
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: clientEmail,
    client_id: "123456789012345678901",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
    ...overrides
  })
  return { json, projectId, clientEmail, privateKeyId, publicKey }
}

export interface ApnsKey {
  /** What `APNS_KEY` holds: the .p8 file's PEM. */
  readonly pem: string
  readonly keyId: string
  readonly teamId: string
  readonly publicKey: KeyObject
}

export const apnsKey = (keyId = "KEY1234567", teamId = "TEAM123456"): ApnsKey => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  return { pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), keyId, teamId, publicKey }
}

const json = (part: string): Record<string, unknown> => {
  const parsed: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"))
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object")
  return Object.fromEntries(Object.entries(parsed))
}

/** A verified JWT's header and claims. */
export interface VerifiedJwt {
  readonly header: Record<string, unknown>
  readonly claims: Record<string, unknown>
}

/** Checks a compact JWS signed with `alg` by the holder of `publicKey`'s private key; throws when it is not. */
export const verifyJwt = (token: string, alg: "RS256" | "ES256", publicKey: KeyObject): VerifiedJwt => {
  const [header = "", claims = "", signature = "", ...rest] = token.split(".")
  if (rest.length > 0 || signature === "") throw new Error("not a compact JWS")
  const parsedHeader = json(header)
  if (parsedHeader.alg !== alg) throw new Error(`the JWT's alg is ${String(parsedHeader.alg)}, not ${alg}`)
  const key = alg === "ES256" ? { key: publicKey, dsaEncoding: "ieee-p1363" as const } : publicKey
  if (!verify("sha256", Buffer.from(`${header}.${claims}`), key, Buffer.from(signature, "base64url"))) {
    throw new Error("the JWT's signature does not verify")
  }
  return { header: parsedHeader, claims: json(claims) }
}
