import { PostId } from "@moim/domain/Posts/Post"
import { Effect, Option, Schema } from "effect"
import type { MediaSubjectKind } from "../Media/MediaOrphans.ts"
import type { SubjectResolver } from "../Notifications/NotificationSubjects.ts"
import type { TopicResolver } from "../Realtime/TopicAccess.ts"
import { Posts } from "./Posts.ts"
import { PostsRepo } from "./PostsRepo.ts"

const decodePostId = Schema.decodeUnknownOption(PostId)

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
export const PostMediaSubjects = Effect.map(
  PostsRepo,
  (repo): MediaSubjectKind => ({
    kind: "post",
    existing: (ids) =>
      Effect.map(
        repo.findMany(ids.flatMap((id) => Option.toArray(decodePostId(id)))),
        (rows) => new Set<string>(rows.map((row) => row.id))
      )
  })
).pipe(Effect.provide(PostsRepo.layer))
