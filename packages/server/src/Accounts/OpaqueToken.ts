import { createHash, randomBytes } from "node:crypto"

/**
 * Refresh, verification and reset tokens: 256 random bits, handed out once and stored only as a
 * SHA-256 hash. Lookups go by hash, so the database never holds a usable token and no comparison
 * of secret strings happens in application code.
 */
export const OpaqueToken = {
  generate: (): string => randomBytes(32).toString("base64url"),
  hash: (token: string): string => createHash("sha256").update(token).digest("hex")
}
