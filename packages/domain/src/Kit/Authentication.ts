import { Context, type Option, Schema } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import { RpcMiddleware } from "effect/rpc"
import type { SessionId } from "../Accounts/Session.ts"
import type { UserId, UserRole } from "../Accounts/User.ts"
import { AccountSuspended, Unauthorized } from "./AccessErrors.ts"
import { IdempotencyKeyInProgress, IdempotencyKeyReused } from "./Idempotency.ts"
import { InvalidRequest } from "./InvalidRequest.ts"
import { optionalBearerScheme } from "./OpenApiContract.ts"
import { RateLimited } from "./RateLimited.ts"

/**
 * What an unsafe RPC call may fail with because of its `idempotency-key` header: a malformed key,
 * a key used for another call, a key whose first call still runs. REST documents the same answers
 * on each unsafe operation (`OpenApiContract.ts`).
 */
const rpcIdempotencyErrors = [InvalidRequest, IdempotencyKeyReused, IdempotencyKeyInProgress] as const

/** The signed-in user of the current request, provided by the authentication middleware. */
export class CurrentUser extends Context.Service<
  CurrentUser,
  {
    readonly userId: UserId
    readonly sessionId: SessionId
    readonly role: UserRole
    /**
     * A site admin who has not turned on two-factor authentication while the site requires it
     * (`REQUIRE_2FA_FOR_ADMINS`): treated as a user, and told why by admin operations.
     */
    readonly adminNeedsSecondFactor?: boolean | undefined
  }
>()("@moim/domain/CurrentUser") {}

/** REST: `Authorization: Bearer <access token>`; also applies the per-user rate limit. */
export class Authentication extends HttpApiMiddleware.Service<Authentication, { provides: CurrentUser }>()(
  "@moim/domain/Authentication",
  {
    security: { bearer: HttpApiSecurity.bearer },
    error: [Unauthorized, AccountSuspended, RateLimited]
  }
) {}

/**
 * RPC: the same bearer token in each call's `authorization` header (the client middleware sets it
 * per message, since browsers cannot set WebSocket headers).
 */
export class RpcAuthentication extends RpcMiddleware.Service<RpcAuthentication, { provides: CurrentUser }>()(
  "@moim/domain/RpcAuthentication",
  {
    error: Schema.Union([Unauthorized, AccountSuspended, RateLimited, ...rpcIdempotencyErrors]),
    requiredForClient: true
  }
) {}

/** The signed-in user, if the request carried a valid bearer token; none for anonymous requests. */
export class CurrentViewer extends Context.Service<CurrentViewer, Option.Option<CurrentUser["Service"]>>()(
  "@moim/domain/CurrentViewer"
) {}

/**
 * For endpoints anyone may call: without `Authorization` the request is anonymous; with it, the
 * token must be valid (an expired one gets 401 so clients refresh) and the viewer is known.
 */
export class OptionalAuthentication extends HttpApiMiddleware.Service<
  OptionalAuthentication,
  { provides: CurrentViewer }
>()("@moim/domain/OptionalAuthentication", {
  // Documented as "anonymous, or bearer" (`security: [{}, {bearer: []}]`) by `OpenApiContract.ts`.
  security: { [optionalBearerScheme]: HttpApiSecurity.bearer },
  error: [Unauthorized, AccountSuspended, RateLimited]
}) {}

export class RpcOptionalAuthentication extends RpcMiddleware.Service<
  RpcOptionalAuthentication,
  { provides: CurrentViewer }
>()("@moim/domain/RpcOptionalAuthentication", {
  error: Schema.Union([Unauthorized, AccountSuspended, RateLimited, ...rpcIdempotencyErrors]),
  requiredForClient: true
}) {}

/**
 * For endpoints anyone may call without signing in (sign-up, sign-in, token refresh): no token is
 * read; the per-address rate limit applies before the request is decoded, like every other limit.
 */
export class PublicRateLimit extends HttpApiMiddleware.Service<PublicRateLimit>()("@moim/domain/PublicRateLimit", {
  error: RateLimited
}) {}

export class RpcPublicRateLimit extends RpcMiddleware.Service<RpcPublicRateLimit>()("@moim/domain/RpcPublicRateLimit", {
  error: Schema.Union([RateLimited, ...rpcIdempotencyErrors])
}) {}

/**
 * For the few operations that need neither identity nor a rate limit (the server's version, served
 * from memory for less than a limit check costs): a middleware that lets every request through, so
 * such operations are declared like every other.
 */
export class OpenAccess extends HttpApiMiddleware.Service<OpenAccess>()("@moim/domain/OpenAccess") {}

export class RpcOpenAccess extends RpcMiddleware.Service<RpcOpenAccess>()("@moim/domain/RpcOpenAccess") {}
