import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { Rpc } from "effect/rpc"
import * as Feature from "../Kit/Feature.ts"
import { RpcRequestValidation } from "../Kit/InvalidRequest.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { Timestamp } from "../Kit/Timestamp.ts"
import { Meta } from "./Meta.ts"

export class Pong extends Schema.Class<Pong>("Pong")({
  sequence: Schema.Int,
  serverTime: Timestamp
}) {}

export const GetMeta = Operation.make(
  {
    rpc: "GetMeta",
    access: Access.open,
    success: Meta,
    errors: [],
    summary: "Server metadata",
    description: "The server version and which adapters (database, Redis, storage, mail) are active."
  },
  (rest) => HttpApiEndpoint.get("meta", "/meta", rest.options).middleware(rest.middleware)
)

/**
 * RPC only: a stream of `Pong`s for a realtime client to check its connection and measure latency.
 * REST has no streams of this kind; the parity test lists it as RPC-only.
 */
export const Heartbeat = Rpc.make("Heartbeat", {
  payload: {
    intervalMillis: Schema.Int.check(Schema.isBetween({ minimum: 100, maximum: 60_000 })),
    count: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))
  },
  success: Pong,
  stream: true
}).middleware(RpcRequestValidation)

export const SystemOperations = [GetMeta] as const

export class SystemApi extends Operation.httpGroup("system", SystemOperations).annotateMerge(
  OpenApi.annotations({ title: "System", description: "Server metadata" })
) {}

/** System RPCs: the same metadata as `GET /api/v1/meta`, and the heartbeat stream. */
export class SystemRpcs extends Operation.rpcGroup(SystemOperations).add(Heartbeat) {}

export const SystemFeature = Feature.make({
  name: "system",
  rest: [SystemApi],
  rpcs: SystemRpcs,
  operations: SystemOperations,
  restOnly: [],
  rpcOnly: [
    { name: "Heartbeat", why: "a stream for realtime clients to check their connection; REST has no such streams" }
  ]
})
