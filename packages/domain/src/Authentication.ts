import { Context, Schema } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import { RpcMiddleware } from "effect/rpc"
import { AccountSuspended, Unauthorized } from "./AuthErrors.ts"
import { RateLimited } from "./RateLimited.ts"
import type { SessionId } from "./Session.ts"
import type { UserId, UserRole } from "./User.ts"

/** The signed-in user of the current request, provided by the authentication middleware. */
export class CurrentUser extends Context.Service<
  CurrentUser,
  {
    readonly userId: UserId
    readonly sessionId: SessionId
    readonly role: UserRole
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
    error: Schema.Union([Unauthorized, AccountSuspended, RateLimited]),
    requiredForClient: true
  }
) {}
