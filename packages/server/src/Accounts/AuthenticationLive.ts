import { AccountSuspended, Unauthorized } from "@moim/domain/AuthErrors"
import {
  Authentication,
  CurrentUser,
  CurrentViewer,
  OptionalAuthentication,
  RpcAuthentication,
  RpcOptionalAuthentication
} from "@moim/domain/Authentication"
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpServerRequest } from "effect/http"
import { AccountRateLimits } from "./AccountRateLimits.ts"
import { Accounts } from "./Accounts.ts"
import { clientInfo } from "./ClientInfo.ts"

const bearerPrefix = /^Bearer\s+/i

/** REST: checks the bearer token and its session, applies the per-user rate limit, provides `CurrentUser`. */
export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const limits = yield* AccountRateLimits
    return Authentication.of({
      bearer: (httpEffect, { credential }) =>
        Effect.gen(function* () {
          const token = Redacted.value(credential)
          if (token.length === 0) {
            return yield* new Unauthorized({ message: "Sign in first: send Authorization: Bearer <access token>" })
          }
          const request = yield* HttpServerRequest.HttpServerRequest
          const actor = yield* accounts.authenticate(token, clientInfo(request.headers))
          yield* limits.general({ userId: actor.userId })
          return yield* Effect.provideService(httpEffect, CurrentUser, actor)
        })
    })
  })
)

/** RPC: the same checks, with the token from each call's `authorization` header. */
export const RpcAuthenticationLive = Layer.effect(
  RpcAuthentication,
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const limits = yield* AccountRateLimits
    return RpcAuthentication.of((effect, { headers }) =>
      Effect.gen(function* () {
        const header = headers.authorization ?? ""
        if (!bearerPrefix.test(header)) {
          return yield* new Unauthorized({ message: "Sign in first: send authorization: Bearer <access token>" })
        }
        const actor = yield* accounts.authenticate(header.replace(bearerPrefix, ""), clientInfo(headers))
        yield* limits.general({ userId: actor.userId })
        return yield* Effect.provideService(effect, CurrentUser, actor)
      })
    )
  })
)

/**
 * On public reads a suspended user's token gives no identity, so they read public content as anyone
 * may, and nothing more; an invalid or expired token is still refused, so clients refresh it.
 */
const asViewer = <E, R>(authenticate: Effect.Effect<CurrentUser["Service"], E | AccountSuspended, R>) =>
  authenticate.pipe(
    Effect.map(Option.some),
    Effect.catchIf(
      (error): error is AccountSuspended => error instanceof AccountSuspended,
      () => Effect.succeed(Option.none<CurrentUser["Service"]>())
    )
  )

/** REST, for public reads: anonymous without a token (rate limited per address), the signed-in viewer with one. */
export const OptionalAuthenticationLive = Layer.effect(
  OptionalAuthentication,
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const limits = yield* AccountRateLimits
    return OptionalAuthentication.of({
      bearer: (httpEffect, { credential }) =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const token = Redacted.value(credential)
          if (token.length === 0) {
            yield* limits.general({ ip: clientInfo(request.headers).ip })
            return yield* Effect.provideService(httpEffect, CurrentViewer, Option.none())
          }
          const viewer = yield* asViewer(accounts.authenticate(token, clientInfo(request.headers)))
          yield* limits.general(
            Option.isSome(viewer) ? { userId: viewer.value.userId } : { ip: clientInfo(request.headers).ip }
          )
          return yield* Effect.provideService(httpEffect, CurrentViewer, viewer)
        })
    })
  })
)

/** RPC, for public reads: the same, from each call's `authorization` header. */
export const RpcOptionalAuthenticationLive = Layer.effect(
  RpcOptionalAuthentication,
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const limits = yield* AccountRateLimits
    return RpcOptionalAuthentication.of((effect, { headers }) =>
      Effect.gen(function* () {
        const header = headers.authorization ?? ""
        if (!bearerPrefix.test(header)) {
          yield* limits.general({ ip: clientInfo(headers).ip })
          return yield* Effect.provideService(effect, CurrentViewer, Option.none())
        }
        const viewer = yield* asViewer(accounts.authenticate(header.replace(bearerPrefix, ""), clientInfo(headers)))
        yield* limits.general(Option.isSome(viewer) ? { userId: viewer.value.userId } : { ip: clientInfo(headers).ip })
        return yield* Effect.provideService(effect, CurrentViewer, viewer)
      })
    )
  })
)
