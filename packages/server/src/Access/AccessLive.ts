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
  const countRefusal = (client: ClientInfo["Service"]) => () => limits.general({ ip: client.ip })

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

/** REST: checks the bearer token and its session, applies the per-user rate limit, provides `CurrentUser`. */
export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(makeAuthenticate, (authenticate) =>
    Authentication.of({
      bearer: (httpEffect) =>
        Effect.flatMap(Effect.flatMap(authorizationHeader, authenticate.required), (actor) =>
          Effect.provideService(httpEffect, CurrentUser, actor)
        )
    })
  )
)

/** RPC: the same checks, with the token from each call's `authorization` header. */
export const RpcAuthenticationLive = Layer.effect(
  RpcAuthentication,
  Effect.map(makeAuthenticate, (authenticate) =>
    RpcAuthentication.of((effect, { headers }) =>
      Effect.flatMap(authenticate.required(headers.authorization), (actor) =>
        Effect.provideService(effect, CurrentUser, actor)
      )
    )
  )
)

/** REST, for public reads: anonymous without a token (rate limited per address), the signed-in viewer with one. */
export const OptionalAuthenticationLive = Layer.effect(
  OptionalAuthentication,
  Effect.map(makeAuthenticate, (authenticate) =>
    OptionalAuthentication.of({
      optionalBearer: (httpEffect) =>
        Effect.flatMap(Effect.flatMap(authorizationHeader, authenticate.optional), (viewer) =>
          Effect.provideService(httpEffect, CurrentViewer, viewer)
        )
    })
  )
)

/** RPC, for public reads: the same, from each call's `authorization` header. */
export const RpcOptionalAuthenticationLive = Layer.effect(
  RpcOptionalAuthentication,
  Effect.map(makeAuthenticate, (authenticate) =>
    RpcOptionalAuthentication.of((effect, { headers }) =>
      Effect.flatMap(authenticate.optional(headers.authorization), (viewer) =>
        Effect.provideService(effect, CurrentViewer, viewer)
      )
    )
  )
)

const limitByAddress = Effect.gen(function* () {
  const limits = yield* RequestRateLimits
  return Effect.flatMap(ClientInfo.current, (client) => limits.general({ ip: client.ip }))
})

/** REST, for endpoints anyone may call: the per-address limit, before the request is decoded. */
export const PublicRateLimitLive = Layer.effect(
  PublicRateLimit,
  Effect.map(limitByAddress, (limit) => PublicRateLimit.of((httpEffect) => Effect.andThen(limit, httpEffect)))
)

/** RPC, for calls anyone may make: the same per-address limit. */
export const RpcPublicRateLimitLive = Layer.effect(
  RpcPublicRateLimit,
  Effect.map(limitByAddress, (limit) => RpcPublicRateLimit.of((effect) => Effect.andThen(limit, effect)))
)

/** REST, for operations open to all without a limit (the server's version): nothing to check. */
export const OpenAccessLive = Layer.succeed(OpenAccess)(OpenAccess.of((httpEffect) => httpEffect))

/** RPC, likewise. */
export const RpcOpenAccessLive = Layer.succeed(RpcOpenAccess)(RpcOpenAccess.of((effect) => effect))
