import { Schema } from "effect"
import { Text, TrimmedText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

/** The name a provider is configured under (`OIDC_PROVIDERS`): lower-case letters, digits, `-` and `_`. */
export const OidcProviderName = Text({
  minLength: 1,
  maxLength: 40,
  annotations: { description: "A configured OpenID provider's name, e.g. `google`", examples: ["google"] }
}).check(Schema.isPattern(/^[a-z0-9][a-z0-9_-]*$/u))

/** Where the provider's sign-in ends: one of the server's allowed app redirect URIs (`OIDC_REDIRECT_URIS`). */
export const OidcRedirectUri = TrimmedText({
  minLength: 1,
  maxLength: 2048,
  annotations: {
    description:
      "Where to send the browser back when the provider is done: exactly one of the server's allowed app redirect URIs (`OIDC_REDIRECT_URIS`); a web page or a native app's custom scheme",
    examples: ["https://app.example.com/auth/done"]
  }
})

/** The one-time code a finished provider sign-in redirects the app with. */
export const OidcCode = Text({
  minLength: 1,
  maxLength: 512,
  annotations: { description: "The one-time `code` the app's redirect URI was called with (60 seconds, once)" }
})

export const IdentityId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("IdentityId"))
  .annotate({ identifier: "IdentityId", description: "A linked sign-in identity's id (UUIDv7)" })
export type IdentityId = typeof IdentityId.Type

/** Where to send the user to sign in at the provider. */
export class OidcAuthorization extends Schema.Class<OidcAuthorization>("OidcAuthorization")(
  {
    authorizationUrl: Schema.String.annotate({
      description:
        "Open this in the browser (or the system browser of a native app): the provider's sign-in page. It works once, for 10 minutes"
    })
  },
  { description: "The provider's sign-in page to open" }
) {}

/** An account's sign-in with an OpenID provider. */
export class LinkedIdentity extends Schema.Class<LinkedIdentity>("LinkedIdentity")(
  {
    id: IdentityId,
    provider: Schema.String.annotate({ description: "The configured provider's name" }),
    email: Schema.NullOr(Schema.String).annotate({
      description: "The email the provider gave for this identity when it was linked, if any (for recognising it)"
    }),
    createdAt: Timestamp,
    lastUsedAt: Schema.NullOr(Timestamp).annotate({ description: "When it last signed you in" })
  },
  { description: "A provider account that signs in to yours" }
) {}

export class OidcProviderNotFound extends Schema.TaggedError<OidcProviderNotFound>()(
  "OidcProviderNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "OidcProviderNotFound", description: "No provider of that name is configured" }
) {}

export class OidcRedirectUriNotAllowed extends Schema.TaggedError<OidcRedirectUriNotAllowed>()(
  "OidcRedirectUriNotAllowed",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "OidcRedirectUriNotAllowed",
    description: "The redirect URI is not one of the server's allowed app redirect URIs"
  }
) {}

/** The provider could not be reached or answered with something unusable; nothing was changed. */
export class OidcProviderUnavailable extends Schema.TaggedError<OidcProviderUnavailable>()(
  "OidcProviderUnavailable",
  { message: Schema.String },
  {
    httpApiStatus: 503,
    identifier: "OidcProviderUnavailable",
    description: "The provider's metadata could not be read; try again later"
  }
) {}

/** The callback's `state` is not a live sign-in: unknown, expired (10 minutes) or already used. */
export class OidcStateInvalid extends Schema.TaggedError<OidcStateInvalid>()(
  "OidcStateInvalid",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "OidcStateInvalid",
    description: "Not a live provider sign-in: unknown, expired or already used; start again"
  }
) {}

/** The one-time code is unknown, expired (60 seconds), used, or was not made for this operation. */
export class OidcCodeInvalid extends Schema.TaggedError<OidcCodeInvalid>()(
  "OidcCodeInvalid",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "OidcCodeInvalid",
    description: "The one-time code is unknown, expired, already used, or not for this operation; start again"
  }
) {}

/** An account already has the provider's (verified) email: Moim never merges accounts by email. */
export class OidcEmailTaken extends Schema.TaggedError<OidcEmailTaken>()(
  "OidcEmailTaken",
  { message: Schema.String },
  {
    httpApiStatus: 409,
    identifier: "OidcEmailTaken",
    description:
      "An account with this email exists: sign in to it with your password, then link the provider from your account"
  }
) {}

export class OidcIdentityTaken extends Schema.TaggedError<OidcIdentityTaken>()(
  "OidcIdentityTaken",
  { message: Schema.String },
  {
    httpApiStatus: 409,
    identifier: "OidcIdentityTaken",
    description: "This provider account already signs in to another Moim account"
  }
) {}

export class IdentityNotFound extends Schema.TaggedError<IdentityNotFound>()(
  "IdentityNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "IdentityNotFound", description: "You have no linked identity with this id" }
) {}
