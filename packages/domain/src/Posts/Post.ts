import { Schema } from "effect"
import { PublicProfile, UserId } from "../Accounts/User.ts"
import { GroupId } from "../Groups/Group.ts"
import { EditVersion } from "../Kit/ConditionalRequests.ts"
import { Page } from "../Kit/Page.ts"
import { Text, TrimmedText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"
import { Attachment } from "../Media/Media.ts"

export const PostId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("PostId"))
  .annotate({ identifier: "PostId", description: "A post's id (UUIDv7)" })
export type PostId = typeof PostId.Type

export const PostTitle = TrimmedText({
  minLength: 1,
  maxLength: 200,
  annotations: { description: "1 to 200 characters" }
})

export const PostBody = Text({
  minLength: 1,
  maxLength: 20_000,
  annotations: {
    description:
      "Plain text, 1 to 20000 characters. `<@userId>` mentions a user; `#word` is a hashtag; `http(s)://` links are recognised. All come back as `entities`."
  }
})

/** Who may see a post on its author's profile. Posts in a group follow the group's visibility. */
export const PostAudience = Schema.Literals(["public", "followers", "friends", "specific"]).annotate({
  identifier: "PostAudience",
  description:
    "`public`: anyone; `followers`: people who follow you, and your friends; `friends`: your friends; `specific`: the friends in `audienceUserIds`. Without one, your `defaultPostAudience` setting"
})
export type PostAudience = typeof PostAudience.Type

export const PostPlace = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("group"), groupId: GroupId }),
  Schema.Struct({ kind: Schema.Literal("profile"), userId: UserId })
]).annotate({ identifier: "PostPlace", description: "Where the post is: in a group, or on its author's profile" })
export type PostPlace = typeof PostPlace.Type

/** Something recognised in a post's body, by its position (UTF-16 code units, as JavaScript indexes strings). */
export const PostEntity = Schema.Union([
  Schema.Struct({ type: Schema.Literal("mention"), start: Schema.Int, end: Schema.Int, userId: UserId }),
  Schema.Struct({ type: Schema.Literal("hashtag"), start: Schema.Int, end: Schema.Int, tag: Schema.String }),
  Schema.Struct({ type: Schema.Literal("link"), start: Schema.Int, end: Schema.Int, url: Schema.String })
]).annotate({ identifier: "PostEntity", description: "A mention, hashtag or link in the body, with its range" })
export type PostEntity = typeof PostEntity.Type

/** The reactions one may leave on a post or comment. */
export const Emoji = Schema.Literals(["like", "love", "laugh", "wow", "sad", "angry"]).annotate({
  identifier: "Emoji",
  description: "A reaction: 👍 like, ❤️ love, 😂 laugh, 😮 wow, 😢 sad, 😠 angry"
})
export type Emoji = typeof Emoji.Type

export const ReactionSummary = Schema.Struct({
  counts: Schema.Struct({
    like: Schema.Int,
    love: Schema.Int,
    laugh: Schema.Int,
    wow: Schema.Int,
    sad: Schema.Int,
    angry: Schema.Int
  }),
  mine: Schema.NullOr(Emoji).annotate({ description: "Your reaction, if you reacted" })
}).annotate({ identifier: "ReactionSummary", description: "How many reacted with each emoji, and how you did" })
export type ReactionSummary = typeof ReactionSummary.Type

