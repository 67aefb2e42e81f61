import { createHmac, timingSafeEqual } from "node:crypto"

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

/**
 * TOTP as RFC 6238 defines it and authenticator apps expect by default: HMAC-SHA1, 6 digits, 30-second
 * steps from the Unix epoch (RFC 4226's dynamic truncation). Pure functions of the secret and the
 * time, so tests step the clock rather than wait.
 */
export const Totp = {
  digits: 6,
  periodSeconds: 30,
  /** Steps either side of the current one still accepted, for a phone's clock a little off. */
  drift: 1,

  /** The 30-second step `millis` falls in. */
  stepAt: (millis: number): number => Math.floor(millis / 1000 / Totp.periodSeconds),

  /** The code of one step. */
  code: (secret: Uint8Array, step: number): string => {
    const counter = Buffer.alloc(8)
    counter.writeBigUInt64BE(BigInt(step))
    const mac = createHmac("sha1", secret).update(counter).digest()
    const offset = (mac[mac.length - 1] ?? 0) & 0x0f
    const binary = mac.readUInt32BE(offset) & 0x7fffffff
    return String(binary % 10 ** Totp.digits).padStart(Totp.digits, "0")
  },

  /**
   * The step whose code `code` is, among the current step and `drift` steps either side, if any is
   * later than `after` (the last step used): a code is accepted once, and never one older than the
   * last accepted.
   */
  match: (secret: Uint8Array, code: string, millis: number, after: number | null): number | undefined => {
    const now = Totp.stepAt(millis)
    const typed = Buffer.from(code)
    for (let step = now - Totp.drift; step <= now + Totp.drift; step++) {
      if (after !== null && step <= after) continue
      const expected = Buffer.from(Totp.code(secret, step))
      if (expected.length === typed.length && timingSafeEqual(expected, typed)) return step
    }
    return undefined
  },

  /** RFC 4648 base32 without padding, as `otpauth://` URIs and apps' manual entry use it. */
  base32: (bytes: Uint8Array): string => {
    let bits = 0
    let value = 0
    let out = ""
    for (const byte of bytes) {
      value = (value << 8) | byte
      bits += 8
      while (bits >= 5) {
        out += alphabet[(value >>> (bits - 5)) & 31]
        bits -= 5
      }
    }
    if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]
    return out
  },

  /** The bytes of a base32 secret, as an app does with a typed-in key (case, spaces and padding ignored). */
  fromBase32: (text: string): Uint8Array => {
    let bits = 0
    let value = 0
    const out: Array<number> = []
    for (const char of text.toUpperCase().replace(/[\s=]/g, "")) {
      const index = alphabet.indexOf(char)
      if (index < 0) throw new Error(`Not base32: ${char}`)
      value = (value << 5) | index
      bits += 5
      if (bits >= 8) {
        out.push((value >>> (bits - 8)) & 255)
        bits -= 8
      }
    }
    return Uint8Array.from(out)
  },

  /** The `otpauth://` URI an authenticator app reads from a QR code (Google Authenticator's key URI format). */
  uri: (options: { readonly secret: Uint8Array; readonly issuer: string; readonly accountName: string }): string => {
    const label = `${encodeURIComponent(options.issuer)}:${encodeURIComponent(options.accountName)}`
    const query = new URLSearchParams({
      secret: Totp.base32(options.secret),
      issuer: options.issuer,
      algorithm: "SHA1",
      digits: String(Totp.digits),
      period: String(Totp.periodSeconds)
    })
    return `otpauth://totp/${label}?${query.toString()}`
  }
}
