import { RpcGroup } from "effect/rpc"
import { Features } from "./Features.ts"
import * as Feature from "./Kit/Feature.ts"
import { RpcRequestValidation } from "./Kit/InvalidRequest.ts"

/** Every RPC Moim serves at `/rpc` (HTTP) and `/rpc/ws` (WebSocket), from every feature. */
export class Rpcs extends RpcGroup.make()
  .merge(...Feature.rpcGroups(Features))
  .middleware(RpcRequestValidation) {}
