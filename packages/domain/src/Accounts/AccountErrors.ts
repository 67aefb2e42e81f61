import { Schema } from "effect"

/** Wrong email or password; deliberately the same for both, so accounts cannot be discovered. */
export class InvalidCredentials extends Schema.TaggedError<InvalidCredentials>()(
  "InvalidCredentials",
  { message: Schema.String },
  { httpApiStatus: 401, identifier: "InvalidCredentials", description: "Wrong email or password" }
) {}

/** The refresh token is unknown, expired, spent or its session was revoked: sign in again. */
export class SessionRevoked extends Schema.TaggedError<SessionRevoked>()(
  "SessionRevoked",
  { message: Schema.String },
  { httpApiStatus: 401, identifier: "SessionRevoked", description: "This session ended; sign in again" }
) {}

export class IncorrectPassword extends Schema.TaggedError<IncorrectPassword>()(
  "IncorrectPassword",
  { message: Schema.String },
  { httpApiStatus: 400, identifier: "IncorrectPassword", description: "The current password is wrong" }
) {}

/** An email-verification or password-reset token that is unknown, expired or already used. */
export class InvalidToken extends Schema.TaggedError<InvalidToken>()(
  "InvalidToken",
  { message: Schema.String },
  { httpApiStatus: 400, identifier: "InvalidToken", description: "The token is invalid, expired or used" }
) {}

export class SessionNotFound extends Schema.TaggedError<SessionNotFound>()(
  "SessionNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "SessionNotFound", description: "No such session of yours" }
) {}

/**
 * A new password that must not be used: it is on the list of passwords from breaches that Moim
 * ships (NIST 800-63B). The length rule is the payload's, answered as `InvalidRequest`.
 */
export class WeakPassword extends Schema.TaggedError<WeakPassword>()(
  "WeakPassword",
  {
    message: Schema.String,
    reason: Schema.Literal("breached").annotate({
      description: "`breached`: among the most common passwords found in data breaches"
    })
  },
  { httpApiStatus: 400, identifier: "WeakPassword", description: "The new password is too easily guessed" }
) {}

/**
 * A refresh by the session cookie (cookie mode) that may be forged by another site: its `Origin` is
 * neither this server's nor one of `CORS_ORIGINS`, or it lacks the session's CSRF token in
 * `X-CSRF-Token` (the `moim_csrf` cookie).
 */
export class CookieSessionRefused extends Schema.TaggedError<CookieSessionRefused>()(
  "CookieSessionRefused",
  { message: Schema.String },
  {
    httpApiStatus: 403,
    identifier: "CookieSessionRefused",
    description: "A request using the session cookie came from a disallowed origin or without its CSRF token"
  }
) {}
