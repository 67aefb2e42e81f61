import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { AccountSuspended, Forbidden, Unauthorized } from "../Kit/AccessErrors.ts"
import { Batch, BatchIds } from "../Kit/Batch.ts"
import * as Feature from "../Kit/Feature.ts"
import { AvatarContentType, AvatarUpload } from "../Kit/ImageUpload.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, Page, PageQuery } from "../Kit/Page.ts"
import { RateLimited } from "../Kit/RateLimited.ts"
import { NoteText, SearchText, UploadKey } from "../Kit/Text.ts"
import { UserProfile } from "../Social/Profile.ts"
import {
  CookieSessionRefused,
  IncorrectPassword,
  InvalidCredentials,
  InvalidToken,
  SessionNotFound,
  SessionRevoked,
  WeakPassword
} from "./AccountErrors.ts"
import {
  Bio,
  DeviceName,
  Email,
  Interests,
  Nickname,
  OpaqueTokenText,
  Password,
  PasswordAttempt
} from "./AccountFields.ts"
import { OidcApi, OidcOperations } from "./OidcApi.ts"
import { PhoneApi, PhoneOperations } from "./PhoneApi.ts"
import { AuthResult, Session, SessionId } from "./Session.ts"
import { LoginResult } from "./TwoFactor.ts"
import { CompleteSecondFactor, TwoFactorApi, TwoFactorOperations } from "./TwoFactorApi.ts"
import {
  AdminUserView,
  EmailAlreadyRegistered,
  PublicProfile,
  UploadNotFound,
  User,
  UserId,
  UserNotFound
} from "./User.ts"

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

