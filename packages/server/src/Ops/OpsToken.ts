import { createHash, timingSafeEqual } from "node:crypto"
import { Option, Redacted } from "effect"
import type { AppConfig } from "../platform/AppConfig.ts"

const digest = (value: string) => createHash("sha256").update(value).digest()

/**
 * Checks a presented operator token against `MOIM_OPS_TOKEN` in constant time (comparing digests,
 * so lengths do not leak). `"disabled"` when no operator token is configured.
 */
export const makeOpsTokenCheck = (config: AppConfig["Service"]) => {
  const expected = Option.map(config.opsToken, (token) => digest(Redacted.value(token)))
  return (presented: string): "valid" | "invalid" | "disabled" =>
    Option.isNone(expected) ? "disabled" : timingSafeEqual(digest(presented), expected.value) ? "valid" : "invalid"
}
