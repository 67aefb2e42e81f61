import { AccountSuspended, Unauthorized } from "@moim/domain/Kit/AccessErrors"
import {
  Authentication,
  CurrentUser,
  CurrentViewer,
  OpenAccess,
  OptionalAuthentication,
  PublicRateLimit,
  RpcAuthentication,
  RpcOpenAccess,
  RpcOptionalAuthentication,
  RpcPublicRateLimit
} from "@moim/domain/Kit/Authentication"
import { Effect, Layer, Option } from "effect"
import { HttpServerRequest } from "effect/http"
import { Sessions } from "../Accounts/Sessions.ts"
import { bearerToken } from "./BearerToken.ts"
import { ClientInfo } from "./ClientInfo.ts"
import { Idempotency } from "./Idempotency.ts"
import { RequestRateLimits } from "./RequestRateLimits.ts"

const signInFirst = new Unauthorized({ message: "Sign in first: send Authorization: Bearer <access token>" })

/**
 * The authentication steps both surfaces share, given the `Authorization` header of the REST
 * request or of the RPC call: the token's session is checked, then the per-user (or, for anonymous
 * reads, per-address) rate limit applies.
 */
const makeAuthenticate = Effect.gen(function* () {
  const sessions = yield* Sessions
  const limits = yield* RequestRateLimits

  /** A request whose credentials are refused still counts, against its address. */
  const countRefusal = (client: ClientInfo) => () => limits.general({ ip: client.ip })

  const required = Effect.fnUntraced(function* (authorization: string | undefined) {
    const client = yield* ClientInfo.current
    const actor = yield* bearerToken(authorization).pipe(
      Effect.flatMap(
        Option.match({
          onNone: () => Effect.fail(signInFirst),
          onSome: (token) => sessions.authenticate(token, client)
        })
      ),
      Effect.tapError(countRefusal(client))
    )
    yield* limits.general({ userId: actor.userId })
    return actor
  })

  /**
   * On public reads a suspended user's token gives no identity, so they read public content as anyone
   * may, and nothing more; an invalid or expired token is still refused, so clients refresh it.
   */
  const optional = Effect.fnUntraced(function* (authorization: string | undefined) {
    const client = yield* ClientInfo.current
    const viewer = yield* bearerToken(authorization).pipe(
      Effect.flatMap(
        Option.match({
          onNone: () => Effect.succeedNone,
          onSome: (token) =>
            sessions.authenticate(token, client).pipe(
              Effect.map(Option.some),
              Effect.catchIf(
                (error): error is AccountSuspended => error instanceof AccountSuspended,
                () => Effect.succeedNone
              )
            )
        })
      ),
      Effect.tapError(countRefusal(client))
    )
    yield* limits.general(Option.isSome(viewer) ? { userId: viewer.value.userId } : { ip: client.ip })
    return viewer
  })

  return { required, optional }
})

const authorizationHeader = HttpServerRequest.HttpServerRequest.useSync((request) => request.headers.authorization)

/** Whose keys an `Idempotency-Key` is looked up among: a signed-in user's, or everyone's without a token. */
const anonymousScope = "anonymous"

/**
 * REST: checks the bearer token and its session, applies the per-user rate limit, provides
 * `CurrentUser`, and runs an unsafe request with an `Idempotency-Key` once per user and key.
 */
export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.gen(function* () {
    const authenticate = yield* makeAuthenticate
    const idempotency = yield* Idempotency
    return Authentication.of({
      bearer: (httpEffect) =>
        Effect.flatMap(Effect.flatMap(authorizationHeader, authenticate.required), (actor) =>
          idempotency.rest(actor.userId, Effect.provideService(httpEffect, CurrentUser, actor))
        )
    })
  })
)

/** RPC: the same checks, with the token from each call's `authorization` header (and its `idempotency-key`). */
export const RpcAuthenticationLive = Layer.effect(
  RpcAuthentication,
  Effect.gen(function* () {
    const authenticate = yield* makeAuthenticate
    const idempotency = yield* Idempotency
    return RpcAuthentication.of((effect, call) =>
      Effect.flatMap(authenticate.required(call.headers.authorization), (actor) =>
        idempotency.rpc(actor.userId, Effect.provideService(effect, CurrentUser, actor), call)
      )
    )
  })
)

/**
 * REST, for public reads: anonymous without a token (rate limited per address), the signed-in viewer
 * with one; an unsafe request with an `Idempotency-Key` runs once per viewer and key.
 */
export const OptionalAuthenticationLive = Layer.effect(
  OptionalAuthentication,
  Effect.gen(function* () {
    const authenticate = yield* makeAuthenticate
    const idempotency = yield* Idempotency
    return OptionalAuthentication.of({
      optionalBearer: (httpEffect) =>
        Effect.flatMap(Effect.flatMap(authorizationHeader, authenticate.optional), (viewer) =>
          idempotency.rest(
            Option.isSome(viewer) ? viewer.value.userId : anonymousScope,
            Effect.provideService(httpEffect, CurrentViewer, viewer)
          )
        )
    })
  })
)

/** RPC, for public reads: the same, from each call's `authorization` header (and its `idempotency-key`). */
export const RpcOptionalAuthenticationLive = Layer.effect(
  RpcOptionalAuthentication,
  Effect.gen(function* () {
    const authenticate = yield* makeAuthenticate
    const idempotency = yield* Idempotency
    return RpcOptionalAuthentication.of((effect, call) =>
      Effect.flatMap(authenticate.optional(call.headers.authorization), (viewer) =>
        idempotency.rpc(
          Option.isSome(viewer) ? viewer.value.userId : anonymousScope,
          Effect.provideService(effect, CurrentViewer, viewer),
          call
        )
      )
    )
  })
)

const limitByAddress = Effect.gen(function* () {
  const limits = yield* RequestRateLimits
  return Effect.flatMap(ClientInfo.current, (client) => limits.general({ ip: client.ip }))
})

/**
 * REST, for endpoints anyone may call: the per-address limit, before the request is decoded; an
 * unsafe request with an `Idempotency-Key` (a sign-up, a refresh) runs once per key.
 */
export const PublicRateLimitLive = Layer.effect(
  PublicRateLimit,
  Effect.gen(function* () {
    const limit = yield* limitByAddress
    const idempotency = yield* Idempotency
    return PublicRateLimit.of((httpEffect) => Effect.andThen(limit, idempotency.rest(anonymousScope, httpEffect)))
  })
)

/** RPC, for calls anyone may make: the same per-address limit, and the call's `idempotency-key`. */
export const RpcPublicRateLimitLive = Layer.effect(
  RpcPublicRateLimit,
  Effect.gen(function* () {
    const limit = yield* limitByAddress
    const idempotency = yield* Idempotency
    return RpcPublicRateLimit.of((effect, call) => Effect.andThen(limit, idempotency.rpc(anonymousScope, effect, call)))
  })
)

/** REST, for operations open to all without a limit (the server's version): nothing to check. */
export const OpenAccessLive = Layer.succeed(OpenAccess)(OpenAccess.of((httpEffect) => httpEffect))

/** RPC, likewise. */
export const RpcOpenAccessLive = Layer.succeed(RpcOpenAccess)(RpcOpenAccess.of((effect) => effect))