export class Post extends Schema.Class<Post>("Post")(
  {
    id: PostId,
    author: PublicProfile,
    place: PostPlace,
    audience: Schema.NullOr(PostAudience).annotate({ description: "For profile posts; null in a group" }),
    title: Schema.NullOr(Schema.String),
    body: Schema.String,
    entities: Schema.Array(PostEntity),
    attachments: Schema.Array(Attachment).annotate({ description: "Photos, in order (up to 10)" }),
    pinned: Schema.Boolean,
    commentsLocked: Schema.Boolean,
    hidden: Schema.Boolean.annotate({
      description: "Hidden pending review after reports: only its author and moderators see it"
    }),
    commentCount: Schema.Int,
    reactions: ReactionSummary,
    version: EditVersion,
    createdAt: Timestamp,
    editedAt: Schema.NullOr(Timestamp).annotate({ description: "When the body or title last changed" }),
    viewer: Schema.Struct({
      bookmarked: Schema.Boolean,
      canEdit: Schema.Boolean,
      canDelete: Schema.Boolean,
      canModerate: Schema.Boolean.annotate({
        description: "Pin, and lock comments of others' posts (group moderators)"
      })
    }).annotate({ description: "What you may do with it" })
  },
  { description: "A post" }
) {}

export class PostVersion extends Schema.Class<PostVersion>("PostVersion")(
  Schema.Struct({
    title: Schema.NullOr(Schema.String),
    body: Schema.String,
    createdAt: Timestamp.annotate({ description: "When this version was written" })
  }).annotate({ description: "An earlier version of a post, kept when it was edited" }),
  { description: "An earlier version of a post, kept when it was edited" }
) {}

export class PostNotFound extends Schema.TaggedError<PostNotFound>()(
  "PostNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "PostNotFound", description: "No such post, or not one you may see" }
) {}

export class PinLimitReached extends Schema.TaggedError<PinLimitReached>()(
  "PinLimitReached",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "PinLimitReached", description: "A group has at most 3 pinned posts" }
) {}

export class AudienceNotAllowed extends Schema.TaggedError<AudienceNotAllowed>()(
  "AudienceNotAllowed",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "AudienceNotAllowed",
    description: "`specific` needs `audienceUserIds`, who must be your friends, and only `specific` takes them"
  }
) {}

export const CommentId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("CommentId"))
  .annotate({ identifier: "CommentId", description: "A comment's id (UUIDv7)" })
export type CommentId = typeof CommentId.Type

export const CommentBody = Text({
  minLength: 1,
  maxLength: 5_000,
  annotations: { description: "Plain text, 1 to 5000 characters, with the same entities as a post's body" }
})

/** How deep replies nest: a reply to a comment at this depth becomes its sibling. */
export const maxCommentDepth = 2

export class Comment extends Schema.Class<Comment>("Comment")(
  Schema.Struct({
    id: CommentId,
    postId: PostId,
    parentId: Schema.NullOr(CommentId),
    depth: Schema.Int.annotate({ description: "0 for a comment on the post, up to 2 for replies" }),
    author: Schema.NullOr(PublicProfile).annotate({ description: "Null once the comment is deleted" }),
    body: Schema.String.annotate({ description: "Empty once the comment is deleted" }),
    entities: Schema.Array(PostEntity),
    deleted: Schema.Boolean.annotate({ description: "A deleted comment stays as a placeholder while it has replies" }),
    replyCount: Schema.Int,
    reactions: ReactionSummary,
    createdAt: Timestamp,
    editedAt: Schema.NullOr(Timestamp),
    viewer: Schema.Struct({ canEdit: Schema.Boolean, canDelete: Schema.Boolean })
  }).annotate({ description: "A comment on a post, or a reply to one" }),
  { description: "A comment on a post, or a reply to one" }
) {}

export class Reaction extends Schema.Class<Reaction>("Reaction")(
  Schema.Struct({ user: PublicProfile, emoji: Emoji, createdAt: Timestamp }).annotate({
    description: "Who reacted, how, when"
  }),
  { description: "Who reacted, how, when" }
) {}

export class CommentNotFound extends Schema.TaggedError<CommentNotFound>()(
  "CommentNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "CommentNotFound", description: "No such comment on a post you may see" }
) {}

export class CommentsLocked extends Schema.TaggedError<CommentsLocked>()(
  "CommentsLocked",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "CommentsLocked", description: "The post's comments are locked" }
) {}

export const PostPage = Page(Post, "PostPage")
export const CommentPage = Page(Comment, "CommentPage")
export const ReactionPage = Page(Reaction, "ReactionPage")
