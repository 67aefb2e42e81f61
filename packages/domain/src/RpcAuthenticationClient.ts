import { Effect, Layer, Option } from "effect"
import { Headers } from "effect/http"
import { RpcMiddleware } from "effect/rpc"
import { RpcAuthentication, RpcOptionalAuthentication } from "./Authentication.ts"

/**
 * The client side of `RpcAuthentication`: sets `authorization: Bearer <token>` on every call that
 * needs it, reading the current access token each time (so a refreshed token is used at once).
 * Works over WebSocket too, where browsers cannot set headers on the connection.
 */
export const layerRpcAuthenticationClient = <R>(accessToken: Effect.Effect<Option.Option<string>, never, R>) => {
  const withToken = <Req extends { readonly headers: Headers.Headers }>(request: Req) =>
    Effect.map(accessToken, (token) =>
      Option.isNone(token)
        ? request
        : { ...request, headers: Headers.set(request.headers, "authorization", `Bearer ${token.value}`) }
    )
  return Layer.merge(
    RpcMiddleware.layerClient(RpcAuthentication, ({ request, next }) => Effect.flatMap(withToken(request), next)),
    RpcMiddleware.layerClient(RpcOptionalAuthentication, ({ request, next }) =>
      Effect.flatMap(withToken(request), next)
    )
  )
}
