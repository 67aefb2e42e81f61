import { assert } from "@effect/vitest"
import type { AuthResult } from "@moim/domain/Accounts/Session"
import { SecondFactorRequired } from "@moim/domain/Accounts/TwoFactor"

/** A sign-in of an account without two-factor authentication: a session, not a challenge. */
export const expectSession = (result: AuthResult | SecondFactorRequired): AuthResult => {
  if (result instanceof SecondFactorRequired) return assert.fail("expected a session, got a second-factor challenge")
  return result
}
