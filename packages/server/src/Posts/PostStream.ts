import type { UserId } from "@moim/domain/Accounts/User"
import type { GroupId } from "@moim/domain/Groups/Group"
import type { CommentId, PostId } from "@moim/domain/Posts/Post"
import { Effect } from "effect"
import { groupTopic } from "../Groups/GroupStream.ts"
import { StreamOutbox } from "../Realtime/StreamOutbox.ts"

export const postTopic = (postId: PostId) => `post:${postId}`

/**
 * `const stream = yield* PostStream.make`: what posts publish to the realtime stream, in the caller's
 * transaction. Events carry ids only: a client fetches the post or comment, and sees it only if it
 * may.
 */
export const PostStream = {
  make: Effect.gen(function* () {
    const outbox = yield* StreamOutbox
    return {
      /** A new post in a group, on the group's topic. */
      posted: (groupId: GroupId, postId: PostId) =>
        outbox.publish([{ topic: groupTopic(groupId), type: "post.created", data: { groupId, postId } }]),
      /** A new comment, on the post's topic. */
      commented: (postId: PostId, commentId: CommentId, parentId: CommentId | null, authorId: UserId) =>
        outbox.publish([
          { topic: postTopic(postId), type: "comment.created", data: { postId, commentId, parentId, authorId } }
        ])
    }
  })
}
