import { type KeyObject, sign } from "node:crypto"

const part = (value: object) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url")

/**
 * A compact JWS (RFC 7515) over `header` and `claims`: RS256 with an RSA key (Google's OAuth
 * assertion for FCM), ES256 with a P-256 key (APNs' provider token), its signature the raw `r || s`
 * that JWS wants rather than DER.
 */
export const signJwt = (
  alg: "RS256" | "ES256",
  header: Readonly<Record<string, string>>,
  claims: Readonly<Record<string, string | number>>,
  key: KeyObject
): string => {
  const input = `${part({ alg, typ: "JWT", ...header })}.${part(claims)}`
  const signature =
    alg === "ES256"
      ? sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" })
      : sign("sha256", Buffer.from(input), key)
  return `${input}.${signature.toString("base64url")}`
}