export const RefreshPayload = Schema.Struct({
  refreshToken: Schema.optional(OpaqueTokenText).annotate({
    description:
      "The refresh token to spend. Left out in cookie mode: the `moim_refresh` cookie's is spent instead (with `X-CSRF-Token` and an allowed `Origin`)"
  })
}).annotate({
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

export const UpdateMePayload = Schema.Struct({
  nickname: Schema.optional(Nickname),
  bio: Schema.optional(Bio),
  interests: Schema.optional(Interests),
  avatarUploadKey: Schema.optional(
    Schema.NullOr(UploadKey).annotate({
      description: "The `key` of a finished avatar upload (`POST /me/avatar-upload`), or null to remove the avatar"
    })
  )
}).annotate({ identifier: "UpdateMePayload", description: "Only the fields present change" })

export const ChangePasswordPayload = Schema.Struct({
  currentPassword: PasswordAttempt,
  newPassword: Password
}).annotate({ identifier: "ChangePasswordPayload", description: "Your current password and the new one" })

export const AvatarUploadRequest = Schema.Struct({ contentType: AvatarContentType }).annotate({
  identifier: "AvatarUploadRequest",
  description: "The type of the image you are about to upload"
})

export const SuspendPayload = Schema.Struct({
  reason: Schema.optional(NoteText)
}).annotate({ identifier: "SuspendPayload", description: "Why the user is suspended (kept for admins)" })

export const PublicProfilePage = Page(PublicProfile, "PublicProfilePage")

// Sign-up and sign-in: anyone, limited per address (and per email for the sensitive ones).

export const Signup = Operation.make(
  {
    rpc: "Signup",
    access: Access.public,
    body: Operation.body(SignupPayload),
    success: AuthResult,
    status: 201,
    errors: [EmailAlreadyRegistered, WeakPassword, RateLimited],
    summary: "Create an account",
    description: "Creates the account, signs this device in and emails a verification link."
  },
  (rest) => HttpApiEndpoint.post("signup", "/auth/signup", rest.options).middleware(rest.middleware)
)

export const VerifyEmail = Operation.make(
  {
    rpc: "VerifyEmail",
    access: Access.public,
    body: Operation.body(TokenPayload),
    errors: [InvalidToken],
    summary: "Verify an email address",
    description: "Confirms the address with the token from the emailed link."
  },
  (rest) => HttpApiEndpoint.post("verifyEmail", "/auth/verify-email", rest.options).middleware(rest.middleware)
)

export const Login = Operation.make(
  {
    rpc: "Login",
    access: Access.public,
    body: Operation.body(LoginPayload),
    success: LoginResult,
    errors: [InvalidCredentials, AccountSuspended, RateLimited],
    summary: "Sign in",
    description:
      "Starts a session for this device: a short-lived access token and a single-use refresh token. For an account with two-factor authentication the answer is `SecondFactorRequired` instead (told apart by its `_tag`): a challenge to finish with `POST /auth/login/second-factor`."
  },
  (rest) => HttpApiEndpoint.post("login", "/auth/login", rest.options).middleware(rest.middleware)
)

export const Refresh = Operation.make(
  {
    rpc: "Refresh",
    access: Access.public,
    body: Operation.optionalBody(RefreshPayload),
    success: AuthResult,
    errors: [SessionRevoked, AccountSuspended, CookieSessionRefused],
    summary: "Rotate the token pair",
    description:
      "Spends the refresh token and returns a new pair. Presenting a spent token again ends the whole session. In cookie mode (a sign-in sent with `Moim-Session-Mode: cookie`) send no body: the refresh token is the `moim_refresh` cookie's, and the request must carry the session's CSRF token in `X-CSRF-Token` and come from this server's origin or one of `CORS_ORIGINS` (`CookieSessionRefused` otherwise)."
  },
  (rest) => HttpApiEndpoint.post("refresh", "/auth/refresh", rest.options).middleware(rest.middleware)
)

export const RequestPasswordReset = Operation.make(
  {
    rpc: "RequestPasswordReset",
    access: Access.public,
    body: Operation.body(PasswordResetRequest),
    status: 202,
    errors: [RateLimited],
    summary: "Request a password reset",
    description: "Always answers 202, whether or not an account exists; if one does, emails a link valid for one hour."
  },
  (rest) => HttpApiEndpoint.post("passwordReset", "/auth/password-reset", rest.options).middleware(rest.middleware)
)

export const ConfirmPasswordReset = Operation.make(
  {
    rpc: "ConfirmPasswordReset",
    access: Access.public,
    body: Operation.body(PasswordResetConfirm),
    errors: [InvalidToken, WeakPassword, RateLimited],
    summary: "Set a new password",
    description: "Uses the emailed token once, sets the password, ends every session."
  },
  (rest) =>
    HttpApiEndpoint.post("passwordResetConfirm", "/auth/password-reset/confirm", rest.options).middleware(
      rest.middleware
    )
)

export const Logout = Operation.make(
  {
    rpc: "Logout",
    access: Access.signedIn,
    errors: [],
    summary: "Sign out",
    description:
      "Ends this device's session; its tokens stop working at once. In cookie mode the answer also clears the session cookies."
  },
  (rest) => HttpApiEndpoint.post("logout", "/auth/logout", rest.options).middleware(rest.middleware)
)

// Your own account.

export const GetMe = Operation.make(
  {
    rpc: "GetMe",
    access: Access.signedIn,
    success: User,
    errors: [Unauthorized],
    summary: "Your account",
    description: "The signed-in user."
  },
  (rest) => HttpApiEndpoint.get("get", "/me", rest.options).middleware(rest.middleware)
)

export const UpdateMe = Operation.make(
  {
    rpc: "UpdateMe",
    access: Access.signedIn,
    body: Operation.body(UpdateMePayload),
    success: User,
    errors: [UploadNotFound, Unauthorized],
    summary: "Edit your profile",
    description: "Changes nickname, bio, interests or avatar."
  },
  (rest) => HttpApiEndpoint.patch("update", "/me", rest.options).middleware(rest.middleware)
)

export const DeleteMe = Operation.make(
  {
    rpc: "DeleteMe",
    access: Access.signedIn,
    errors: [Unauthorized],
    summary: "Delete your account",
    description:
      "Erases your personal data, shows your content as by a deleted user, and ends every session. The email can sign up again."
  },
  (rest) => HttpApiEndpoint.delete("delete", "/me", rest.options).middleware(rest.middleware)
)

export const ChangePassword = Operation.make(
  {
    rpc: "ChangePassword",
    access: Access.signedIn,
    body: Operation.body(ChangePasswordPayload),
    errors: [IncorrectPassword, WeakPassword, Unauthorized],
    summary: "Change your password",
    description: "Needs the current password; ends every other session."
  },
  (rest) => HttpApiEndpoint.post("changePassword", "/me/password", rest.options).middleware(rest.middleware)
)

export const CreateAvatarUpload = Operation.make(
  {
    rpc: "CreateAvatarUpload",
    access: Access.signedIn,
    body: Operation.body(AvatarUploadRequest),
    success: AvatarUpload,
    errors: [],
    summary: "Start an avatar upload",
    description: "A URL to PUT the image to directly (up to 5 MiB, 15 minutes)."
  },
  (rest) => HttpApiEndpoint.post("createAvatarUpload", "/me/avatar-upload", rest.options).middleware(rest.middleware)
)

export const ResendVerification = Operation.make(
  {
    rpc: "ResendVerification",
    access: Access.signedIn,
    status: 202,
    errors: [Unauthorized],
    summary: "Resend the verification email",
    description: "Does nothing when the address is already verified."
  },
  (rest) =>
    HttpApiEndpoint.post("resendVerification", "/me/verification-email", rest.options).middleware(rest.middleware)
)

export const ListSessions = Operation.make(
  {
    rpc: "ListSessions",
    access: Access.signedIn,
    success: Schema.Array(Session),
    errors: [],
    summary: "Your signed-in devices",
    description: "Every active session, most recently used first."
  },
  (rest) => HttpApiEndpoint.get("listSessions", "/me/sessions", rest.options).middleware(rest.middleware)
)

export const RevokeSession = Operation.make(
  {
    rpc: "RevokeSession",
    access: Access.signedIn,
    params: { id: SessionId },
    errors: [SessionNotFound],
    summary: "Sign a device out",
    description: "Ends one of your sessions; its tokens stop working at once."
  },
  (rest) => HttpApiEndpoint.delete("revokeSession", "/me/sessions/:id", rest.options).middleware(rest.middleware)
)

export const RevokeOtherSessions = Operation.make(
  {
    rpc: "RevokeOtherSessions",
    access: Access.signedIn,
    errors: [],
    summary: "Sign out everywhere else",
    description: "Ends every session but the current one."
  },
  (rest) =>
    HttpApiEndpoint.post("revokeOtherSessions", "/me/sessions/revoke-others", rest.options).middleware(rest.middleware)
)

// Public profiles.

export const GetUser = Operation.make(
  {
    rpc: "GetUser",
    access: Access.anyone,
    params: { id: UserId },
    success: UserProfile,
    errors: [UserNotFound],
    summary: "A user's profile",
    description:
      "Anyone may read it, with counts and (signed in) your relationship; their privacy settings decide whether you see their bio, interests and last activity. Deleted users, and people who blocked you or whom you blocked, are not found."
  },
  (rest) => HttpApiEndpoint.get("get", "/users/:id", rest.options).middleware(rest.middleware)
)

export const SearchUsers = Operation.make(
  {
    rpc: "SearchUsers",
    access: Access.anyone,
    query: {
      q: Schema.optional(
        SearchText.annotate({
          description: "Nickname to look for; fuzzy (typos and partial names match), best matches first"
        })
      ),
      ...PageQuery
    },
    success: PublicProfilePage,
    errors: [InvalidCursor],
    summary: "Find users",
    description: "With `q`, users whose nickname resembles it, best first; without, the newest users."
  },
  (rest) => HttpApiEndpoint.get("search", "/users", rest.options).middleware(rest.middleware)
)

export const GetUsersByIds = Operation.make(
  {
    rpc: "GetUsersByIds",
    access: Access.anyone,
    query: BatchIds(UserId),
    success: Batch(PublicProfile, "PublicProfileBatch"),
    errors: [],
    summary: "Several users' public profiles",
    description:
      "Up to 100 users by id in one call (the authors of a page, the members of a chat), in the order asked. Deleted users, and people who blocked you or whom you blocked, are left out, as are unknown ids."
  },
  (rest) => HttpApiEndpoint.get("byIds", "/users/by-ids", rest.options).middleware(rest.middleware)
)

// Site administration.

/** Documents that the bearer token must belong to a site admin (an OpenAPI role on the scheme). */
const adminOnly = OpenApi.annotations({ override: { security: [{ bearer: ["admin"] }] } })

export const SuspendUser = Operation.make(
  {
    rpc: "SuspendUser",
    access: Access.signedIn,
    params: { id: UserId },
    body: Operation.optionalBody(SuspendPayload),
    success: AdminUserView,
    errors: [UserNotFound, Forbidden],
    summary: "Suspend a user",
    description: "The user can no longer sign in or refresh, and tokens issued earlier stop working at once."
  },
  (rest) =>
    HttpApiEndpoint.post("suspendUser", "/admin/users/:id/suspend", rest.options)
      .middleware(rest.middleware)
      .annotateMerge(adminOnly)
)

export const UnsuspendUser = Operation.make(
  {
    rpc: "UnsuspendUser",
    access: Access.signedIn,
    params: { id: UserId },
    success: AdminUserView,
    errors: [UserNotFound, Forbidden],
    summary: "Lift a suspension",
    description: "The user can sign in again; sessions ended by the suspension stay ended."
  },
  (rest) =>
    HttpApiEndpoint.post("unsuspendUser", "/admin/users/:id/unsuspend", rest.options)
      .middleware(rest.middleware)
      .annotateMerge(adminOnly)
)

/** Sign up, sign in, rotate tokens, verify email, reset a forgotten password. */
export const AuthOperations = [
  Signup,
  VerifyEmail,
  Login,
  CompleteSecondFactor,
  Refresh,
  RequestPasswordReset,
  ConfirmPasswordReset,
  Logout
] as const

/** The signed-in user's own account and devices. */
export const MeOperations = [
  GetMe,
  UpdateMe,
  DeleteMe,
  ChangePassword,
  CreateAvatarUpload,
  ResendVerification,
  ListSessions,
  RevokeSession,
  RevokeOtherSessions
] as const

/** Public profiles, readable without signing in. */
export const UsersOperations = [GetUser, SearchUsers, GetUsersByIds] as const

/** Site administration; every operation needs a site admin. */
export const AdminOperations = [SuspendUser, UnsuspendUser] as const

export class AuthApi extends Operation.httpGroup("auth", AuthOperations).annotateMerge(
  OpenApi.annotations({ title: "Auth", description: "Accounts, sign-in and tokens" })
) {}

export class MeApi extends Operation.httpGroup("me", MeOperations).annotateMerge(
  OpenApi.annotations({ title: "Me", description: "Your account, profile and devices" })
) {}

export class UsersApi extends Operation.httpGroup("users", UsersOperations).annotateMerge(
  OpenApi.annotations({ title: "Users", description: "Public profiles" })
) {}

export class AdminApi extends Operation.httpGroup("admin", AdminOperations).annotateMerge(
  OpenApi.annotations({ title: "Admin", description: "Site administration" })
) {}

/** Every account operation, in the order of the REST groups. */
export const AccountsOperations = [
  ...AuthOperations,
  ...MeOperations,
  ...UsersOperations,
  ...AdminOperations,
  ...PhoneOperations,
  ...TwoFactorOperations,
  ...OidcOperations
] as const

/** The RPC twins of the account operations, one RPC per operation. */
export class AccountsRpcs extends Operation.rpcGroup(AccountsOperations) {}

export const AccountsFeature = Feature.make({
  name: "accounts",
  rest: [AuthApi, MeApi, UsersApi, AdminApi, PhoneApi, TwoFactorApi, OidcApi],
  rpcs: AccountsRpcs,
  operations: AccountsOperations,
  restOnly: [],
  rpcOnly: []
})
