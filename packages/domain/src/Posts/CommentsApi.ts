import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { Forbidden } from "../Kit/AccessErrors.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, PageQuery } from "../Kit/Page.ts"
import {
  Comment,
  CommentBody,
  CommentId,
  CommentNotFound,
  CommentPage,
  CommentsLocked,
  PostId,
  PostNotFound
} from "./Post.ts"

export const CreateCommentPayload = Schema.Struct({
  body: CommentBody,
  parentId: Schema.optional(
    CommentId.annotate({ description: "The comment this replies to; omit to comment on the post" })
  )
}).annotate({ identifier: "CreateCommentPayload", description: "A comment, or a reply" })

export const UpdateCommentPayload = Schema.Struct({ body: CommentBody }).annotate({
  identifier: "UpdateCommentPayload",
  description: "The comment's new text"
})

export const CommentSort = Schema.Literals(["oldest", "newest"]).annotate({
  identifier: "CommentSort",
  description: "`oldest` (default) or `newest` first"
})

export const CreateComment = Operation.make(
  {
    rpc: "CreateComment",
    access: Access.signedIn,
    params: { id: PostId },
    body: Operation.body(CreateCommentPayload),
    success: Comment,
    status: 201,
    errors: [PostNotFound, CommentNotFound, CommentsLocked, Forbidden],
    summary: "Comment on a post, or reply",
    description:
      "Anyone who may see the post (in a group: its members). A reply deeper than two levels joins the deepest level."
  },
  (rest) => HttpApiEndpoint.post("create", "/posts/:id/comments", rest.options).middleware(rest.middleware)
)

export const ListComments = Operation.make(
  {
    rpc: "ListComments",
    access: Access.anyone,
    params: { id: PostId },
    query: {
      parentId: Schema.optional(CommentId.annotate({ description: "List the replies to this comment" })),
      sort: Schema.optional(CommentSort),
      ...PageQuery
    },
    success: CommentPage,
    errors: [PostNotFound, CommentNotFound, InvalidCursor],
    summary: "A post's comments",
    description:
      "The comments on the post, or (`parentId`) the replies to one comment; each says how many replies it has."
  },
  (rest) => HttpApiEndpoint.get("list", "/posts/:id/comments", rest.options).middleware(rest.middleware)
)

export const UpdateComment = Operation.make(
  {
    rpc: "UpdateComment",
    access: Access.signedIn,
    params: { commentId: CommentId },
    body: Operation.body(UpdateCommentPayload),
    success: Comment,
    errors: [CommentNotFound, Forbidden],
    summary: "Edit your comment",
    description: "Only its author."
  },
  (rest) => HttpApiEndpoint.patch("update", "/comments/:commentId", rest.options).middleware(rest.middleware)
)

export const DeleteComment = Operation.make(
  {
    rpc: "DeleteComment",
    access: Access.signedIn,
    params: { commentId: CommentId },
    errors: [CommentNotFound, Forbidden],
    summary: "Delete a comment",
    description:
      "Its author, the post's author, the group's moderators or a site admin. A comment with replies stays as a placeholder."
  },
  (rest) => HttpApiEndpoint.delete("delete", "/comments/:commentId", rest.options).middleware(rest.middleware)
)

export const CommentsOperations = [CreateComment, ListComments, UpdateComment, DeleteComment] as const

export class CommentsApi extends Operation.httpGroup("comments", CommentsOperations).annotateMerge(
  OpenApi.annotations({ title: "Comments", description: "Threaded comments on posts" })
) {}
