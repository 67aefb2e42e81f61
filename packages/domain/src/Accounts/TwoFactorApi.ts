import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { AccountSuspended, Unauthorized } from "../Kit/AccessErrors.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { RateLimited } from "../Kit/RateLimited.ts"
import { OpaqueTokenText } from "./AccountFields.ts"
import { AuthResult } from "./Session.ts"
import {
  IncorrectSecondFactorCode,
  RecoveryCodes,
  SecondFactorChallengeExpired,
  SecondFactorCode,
  TwoFactorAlreadyEnabled,
  TwoFactorEnrollment,
  TwoFactorNotEnabled,
  TwoFactorStatus
} from "./TwoFactor.ts"

export const SecondFactorPayload = Schema.Struct({
  challenge: OpaqueTokenText,
  code: SecondFactorCode
}).annotate({
  identifier: "SecondFactorPayload",
  description: "The challenge a sign-in answered, and a code of the authenticator app or a recovery code"
})

export const TwoFactorCodePayload = Schema.Struct({ code: SecondFactorCode }).annotate({
  identifier: "TwoFactorCodePayload",
  description: "A code of your authenticator app (or, where said, a recovery code)"
})

export const CompleteSecondFactor = Operation.make(
  {
    rpc: "CompleteSecondFactor",
    access: Access.public,
    body: Operation.body(SecondFactorPayload),
    success: AuthResult,
    errors: [IncorrectSecondFactorCode, SecondFactorChallengeExpired, AccountSuspended, RateLimited],
    summary: "Finish signing in with a second factor",
    description:
      "Spends the challenge that `POST /auth/login` answered (`SecondFactorRequired`) with a code of the authenticator app or a recovery code, and starts the session. A challenge lasts 5 minutes and 5 tries; a TOTP code works once."
  },
  (rest) =>
    HttpApiEndpoint.post("loginSecondFactor", "/auth/login/second-factor", rest.options).middleware(rest.middleware)
)

export const GetTwoFactor = Operation.make(
  {
    rpc: "GetTwoFactor",
    access: Access.signedIn,
    success: TwoFactorStatus,
    errors: [],
    summary: "Your two-factor authentication",
    description:
      "Whether it is on, since when, how many recovery codes are left, and whether the site requires it of you."
  },
  (rest) => HttpApiEndpoint.get("get", "/me/two-factor", rest.options).middleware(rest.middleware)
)

export const StartTwoFactor = Operation.make(
  {
    rpc: "StartTwoFactor",
    access: Access.signedIn,
    success: TwoFactorEnrollment,
    status: 201,
    errors: [TwoFactorAlreadyEnabled, Unauthorized],
    summary: "Start turning on two-factor authentication",
    description:
      "A new TOTP secret and its `otpauth://` URI for an authenticator app; nothing is in force until `POST /me/two-factor/confirm`. Starting again replaces an unconfirmed secret."
  },
  (rest) => HttpApiEndpoint.post("start", "/me/two-factor", rest.options).middleware(rest.middleware)
)

export const ConfirmTwoFactor = Operation.make(
  {
    rpc: "ConfirmTwoFactor",
    access: Access.signedIn,
    body: Operation.body(TwoFactorCodePayload),
    success: RecoveryCodes,
    errors: [IncorrectSecondFactorCode, TwoFactorNotEnabled, TwoFactorAlreadyEnabled, RateLimited],
    summary: "Turn on two-factor authentication",
    description:
      "A first code of the app proves it holds the secret; from then on signing in asks for a code. Answers the ten recovery codes, shown only this once."
  },
  (rest) => HttpApiEndpoint.post("confirm", "/me/two-factor/confirm", rest.options).middleware(rest.middleware)
)

export const DisableTwoFactor = Operation.make(
  {
    rpc: "DisableTwoFactor",
    access: Access.signedIn,
    body: Operation.body(TwoFactorCodePayload),
    errors: [IncorrectSecondFactorCode, TwoFactorNotEnabled, RateLimited],
    summary: "Turn off two-factor authentication",
    description: "Needs a code of the app or a recovery code; forgets the secret and the recovery codes."
  },
  (rest) => HttpApiEndpoint.post("disable", "/me/two-factor/disable", rest.options).middleware(rest.middleware)
)

export const RegenerateRecoveryCodes = Operation.make(
  {
    rpc: "RegenerateRecoveryCodes",
    access: Access.signedIn,
    body: Operation.body(TwoFactorCodePayload),
    success: RecoveryCodes,
    errors: [IncorrectSecondFactorCode, TwoFactorNotEnabled, RateLimited],
    summary: "New recovery codes",
    description: "Needs a code of the app; replaces every recovery code with ten new ones, shown only this once."
  },
  (rest) =>
    HttpApiEndpoint.post("regenerateRecoveryCodes", "/me/two-factor/recovery-codes", rest.options).middleware(
      rest.middleware
    )
)

/** Turning two-factor authentication on and off; signing in with it is `CompleteSecondFactor`. */
export const TwoFactorOperations = [
  GetTwoFactor,
  StartTwoFactor,
  ConfirmTwoFactor,
  DisableTwoFactor,
  RegenerateRecoveryCodes
] as const

export class TwoFactorApi extends Operation.httpGroup("twoFactor", TwoFactorOperations).annotateMerge(
  OpenApi.annotations({ title: "Two-factor", description: "Authenticator-app codes and recovery codes" })
) {}
