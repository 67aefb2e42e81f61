import { RpcGroup } from "effect/rpc"
import { Features } from "./Features.ts"
import * as Feature from "./Kit/Feature.ts"

/**
 * Every RPC Moim serves at `/rpc` (HTTP) and `/rpc/ws` (WebSocket), from every feature. Each carries
 * `RpcRequestValidation` (added where the RPC is made: `Operation.make`, `Stream`, `Heartbeat`).
 *
 * A constant of type `RpcGroup<...>`, not a class extending it: `RpcServer.layer` and `RpcClient.make`
 * then read the RPCs from the type's argument. From a class the compiler has to infer them through
 * every member of `RpcGroup`, which for some 200 RPCs passed its limit on type instantiations.
 */
export const Rpcs = RpcGroup.make().merge(...Feature.rpcGroups(Features))
