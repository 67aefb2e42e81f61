import { Schema } from "effect"

/** Missing, malformed, expired or revoked access token. Refresh the token pair, or sign in again. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { message: Schema.String },
  { httpApiStatus: 401, identifier: "Unauthorized", description: "Sign in required (or the access token expired)" }
) {}

export class AccountSuspended extends Schema.TaggedError<AccountSuspended>()(
  "AccountSuspended",
  { message: Schema.String },
  { httpApiStatus: 403, identifier: "AccountSuspended", description: "The account is suspended" }
) {}

/** The signed-in user may not do this (e.g. an admin operation). */
export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  {
    message: Schema.String,
    reason: Schema.optional(
      Schema.Literal("second_factor_required").annotate({
        description:
          "`second_factor_required`: a site admin who must turn on two-factor authentication (`POST /me/two-factor`) before using admin operations"
      })
    )
  },
  { httpApiStatus: 403, identifier: "Forbidden", description: "Not allowed" }
) {}
