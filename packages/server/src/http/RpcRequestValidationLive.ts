import { InvalidRequest, RpcRequestValidation } from "@moim/domain/Kit/InvalidRequest"
import { Rpcs } from "@moim/domain/Rpcs"
import { Effect, Layer, Result, Schema } from "effect"
import { RpcServer } from "effect/rpc"

/** Every RPC may fail with `InvalidRequest`; the middleware itself lets every call through. */
export const RpcRequestValidationLive = Layer.succeed(RpcRequestValidation)(RpcRequestValidation.of((effect) => effect))

// As REST: unknown keys are refused and every failing field is reported.
const parseOptions = { onExcessProperty: "error", errors: "all" } as const

/**
 * The RPC server answers a payload that does not decode with a defect. This protocol in front of it
 * answers such a call itself with a typed `InvalidRequest` failure, naming each failing field as REST
 * does, and passes every other message through untouched. A function, so that each protocol (HTTP,
 * WebSocket) gets its own layer rather than one memoised instance.
 */
export const layerValidatingProtocol = <E, R>(
  protocol: Layer.Layer<RpcServer.Protocol, E, R>
): Layer.Layer<RpcServer.Protocol, E, R> =>
  Layer.effect(
    RpcServer.Protocol,
    Effect.gen(function* () {
      const protocol = yield* RpcServer.Protocol
      const encodeError = Schema.encodeSync(protocol.codecFor(InvalidRequest))
      const decoders = new Map<string, (payload: unknown) => Result.Result<unknown, Schema.SchemaError>>(
        Array.from(
          Rpcs.requests.values(),
          (rpc) => [rpc._tag, Schema.decodeUnknownResult(protocol.codecFor(rpc.payloadSchema), parseOptions)] as const
        )
      )
      return RpcServer.Protocol.of({
        ...protocol,
        run: (f) =>
          protocol.run((clientId, message) => {
            if (message._tag !== "Request" || message.isNotification === true) return f(clientId, message)
            const decoded = decoders.get(message.tag)?.(message.payload)
            if (decoded === undefined || Result.isSuccess(decoded)) return f(clientId, message)
            const error = InvalidRequest.fromIssue("payload", decoded.failure.issue)
            return protocol.send(clientId, {
              _tag: "Exit",
              requestId: message.id,
              exit: { _tag: "Failure", cause: [{ _tag: "Fail", error: encodeError(error) }] }
            })
          })
      })
    })
  ).pipe(Layer.provide(protocol))
