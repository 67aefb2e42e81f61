import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import { GroupId } from "../Groups/Group.ts"
import { CommentId, PostId } from "./Post.ts"

/** What the posts feature tells the realtime stream: ids only; fetch what you show. */
export const PostCreatedEvent = Schema.Struct({ groupId: GroupId, postId: PostId })
export const CommentCreatedEvent = Schema.Struct({
  postId: PostId,
  commentId: CommentId,
  parentId: Schema.NullOr(CommentId),
  authorId: UserId
})
