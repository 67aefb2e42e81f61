import { NodeSocket } from "@effect/platform-node"
import { layerRpcClientMiddleware, makeRpcClient } from "@moim/domain/Kit/RpcClientMiddleware"
import { Effect, Layer, type Option } from "effect"
import { FetchHttpClient } from "effect/http"
import { RpcClient, RpcSerialization } from "effect/rpc"
import * as TestServer from "./TestServer.ts"

export type RpcProtocol = "http" | "websocket"

export const rpcProtocols: ReadonlyArray<RpcProtocol> = ["http", "websocket"]

const protocolLayer = (protocol: RpcProtocol) =>
  Layer.unwrap(
    Effect.map(TestServer.baseUrl, (base) =>
      protocol === "http"
        ? RpcClient.layerProtocolHttp({ url: `${base}/rpc` }).pipe(
            Layer.provide([FetchHttpClient.layer, RpcSerialization.layerNdjson])
          )
        : RpcClient.layerProtocolSocket().pipe(
            Layer.provide([
              NodeSocket.layerWebSocket(`${base.replace("http", "ws")}/rpc/ws`),
              RpcSerialization.layerJson
            ])
          )
    )
  )

const makeClient = makeRpcClient

/** The typed RPC client of Moim's whole RPC group. */
export type MoimRpcClient = Effect.Success<typeof makeClient>

/**
 * Runs `use` with a typed RPC client over HTTP or WebSocket against the running test server, with
 * the client middleware a frontend uses; `accessToken` is read for every call.
 */
export const withRpcClient = <A, E, R>(
  protocol: RpcProtocol,
  accessToken: Effect.Effect<Option.Option<string>>,
  use: (client: MoimRpcClient) => Effect.Effect<A, E, R>
) =>
  Effect.flatMap(makeClient, use).pipe(
    Effect.provide(Layer.merge(protocolLayer(protocol), layerRpcClientMiddleware(accessToken))),
    Effect.scoped
  )
