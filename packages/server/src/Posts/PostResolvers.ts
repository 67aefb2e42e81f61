import { PostId } from "@moim/domain/Posts/Post"
import { Effect } from "effect"
import { subjectKindOf } from "../Media/MediaOrphans.ts"
import type { SubjectResolver } from "../Notifications/NotificationSubjects.ts"
import type { TopicResolver } from "../Realtime/TopicAccess.ts"
import { Posts } from "./Posts.ts"
import { PostsRepo } from "./PostsRepo.ts"

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

/** Which posts still exist, for the sweep of photos whose subject is gone (`MediaOrphans`). */
export const PostMediaSubjects = Effect.map(PostsRepo, (repo) => subjectKindOf("post", PostId, repo.findMany)).pipe(
  Effect.provide(PostsRepo.layer)
)
