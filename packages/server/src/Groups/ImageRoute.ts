import { GroupId } from "@moim/domain/Groups/Group"
import { imageRedirectRoute } from "../http/ImageRedirectRoute.ts"
import { Groups } from "./Groups.ts"

/** `GET /api/v1/groups/:id/image`: the `imageUrl` of a public group, redirecting to the stored image. */
export const GroupImageRoute = imageRedirectRoute({
  path: "/api/v1/groups/:id/image",
  id: GroupId,
  downloadUrl: (id) => Groups.use((groups) => groups.imageDownloadUrl(id)),
  notFound: { _tag: "GroupNotFound", message: "No such public group, or it has no image" },
  cacheControl: "public, max-age=300"
})
