import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { DeviceName, Email, Nickname, OpaqueTokenText, Password, PasswordAttempt } from "./AccountFields.ts"
import { AccountSuspended, InvalidCredentials, InvalidToken, SessionRevoked } from "./AuthErrors.ts"
import { Authentication, PublicRateLimit } from "./Authentication.ts"
import { RateLimited } from "./RateLimited.ts"
import { AuthResult } from "./Session.ts"
import { EmailAlreadyRegistered } from "./User.ts"

const doc = (summary: string, description: string) => OpenApi.annotations({ summary, description })

export const SignupPayload = Schema.Struct({
  email: Email,
  password: Password,
  nickname: Nickname,
  deviceName: Schema.optional(DeviceName)
}).annotate({ identifier: "SignupPayload", description: "A new account and the device it signs in" })

export const LoginPayload = Schema.Struct({
  email: Email,
  password: PasswordAttempt,
  deviceName: Schema.optional(DeviceName)
}).annotate({ identifier: "LoginPayload", description: "Credentials, and a name for this device" })

export const RefreshPayload = Schema.Struct({ refreshToken: OpaqueTokenText }).annotate({
  identifier: "RefreshPayload",
  description: "The refresh token to spend"
})

export const TokenPayload = Schema.Struct({ token: OpaqueTokenText }).annotate({
  identifier: "TokenPayload",
  description: "A token from an emailed link"
})

export const PasswordResetRequest = Schema.Struct({ email: Email }).annotate({
  identifier: "PasswordResetRequest",
  description: "The email of the account to reset"
})

export const PasswordResetConfirm = Schema.Struct({
  token: OpaqueTokenText,
  newPassword: Password
}).annotate({ identifier: "PasswordResetConfirm", description: "The emailed reset token and the new password" })

/** Sign up, sign in, rotate tokens, verify email, reset a forgotten password. */
export class AuthApi extends HttpApiGroup.make("auth")
  .add(
    HttpApiEndpoint.post("signup", "/auth/signup", {
      payload: SignupPayload,
      success: AuthResult.pipe(HttpApiSchema.status(201)),
      error: [EmailAlreadyRegistered, RateLimited]
    })
      .middleware(PublicRateLimit)
      .annotateMerge(
        doc("Create an account", "Creates the account, signs this device in and emails a verification link.")
      ),
    HttpApiEndpoint.post("verifyEmail", "/auth/verify-email", {
      payload: TokenPayload,
      success: HttpApiSchema.NoContent,
      error: [InvalidToken, RateLimited]
    })
      .middleware(PublicRateLimit)
      .annotateMerge(doc("Verify an email address", "Confirms the address with the token from the emailed link.")),
    HttpApiEndpoint.post("login", "/auth/login", {
      payload: LoginPayload,
      success: AuthResult,
      error: [InvalidCredentials, AccountSuspended, RateLimited]
    })
      .middleware(PublicRateLimit)
      .annotateMerge(
        doc("Sign in", "Starts a session for this device: a short-lived access token and a single-use refresh token.")
      ),
    HttpApiEndpoint.post("refresh", "/auth/refresh", {
      payload: RefreshPayload,
      success: AuthResult,
      error: [SessionRevoked, AccountSuspended, RateLimited]
    })
      .middleware(PublicRateLimit)
      .annotateMerge(
        doc(
          "Rotate the token pair",
          "Spends the refresh token and returns a new pair. Presenting a spent token again ends the whole session."
        )
      ),
    HttpApiEndpoint.post("passwordReset", "/auth/password-reset", {
      payload: PasswordResetRequest,
      success: HttpApiSchema.Accepted,
      error: RateLimited
    })
      .middleware(PublicRateLimit)
      .annotateMerge(
        doc(
          "Request a password reset",
          "Always answers 202, whether or not an account exists; if one does, emails a link valid for one hour."
        )
      ),
    HttpApiEndpoint.post("passwordResetConfirm", "/auth/password-reset/confirm", {
      payload: PasswordResetConfirm,
      success: HttpApiSchema.NoContent,
      error: [InvalidToken, RateLimited]
    })
      .middleware(PublicRateLimit)
      .annotateMerge(doc("Set a new password", "Uses the emailed token once, sets the password, ends every session."))
  )
  .add(
    HttpApiEndpoint.post("logout", "/auth/logout", { success: HttpApiSchema.NoContent })
      .middleware(Authentication)
      .annotateMerge(doc("Sign out", "Ends this device's session; its tokens stop working at once."))
  )
  .annotateMerge(OpenApi.annotations({ title: "Auth", description: "Accounts, sign-in and tokens" })) {}
