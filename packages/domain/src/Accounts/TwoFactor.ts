import { Schema } from "effect"
import { TrimmedText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"
import { AuthResult } from "./Session.ts"

/**
 * A second-factor code as typed: the 6 digits of an authenticator app, or one of the account's
 * recovery codes (`abcd-efgh-jkmn`; spaces, dashes and case do not matter).
 */
export const SecondFactorCode = TrimmedText({
  minLength: 6,
  maxLength: 32,
  pattern: /^\s*[0-9A-Za-z][0-9A-Za-z -]*\s*$/u,
  annotations: {
    description: "The 6 digits your authenticator app shows, or one of your recovery codes",
    examples: ["123456", "abcd-efgh-jkmn"]
  }
})

/** The ways an account proves the second factor at sign-in. */
export const SecondFactorMethod = Schema.Literals(["totp", "recovery_code"]).annotate({
  identifier: "SecondFactorMethod",
  description: "`totp`: a code of an authenticator app; `recovery_code`: one of the ten single-use recovery codes"
})

/** What a sign-in with the right password answers for an account with two-factor authentication. */
const secondFactorRequiredDescription =
  "The password (or texted code) was right and the account has two-factor authentication: no session yet. Finish with `POST /auth/login/second-factor`"

export class SecondFactorRequired extends Schema.Class<SecondFactorRequired>("SecondFactorRequired")(
  Schema.Struct({
    _tag: Schema.tag("SecondFactorRequired"),
    challenge: Schema.String.annotate({
      description:
        "Opaque and single-use: send it with a code to `POST /auth/login/second-factor` before `expiresAt`. It is not a session"
    }),
    expiresAt: Timestamp,
    methods: Schema.Array(SecondFactorMethod)
  }).annotate({ description: secondFactorRequiredDescription }),
  { description: secondFactorRequiredDescription }
) {}

/** What signing in answers: a session, or (two-factor accounts) the challenge that leads to one. */
export const LoginResult = Schema.Union([AuthResult, SecondFactorRequired]).annotate({
  identifier: "LoginResult",
  description: "`AuthResult`, or `SecondFactorRequired` (with `_tag`) when the account asks for a second factor"
})

/** An account's two-factor authentication, as its owner sees it. */
export class TwoFactorStatus extends Schema.Class<TwoFactorStatus>("TwoFactorStatus")(
  {
    enabled: Schema.Boolean,
    enabledAt: Schema.NullOr(Timestamp),
    recoveryCodesLeft: Schema.Int.annotate({ description: "Unused recovery codes (0 when not enabled)" }),
    required: Schema.Boolean.annotate({
      description: "True when the site requires it of you (site admins, with `REQUIRE_2FA_FOR_ADMINS`)"
    })
  },
  { description: "Whether your account asks for a second factor at sign-in" }
) {}

/** A started enrolment: the secret to put into an authenticator app, not yet in force. */
export class TwoFactorEnrollment extends Schema.Class<TwoFactorEnrollment>("TwoFactorEnrollment")(
  {
    secret: Schema.String.annotate({ description: "The shared secret in base32, for typing into an app by hand" }),
    otpauthUri: Schema.String.annotate({
      description: "`otpauth://totp/...`: show it as a QR code for the authenticator app to scan"
    }),
    issuer: Schema.String,
    accountName: Schema.String,
    algorithm: Schema.Literal("SHA1"),
    digits: Schema.Literal(6),
    periodSeconds: Schema.Literal(30)
  },
  {
    description:
      "TOTP (RFC 6238) parameters for an authenticator app. Nothing changes until a first code confirms them (`POST /me/two-factor/confirm`)"
  }
) {}

/** Shown once: the server keeps only their hashes. */
export class RecoveryCodes extends Schema.Class<RecoveryCodes>("RecoveryCodes")(
  {
    codes: Schema.Array(Schema.String).annotate({
      description: "Ten single-use codes, each usable once instead of an app's code. Shown only now: keep them safe"
    })
  },
  { description: "Recovery codes for when the authenticator app is lost" }
) {}

/** The code is not right (or was already used). */
export class IncorrectSecondFactorCode extends Schema.TaggedError<IncorrectSecondFactorCode>()(
  "IncorrectSecondFactorCode",
  {
    message: Schema.String,
    attemptsLeft: Schema.optional(
      Schema.Int.annotate({ description: "At sign-in: tries left for this challenge; at 0, sign in again" })
    )
  },
  {
    httpApiStatus: 400,
    identifier: "IncorrectSecondFactorCode",
    description: "Wrong, expired or already used code"
  }
) {}

/** The sign-in challenge is unknown, expired (5 minutes), used, or was tried 5 times. */
export class SecondFactorChallengeExpired extends Schema.TaggedError<SecondFactorChallengeExpired>()(
  "SecondFactorChallengeExpired",
  { message: Schema.String },
  {
    httpApiStatus: 401,
    identifier: "SecondFactorChallengeExpired",
    description: "The sign-in challenge is no longer valid; sign in with the password again"
  }
) {}

export class TwoFactorAlreadyEnabled extends Schema.TaggedError<TwoFactorAlreadyEnabled>()(
  "TwoFactorAlreadyEnabled",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "TwoFactorAlreadyEnabled", description: "Two-factor authentication is already on" }
) {}

/** Confirming without a started enrolment, or disabling when it is off. */
export class TwoFactorNotEnabled extends Schema.TaggedError<TwoFactorNotEnabled>()(
  "TwoFactorNotEnabled",
  { message: Schema.String },
  {
    httpApiStatus: 409,
    identifier: "TwoFactorNotEnabled",
    description: "Two-factor authentication is off (or its enrolment was not started)"
  }
) {}
