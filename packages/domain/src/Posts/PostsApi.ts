import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { UserId, UserNotFound } from "../Accounts/User.ts"
import { GroupId, GroupNotFound } from "../Groups/Group.ts"
import { Forbidden } from "../Kit/AccessErrors.ts"
import { Batch, BatchIds } from "../Kit/Batch.ts"
import { PreconditionFailed } from "../Kit/ConditionalRequests.ts"
import * as Feature from "../Kit/Feature.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, PageQuery } from "../Kit/Page.ts"
import { SearchText } from "../Kit/Text.ts"
import { MediaId } from "../Media/Media.ts"
import { MediaNotAPhoto, MediaNotAttachable, MediaNotFound } from "../Media/MediaErrors.ts"
import { BookmarksApi, BookmarksOperations } from "./BookmarksApi.ts"
import { CommentsApi, CommentsOperations } from "./CommentsApi.ts"
import {
  AudienceNotAllowed,
  PinLimitReached,
  Post,
  PostAudience,
  PostBody,
  PostId,
  PostNotFound,
  PostPage,
  PostTitle,
  PostVersion
} from "./Post.ts"
import { ReactionsApi, ReactionsOperations } from "./ReactionsApi.ts"

const AttachmentIds = Schema.Array(MediaId)
  .check(Schema.isMaxLength(10))
  .annotate({ description: "Finished photo uploads of yours (`POST /media/uploads`), in order; up to 10" })

const AudienceUserIds = Schema.Array(UserId)
  .check(Schema.isMaxLength(100))
  .annotate({ description: "With `specific`: who may see it (up to 100 people)" })

export const CreateGroupPostPayload = Schema.Struct({
  title: Schema.optional(PostTitle),
  body: PostBody,
  attachmentIds: Schema.optional(AttachmentIds)
}).annotate({ identifier: "CreateGroupPostPayload", description: "A post in a group you belong to" })

export const CreateProfilePostPayload = Schema.Struct({
  title: Schema.optional(PostTitle),
  body: PostBody,
  attachmentIds: Schema.optional(AttachmentIds),
  audience: Schema.optional(PostAudience).annotate({ description: "Default `public`" }),
  audienceUserIds: Schema.optional(AudienceUserIds)
}).annotate({ identifier: "CreateProfilePostPayload", description: "A post on your profile" })

export const UpdatePostPayload = Schema.Struct({
  title: Schema.optional(Schema.NullOr(PostTitle)),
  body: Schema.optional(PostBody),
  attachmentIds: Schema.optional(AttachmentIds.annotate({ description: "The photos the post now has, in order" })),
  audience: Schema.optional(PostAudience),
  audienceUserIds: Schema.optional(AudienceUserIds)
}).annotate({
  identifier: "UpdatePostPayload",
  description: "Only the fields present change; the previous title and body are kept as a version"
})

export const PostSort = Schema.Literals(["newest", "active"]).annotate({
  identifier: "PostSort",
  description: "`newest` (default): by creation; `active`: by latest activity (new comments)"
})

export const CreateGroupPost = Operation.make(
  {
    rpc: "CreateGroupPost",
    access: Access.signedIn,
    params: { id: GroupId },
    body: Operation.body(CreateGroupPostPayload),
    success: Post,
    status: 201,
    errors: [GroupNotFound, Forbidden, MediaNotFound, MediaNotAttachable, MediaNotAPhoto],
    summary: "Post in a group",
    description: "Members post; the group's visibility decides who reads it."
  },
  (rest) => HttpApiEndpoint.post("createInGroup", "/groups/:id/posts", rest.options).middleware(rest.middleware)
)

export const CreateProfilePost = Operation.make(
  {
    rpc: "CreateProfilePost",
    access: Access.signedIn,
    body: Operation.body(CreateProfilePostPayload),
    success: Post,
    status: 201,
    errors: [AudienceNotAllowed, MediaNotFound, MediaNotAttachable, MediaNotAPhoto],
    summary: "Post on your profile",
    description: "Seen by its `audience`."
  },
  (rest) => HttpApiEndpoint.post("createOnProfile", "/me/posts", rest.options).middleware(rest.middleware)
)

export const GetPost = Operation.make(
  {
    rpc: "GetPost",
    access: Access.anyone,
    params: { id: PostId },
    success: Post,
    versioned: true,
    errors: [PostNotFound],
    summary: "A post",
    description: "Anyone who may see it; to everyone else it does not exist."
  },
  (rest) => HttpApiEndpoint.get("get", "/posts/:id", rest.options).middleware(rest.middleware)
)

export const GetPostsByIds = Operation.make(
  {
    rpc: "GetPostsByIds",
    access: Access.anyone,
    query: BatchIds(PostId),
    success: Batch(Post, "PostBatch"),
    errors: [],
    summary: "Several posts",
    description:
      "Up to 100 posts by id in one call, in the order asked, each as `GET /posts/{id}` shows it. Posts you may not see (their audience, their group, a block either way), deleted posts and unknown ids are left out."
  },
  (rest) => HttpApiEndpoint.get("byIds", "/posts/by-ids", rest.options).middleware(rest.middleware)
)

export const UpdatePost = Operation.make(
  {
    rpc: "UpdatePost",
    access: Access.signedIn,
    params: { id: PostId },
    body: Operation.body(UpdatePostPayload),
    success: Post,
    versioned: true,
    ifMatch: true,
    errors: [
      PostNotFound,
      Forbidden,
      AudienceNotAllowed,
      MediaNotFound,
      MediaNotAttachable,
      MediaNotAPhoto,
      PreconditionFailed
    ],
    summary: "Edit your post",
    description:
      "Only its author edits it. The audience applies to profile posts. With `If-Match` (REST) or `expectedVersion` (RPC) the edit applies only if the post was not edited since that version."
  },
  (rest) => HttpApiEndpoint.patch("update", "/posts/:id", rest.options).middleware(rest.middleware)
)

