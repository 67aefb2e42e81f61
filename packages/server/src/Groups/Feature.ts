import { GroupsHttpLive, GroupsRpc } from "./Handlers.ts"
import { GroupImageRoute } from "./ImageRoute.ts"

/** What groups add to the server: the REST group, the RPC handlers, the group image redirect. */
export const GroupsFeature = {
  http: GroupsHttpLive,
  rpc: GroupsRpc,
  routes: GroupImageRoute,
  plainRoutes: [
    {
      route: "GET /api/v1/groups/:id/image",
      why: "the stable address in a group's imageUrl, for <img src>: a redirect to the stored image, not an API call"
    }
  ]
}
