import { RpcGroup } from "effect/rpc"
import { Features } from "./Features.ts"
import * as Feature from "./Kit/Feature.ts"

/**
 * Every RPC Moim serves at `/rpc` (HTTP) and `/rpc/ws` (WebSocket), from every feature. Each carries
 * `RpcRequestValidation` (added where the RPC is made: `Operation.make`, `Stream`, `Heartbeat`).
 */
export class Rpcs extends RpcGroup.make().merge(...Feature.rpcGroups(Features)) {}
