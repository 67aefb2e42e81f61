import { Effect } from "effect"
import type { SubjectResolver } from "../Notifications/NotificationSubjects.ts"
import type { TopicResolver } from "../Realtime/TopicAccess.ts"
import { Posts } from "./Posts.ts"

/** A post's topic may be joined by whoever may see the post. */
export const PostTopics = Effect.map(
  Posts,
  (posts): TopicResolver => ({
    kind: "post",
    allowed: (viewer, id) => Effect.map(posts.visible(viewer, [id]), (visible) => visible.has(id))
  })
)

/** A notification about a post is shown while the post exists and its recipient may see it. */
export const PostSubjects = Effect.map(
  Posts,
  (posts): SubjectResolver => ({ kind: "post", visible: (viewer, ids) => posts.visible(viewer, ids) })
)
