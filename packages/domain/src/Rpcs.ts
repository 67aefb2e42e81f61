import { AccountsRpcs } from "./AccountsRpcs.ts"
import { GroupsRpcs } from "./GroupsRpcs.ts"
import { RpcRequestValidation } from "./InvalidRequest.ts"
import { SystemRpcs } from "./SystemRpcs.ts"

/** Every RPC Moim serves at `/rpc` (HTTP) and `/rpc/ws` (WebSocket). */
export class Rpcs extends SystemRpcs.merge(AccountsRpcs, GroupsRpcs).middleware(RpcRequestValidation) {}
