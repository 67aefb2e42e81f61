import { Schema } from "effect"
import { PublicProfile, UserId } from "../Accounts/User.ts"
import { GroupId } from "../Groups/Group.ts"
import { Text, TrimmedText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

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
    "`public`: anyone; `followers`, `friends`: people who follow you, your friends (once you have some; until then, only you); `specific`: the people in `audienceUserIds`"
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

export class Post extends Schema.Class<Post>("Post")(
  {
    id: PostId,
    author: PublicProfile,
    place: PostPlace,
    audience: Schema.NullOr(PostAudience).annotate({ description: "For profile posts; null in a group" }),
    title: Schema.NullOr(Schema.String),
    body: Schema.String,
    entities: Schema.Array(PostEntity),
    pinned: Schema.Boolean,
    commentsLocked: Schema.Boolean,
    commentCount: Schema.Int,
    createdAt: Timestamp,
    editedAt: Schema.NullOr(Timestamp).annotate({ description: "When the body or title last changed" }),
    viewer: Schema.Struct({
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
    description: "`specific` needs `audienceUserIds`, and only `specific` takes them"
  }
) {}
