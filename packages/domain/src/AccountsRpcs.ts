import { Schema } from "effect"
import { Rpc, RpcGroup } from "effect/rpc"
import { SuspendPayload } from "./AdminApi.ts"
import {
  LoginPayload,
  PasswordResetConfirm,
  PasswordResetRequest,
  RefreshPayload,
  SignupPayload,
  TokenPayload
} from "./AuthApi.ts"
import {
  AccountSuspended,
  Forbidden,
  IncorrectPassword,
  InvalidCredentials,
  InvalidToken,
  SessionNotFound,
  SessionRevoked,
  Unauthorized
} from "./AuthErrors.ts"
import { RpcAuthentication, RpcOptionalAuthentication, RpcPublicRateLimit } from "./Authentication.ts"
import { AvatarUpload, AvatarUploadRequest, ChangePasswordPayload, UpdateMePayload } from "./MeApi.ts"
import { InvalidCursor, PageQuery } from "./Page.ts"
import { RateLimited } from "./RateLimited.ts"
import { AuthResult, Session, SessionId } from "./Session.ts"
import { SearchText } from "./Text.ts"
import {
  AdminUserView,
  EmailAlreadyRegistered,
  PublicProfile,
  UploadNotFound,
  User,
  UserId,
  UserNotFound
} from "./User.ts"
import { PublicProfilePage } from "./UsersApi.ts"

/** The RPC twins of the auth, me, users and admin REST groups; each calls the same service method. */
export class AccountsRpcs extends RpcGroup.make(
  Rpc.make("Signup", {
    payload: SignupPayload,
    success: AuthResult,
    error: Schema.Union([EmailAlreadyRegistered, RateLimited])
  }).middleware(RpcPublicRateLimit),
  Rpc.make("VerifyEmail", { payload: TokenPayload, error: Schema.Union([InvalidToken, RateLimited]) }).middleware(
    RpcPublicRateLimit
  ),
  Rpc.make("Login", {
    payload: LoginPayload,
    success: AuthResult,
    error: Schema.Union([InvalidCredentials, AccountSuspended, RateLimited])
  }).middleware(RpcPublicRateLimit),
  Rpc.make("Refresh", {
    payload: RefreshPayload,
    success: AuthResult,
    error: Schema.Union([SessionRevoked, AccountSuspended, RateLimited])
  }).middleware(RpcPublicRateLimit),
  Rpc.make("RequestPasswordReset", { payload: PasswordResetRequest, error: RateLimited }).middleware(
    RpcPublicRateLimit
  ),
  Rpc.make("ConfirmPasswordReset", {
    payload: PasswordResetConfirm,
    error: Schema.Union([InvalidToken, RateLimited])
  }).middleware(RpcPublicRateLimit),
  Rpc.make("GetUser", {
    payload: { id: UserId },
    success: PublicProfile,
    error: UserNotFound
  }).middleware(RpcOptionalAuthentication),
  Rpc.make("SearchUsers", {
    payload: { q: Schema.optional(SearchText), ...PageQuery },
    success: PublicProfilePage,
    error: InvalidCursor
  }).middleware(RpcOptionalAuthentication),
  Rpc.make("Logout").middleware(RpcAuthentication),
  Rpc.make("GetMe", { success: User, error: Unauthorized }).middleware(RpcAuthentication),
  Rpc.make("UpdateMe", {
    payload: UpdateMePayload,
    success: User,
    error: Schema.Union([UploadNotFound, Unauthorized])
  }).middleware(RpcAuthentication),
  Rpc.make("DeleteMe", { error: Unauthorized }).middleware(RpcAuthentication),
  Rpc.make("ChangePassword", {
    payload: ChangePasswordPayload,
    error: Schema.Union([IncorrectPassword, Unauthorized])
  }).middleware(RpcAuthentication),
  Rpc.make("CreateAvatarUpload", { payload: AvatarUploadRequest, success: AvatarUpload }).middleware(RpcAuthentication),
  Rpc.make("ResendVerification", { error: Unauthorized }).middleware(RpcAuthentication),
  Rpc.make("ListSessions", { success: Schema.Array(Session) }).middleware(RpcAuthentication),
  Rpc.make("RevokeSession", { payload: { id: SessionId }, error: SessionNotFound }).middleware(RpcAuthentication),
  Rpc.make("RevokeOtherSessions").middleware(RpcAuthentication),
  Rpc.make("SuspendUser", {
    payload: Schema.Struct({ id: UserId, ...SuspendPayload.fields }),
    success: AdminUserView,
    error: Schema.Union([UserNotFound, Forbidden])
  }).middleware(RpcAuthentication),
  Rpc.make("UnsuspendUser", {
    payload: { id: UserId },
    success: AdminUserView,
    error: Schema.Union([UserNotFound, Forbidden])
  }).middleware(RpcAuthentication)
) {}
