import { AvatarRoute } from "./AvatarRoute.ts"
import { AccountsHttp, AccountsRpc } from "./Handlers.ts"

/** What accounts add to the server: the REST groups, the RPC handlers, the avatar redirect. */
export const AccountsFeature = { http: AccountsHttp, rpc: AccountsRpc, routes: AvatarRoute }
