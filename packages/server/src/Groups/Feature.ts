import { GroupsHttpLive, GroupsRpc } from "./Handlers.ts"
import { GroupImageRoute } from "./ImageRoute.ts"

/** What groups add to the server: the REST group, the RPC handlers, the group image redirect. */
export const GroupsFeature = { http: GroupsHttpLive, rpc: GroupsRpc, routes: GroupImageRoute }
