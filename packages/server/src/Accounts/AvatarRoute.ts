import { UserId } from "@moim/domain/Accounts/User"
import { imageRedirectRoute } from "../http/ImageRedirectRoute.ts"
import { Profiles } from "./Profiles.ts"

/** `GET /api/v1/users/:id/avatar`: the `avatarUrl` of profiles, redirecting to the stored image. */
export const AvatarRoute = imageRedirectRoute({
  path: "/api/v1/users/:id/avatar",
  id: UserId,
  downloadUrl: (id) => Profiles.use((profiles) => profiles.avatarDownloadUrl(id)),
  notFound: { _tag: "UserNotFound", message: "No such user, or the user has no avatar" },
  cacheControl: "private, max-age=300"
})
