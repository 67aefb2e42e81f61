import { Effect, Layer, Option, Result, Schema, Stream } from "effect"
import { Headers } from "effect/http"
import { RpcClient, RpcMiddleware, RpcSchema } from "effect/rpc"
import { Rpcs } from "../Rpcs.ts"
import { RpcAuthentication, RpcOptionalAuthentication } from "./Authentication.ts"
import { InvalidRequest, RpcRequestValidation } from "./InvalidRequest.ts"

/** The payload encoder of every Moim RPC, by tag. */
const encoders = new Map<string, (payload: unknown) => Result.Result<unknown, Schema.SchemaError>>(
  Array.from(Rpcs.requests.values(), (rpc) => [rpc._tag, Schema.encodeUnknownResult(rpc.payloadSchema)] as const)
)

/** The `InvalidRequest` a call's payload fails with, when it does not encode. */
const invalidPayload = (tag: string, payload: unknown): InvalidRequest | undefined => {
  const encoded = encoders.get(tag)?.(payload)
  return encoded !== undefined && Result.isFailure(encoded)
    ? InvalidRequest.fromIssue("payload", encoded.failure.issue)
    : undefined
}

const streaming: ReadonlySet<string> = new Set(
  Array.from(Rpcs.requests.values()).flatMap((rpc) => (RpcSchema.isStreamSchema(rpc.successSchema) ? [rpc._tag] : []))
)

/**
 * Moim's RPC client: `RpcClient.make(Rpcs)`, whose calls fail with the typed `InvalidRequest` when
 * their payload does not encode (an emoji that is not one, a nickname of one character). Effect's
 * client builds the payload with its schema's constructor before any middleware runs, and that
 * throws on a value that breaks a check: without this, such a call dies with a defect. Use it with
 * `layerRpcClientMiddleware`.
 */
export const makeRpcClient = Effect.map(
  RpcClient.make(Rpcs),
  (client) =>
    new Proxy(client, {
      get: (target, property, receiver) => {
        const method: unknown = Reflect.get(target, property, receiver)
        if (typeof property !== "string" || typeof method !== "function" || !encoders.has(property)) return method
        return (payload: unknown, options?: unknown) => {
          const invalid = invalidPayload(property, payload)
          if (invalid === undefined) return Reflect.apply(method, target, [payload, options])
          return streaming.has(property) ? Stream.fail(invalid) : Effect.fail(invalid)
        }
      }
    })
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
      const invalid = invalidPayload(rpc._tag, request.payload)
      return invalid === undefined ? next(request) : Effect.fail(invalid)
    })
  )
}