export const ListPostVersions = Operation.make(
  {
    rpc: "ListPostVersions",
    access: Access.signedIn,
    params: { id: PostId },
    success: Schema.Array(PostVersion),
    errors: [PostNotFound, Forbidden],
    summary: "Earlier versions of a post",
    description: "Newest first; for its author, the group's moderators and site admins."
  },
  (rest) => HttpApiEndpoint.get("listVersions", "/posts/:id/versions", rest.options).middleware(rest.middleware)
)

export const DeletePost = Operation.make(
  {
    rpc: "DeletePost",
    access: Access.signedIn,
    params: { id: PostId },
    errors: [PostNotFound, Forbidden],
    summary: "Delete a post",
    description: "Its author, the group's owner and admins, or a site admin."
  },
  (rest) => HttpApiEndpoint.delete("delete", "/posts/:id", rest.options).middleware(rest.middleware)
)

export const PinPost = Operation.make(
  {
    rpc: "PinPost",
    access: Access.signedIn,
    params: { id: PostId },
    success: Post,
    errors: [PostNotFound, Forbidden, PinLimitReached],
    summary: "Pin a post to its group",
    description: "The group's owner and admins; at most 3 pinned posts per group, listed first."
  },
  (rest) => HttpApiEndpoint.put("pin", "/posts/:id/pin", rest.options).middleware(rest.middleware)
)

export const UnpinPost = Operation.make(
  {
    rpc: "UnpinPost",
    access: Access.signedIn,
    params: { id: PostId },
    success: Post,
    errors: [PostNotFound, Forbidden],
    summary: "Unpin a post",
    description: "The group's owner and admins."
  },
  (rest) => HttpApiEndpoint.delete("unpin", "/posts/:id/pin", rest.options).middleware(rest.middleware)
)

export const LockComments = Operation.make(
  {
    rpc: "LockPostComments",
    access: Access.signedIn,
    params: { id: PostId },
    success: Post,
    errors: [PostNotFound, Forbidden],
    summary: "Lock a post's comments",
    description: "No new comments; its author or the group's moderators."
  },
  (rest) => HttpApiEndpoint.put("lockComments", "/posts/:id/comments-lock", rest.options).middleware(rest.middleware)
)

export const UnlockComments = Operation.make(
  {
    rpc: "UnlockPostComments",
    access: Access.signedIn,
    params: { id: PostId },
    success: Post,
    errors: [PostNotFound, Forbidden],
    summary: "Unlock a post's comments",
    description: "Its author or the group's moderators."
  },
  (rest) =>
    HttpApiEndpoint.delete("unlockComments", "/posts/:id/comments-lock", rest.options).middleware(rest.middleware)
)

export const ListGroupPosts = Operation.make(
  {
    rpc: "ListGroupPosts",
    access: Access.anyone,
    params: { id: GroupId },
    query: { sort: Schema.optional(PostSort), ...PageQuery },
    success: PostPage,
    errors: [GroupNotFound, InvalidCursor],
    summary: "A group's posts",
    description: "Pinned posts first (on the first page), then by `sort`."
  },
  (rest) => HttpApiEndpoint.get("listInGroup", "/groups/:id/posts", rest.options).middleware(rest.middleware)
)

export const ListUserPosts = Operation.make(
  {
    rpc: "ListUserPosts",
    access: Access.anyone,
    params: { id: UserId },
    query: PageQuery,
    success: PostPage,
    errors: [UserNotFound, InvalidCursor],
    summary: "A user's posts",
    description:
      "Newest first: on their profile and in groups, as far as you may see them. A page may hold fewer than `limit`."
  },
  (rest) => HttpApiEndpoint.get("listByUser", "/users/:id/posts", rest.options).middleware(rest.middleware)
)

export const SearchPosts = Operation.make(
  {
    rpc: "SearchPosts",
    access: Access.anyone,
    query: {
      q: SearchText.annotate({ description: "Words to find in titles and bodies, best matches first" }),
      groupId: Schema.optional(GroupId),
      authorId: Schema.optional(UserId),
      ...PageQuery
    },
    success: PostPage,
    errors: [InvalidCursor],
    summary: "Search posts",
    description: "Full-text search over the posts you may see. A page may hold fewer than `limit`."
  },
  (rest) => HttpApiEndpoint.get("search", "/posts", rest.options).middleware(rest.middleware)
)

export const PostsOperations = [
  CreateGroupPost,
  CreateProfilePost,
  GetPost,
  GetPostsByIds,
  UpdatePost,
  ListPostVersions,
  DeletePost,
  PinPost,
  UnpinPost,
  LockComments,
  UnlockComments,
  ListGroupPosts,
  ListUserPosts,
  SearchPosts
] as const

export class PostsApi extends Operation.httpGroup("posts", PostsOperations).annotateMerge(
  OpenApi.annotations({ title: "Posts", description: "Posts in groups and on profiles" })
) {}

export const AllPostsOperations = [
  ...PostsOperations,
  ...CommentsOperations,
  ...ReactionsOperations,
  ...BookmarksOperations
] as const

export class PostsRpcs extends Operation.rpcGroup(AllPostsOperations) {}

export const PostsFeature = Feature.make({
  name: "posts",
  rest: [PostsApi, CommentsApi, ReactionsApi, BookmarksApi],
  rpcs: PostsRpcs,
  operations: AllPostsOperations,
  restOnly: [],
  rpcOnly: []
})
