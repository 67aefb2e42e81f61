import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import { GroupId } from "../Groups/Group.ts"
import * as Job from "../Jobs/Job.ts"
import * as NotificationKind from "../Notifications/NotificationKind.ts"
import { CommentId, PostId } from "./Post.ts"

const excerpt = Schema.String.annotate({ description: "The start of the post or comment, for the sentence" })

/** What a notification about a post carries: the post, its group (null on a profile) and its words. */
const OnPost = Schema.Struct({ postId: PostId, groupId: Schema.NullOr(GroupId), excerpt })

const quoted = (text: string) => `“${text}”`

export const PostCreated = NotificationKind.make({
  type: "post.created",
  identifier: "PostCreatedNotification",
  description: "A new post in a group whose posts you follow (its setting is `all`)",
  subject: "post",
  data: Schema.Struct({ postId: PostId, groupId: GroupId, groupName: Schema.String, excerpt }),
  mutedWithGroup: true,
  defaults: { email: false, push: true },
  text: (who, data) => `${who} posted in ${data.groupName}: ${quoted(data.excerpt)}`
})

export const PostMentioned = NotificationKind.make({
  type: "post.mentioned",
  identifier: "PostMentionedNotification",
  description: "Someone mentions you in a post or comment",
  subject: "post",
  data: Schema.Struct({ ...OnPost.fields, commentId: Schema.NullOr(CommentId) }),
  defaults: { email: true, push: true },
  text: (who, data) =>
    `${who} mentioned you in ${data.commentId === null ? "a post" : "a comment"}: ${quoted(data.excerpt)}`
})

export const PostCommented = NotificationKind.make({
  type: "post.commented",
  identifier: "PostCommentedNotification",
  description: "Someone comments on your post",
  subject: "post",
  data: OnPost,
  collapse: true,
  defaults: { email: false, push: true },
  text: (who, data) => `${who} commented on your post ${quoted(data.excerpt)}`
})

export const CommentReplied = NotificationKind.make({
  type: "comment.replied",
  identifier: "CommentRepliedNotification",
  description: "Someone replies to your comment",
  subject: "post",
  data: OnPost,
  collapse: true,
  defaults: { email: false, push: true },
  text: (who, data) => `${who} replied to your comment ${quoted(data.excerpt)}`
})

export const PostReacted = NotificationKind.make({
  type: "post.reacted",
  identifier: "PostReactedNotification",
  description: "Someone reacts to your post",
  subject: "post",
  data: OnPost,
  collapse: true,
  defaults: { email: false, push: false },
  text: (who, data) => `${who} reacted to your post ${quoted(data.excerpt)}`
})

export const CommentReacted = NotificationKind.make({
  type: "comment.reacted",
  identifier: "CommentReactedNotification",
  description: "Someone reacts to your comment",
  subject: "post",
  data: OnPost,
  collapse: true,
  defaults: { email: false, push: false },
  text: (who, data) => `${who} reacted to your comment ${quoted(data.excerpt)}`
})

/** Every notification the posts feature sends. */
export const PostNotificationKinds = [
  PostCreated,
  PostMentioned,
  PostCommented,
  CommentReplied,
  PostReacted,
  CommentReacted
] as const

/** A notification from the posts feature, as clients receive it. */
export const PostNotification = Schema.Union([
  PostCreated.schema,
  PostMentioned.schema,
  PostCommented.schema,
  CommentReplied.schema,
  PostReacted.schema,
  CommentReacted.schema
])

/** Something that happened to a post that people are told about; `by` is who did it. */
export const PostEvent = Schema.Union([
  Schema.TaggedStruct("Posted", { postId: PostId, by: UserId }),
  Schema.TaggedStruct("Commented", { postId: PostId, commentId: CommentId, by: UserId }),
  Schema.TaggedStruct("Reacted", { postId: PostId, commentId: Schema.NullOr(CommentId), by: UserId })
])
export type PostEvent = typeof PostEvent.Type

/**
 * A post event to notify people of, enqueued in the transaction of the change; the worker works
 * out who is told (`PostNotifier`) from the post as it then is. `eventId` makes delivery idempotent.
 */
export const NotifyPostEvent = Job.make(
  "NotifyPostEvent",
  Schema.Struct({ eventId: Schema.String, event: PostEvent }),
  { key: (payload) => `post-event:${payload.eventId}` }
)
