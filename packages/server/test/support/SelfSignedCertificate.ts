import { generateKeyPairSync, sign } from "node:crypto"

/**
 * A self-signed TLS certificate for 127.0.0.1 and localhost, made in the test (X.509 v3, ECDSA P-256
 * with SHA-256, valid for a day, marked as its own CA), so a test's HTTPS or HTTP/2 server needs no
 * files and no `openssl`: the client trusts exactly this certificate through its `ca` option.
 */

const length = (size: number): Buffer => {
  if (size < 0x80) return Buffer.from([size])
  const bytes: Array<number> = []
  for (let rest = size; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

const tlv = (tag: number, ...content: ReadonlyArray<Buffer>): Buffer => {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}

const sequence = (...content: ReadonlyArray<Buffer>) => tlv(0x30, ...content)

const oid = (dotted: string): Buffer => {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number)
  const bytes = [first * 40 + second]
  for (const component of rest) {
    const digits: Array<number> = []
    for (let value = component; ; value = Math.floor(value / 128)) {
      digits.unshift((value % 128) | (digits.length === 0 ? 0 : 0x80))
      if (value < 128) break
    }
    bytes.push(...digits)
  }
  return tlv(0x06, Buffer.from(bytes))
}

const integer = (bytes: Buffer) => tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes)

const utcTime = (date: Date) => {
  const pad = (value: number) => String(value).padStart(2, "0")
  const text = `${pad(date.getUTCFullYear() % 100)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(
    date.getUTCHours()
  )}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`
  return tlv(0x17, Buffer.from(text, "ascii"))
}

const ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"))

export interface SelfSignedCertificate {
  /** The certificate, PEM: the server's `cert` and the client's `ca`. */
  readonly cert: string
  /** The server's private key, PEM (PKCS #8). */
  readonly key: string
}

export const selfSignedCertificate = (commonName = "Moim test server"): SelfSignedCertificate => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  const name = sequence(tlv(0x31, sequence(oid("2.5.4.3"), tlv(0x0c, Buffer.from(commonName, "utf8")))))
  const serial = Buffer.from(Array.from({ length: 16 }, (_, index) => (index === 0 ? 0x40 : (index * 37) & 0xff)))
  const now = Date.now()
  const extensions = tlv(
    0xa3,
    sequence(
      // basicConstraints, critical: CA (it signs itself).
      sequence(oid("2.5.29.19"), tlv(0x01, Buffer.from([0xff])), tlv(0x04, sequence(tlv(0x01, Buffer.from([0xff]))))),
      // subjectAltName: DNS localhost, IP 127.0.0.1.
      sequence(
        oid("2.5.29.17"),
        tlv(0x04, sequence(tlv(0x82, Buffer.from("localhost", "ascii")), tlv(0x87, Buffer.from([127, 0, 0, 1]))))
      )
    )
  )
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    extensions
  )
  const signature = sign("sha256", tbs, privateKey)
  const der = sequence(tbs, ecdsaWithSha256, tlv(0x03, Buffer.from([0]), signature))
  const lines = der.toString("base64").match(/.{1,64}/gu) ?? []
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString()
  }
}
