import { Layer } from "effect"
import { AvatarRoute } from "./AvatarRoute.ts"
import { AccountsHttp, AccountsRpc } from "./Handlers.ts"
import { OidcCallbackRoute } from "./OidcCallbackRoute.ts"

/** What accounts add to the server: the REST groups, the RPC handlers, the avatar and OpenID callback redirects. */
export const AccountsFeature = {
  http: AccountsHttp,
  rpc: AccountsRpc,
  routes: Layer.mergeAll(AvatarRoute, OidcCallbackRoute),
  plainRoutes: [
    {
      route: "GET /api/v1/users/:id/avatar",
      why: "the stable address in a profile's avatarUrl, for <img src>: a redirect to the stored image, not an API call"
    },
    {
      route: "GET /api/v1/auth/oidc/:provider/callback",
      why: "where an OpenID provider sends the browser back: a redirect to the app with a one-time code, not an API call"
    }
  ]
}
