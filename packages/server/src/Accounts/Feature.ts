import { AvatarRoute } from "./AvatarRoute.ts"
import { AccountsHttp, AccountsRpc } from "./Handlers.ts"

/** What accounts add to the server: the REST groups, the RPC handlers, the avatar redirect. */
export const AccountsFeature = {
  http: AccountsHttp,
  rpc: AccountsRpc,
  routes: AvatarRoute,
  plainRoutes: [
    {
      route: "GET /api/v1/users/:id/avatar",
      why: "the stable address in a profile's avatarUrl, for <img src>: a redirect to the stored image, not an API call"
    }
  ]
}
