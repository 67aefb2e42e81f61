import { Effect, Layer, Option, Result, Schema } from "effect"
import { Headers } from "effect/http"
import { RpcMiddleware } from "effect/rpc"
import { Rpcs } from "../Rpcs.ts"
import { RpcAuthentication, RpcOptionalAuthentication } from "./Authentication.ts"
import { InvalidRequest, RpcRequestValidation } from "./InvalidRequest.ts"

/** The payload encoder of every Moim RPC, by tag. */
const encoders = new Map<string, (payload: unknown) => Result.Result<unknown, Schema.SchemaError>>(
  Array.from(Rpcs.requests.values(), (rpc) => [rpc._tag, Schema.encodeUnknownResult(rpc.payloadSchema)] as const)
)

/**
 * The client side of the RPC middleware every Moim RPC client needs:
 *
 * - authentication: sets `authorization: Bearer <token>` on every call that takes one, reading the
 *   current access token each time (so a refreshed token is used at once). Works over WebSocket too,
 *   where browsers cannot set headers on the connection;
 * - request validation: a payload that does not encode (a nickname of one character, say) fails the
 *   call with the same `InvalidRequest` the server answers over REST, instead of a defect.
 */
export const layerRpcClientMiddleware = <R>(accessToken: Effect.Effect<Option.Option<string>, never, R>) => {
  const withToken = <Req extends { readonly headers: Headers.Headers }>(request: Req) =>
    Effect.map(accessToken, (token) =>
      Option.isNone(token)
        ? request
        : { ...request, headers: Headers.set(request.headers, "authorization", `Bearer ${token.value}`) }
    )
  return Layer.mergeAll(
    RpcMiddleware.layerClient(RpcAuthentication, ({ request, next }) => Effect.flatMap(withToken(request), next)),
    RpcMiddleware.layerClient(RpcOptionalAuthentication, ({ request, next }) =>
      Effect.flatMap(withToken(request), next)
    ),
    RpcMiddleware.layerClient(RpcRequestValidation, ({ rpc, request, next }) => {
      const encoded = encoders.get(rpc._tag)?.(request.payload)
      return encoded !== undefined && Result.isFailure(encoded)
        ? Effect.fail(InvalidRequest.fromIssue("payload", encoded.failure.issue))
        : next(request)
    })
  )
}
