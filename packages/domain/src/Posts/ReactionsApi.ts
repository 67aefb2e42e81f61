import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { Forbidden } from "../Kit/AccessErrors.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, PageQuery } from "../Kit/Page.ts"
import { CommentId, CommentNotFound, Emoji, PostId, PostNotFound, ReactionPage, ReactionSummary } from "./Post.ts"

export const ReactPayload = Schema.Struct({ emoji: Emoji }).annotate({
  identifier: "ReactPayload",
  description: "Your reaction; it replaces the one you left before"
})

const who = {
  emoji: Schema.optional(Emoji.annotate({ description: "Only those who reacted with this" })),
  ...PageQuery
}

export const ReactToPost = Operation.make(
  {
    rpc: "ReactToPost",
    access: Access.signedIn,
    params: { id: PostId },
    body: Operation.body(ReactPayload),
    success: ReactionSummary,
    errors: [PostNotFound, Forbidden],
    summary: "React to a post",
    description: "One reaction per person: reacting again replaces it."
  },
  (rest) => HttpApiEndpoint.put("reactToPost", "/posts/:id/reaction", rest.options).middleware(rest.middleware)
)

export const UnreactToPost = Operation.make(
  {
    rpc: "UnreactToPost",
    access: Access.signedIn,
    params: { id: PostId },
    success: ReactionSummary,
    errors: [PostNotFound],
    summary: "Take back your reaction to a post",
    description: "Taking back none changes nothing."
  },
  (rest) => HttpApiEndpoint.delete("unreactToPost", "/posts/:id/reaction", rest.options).middleware(rest.middleware)
)

export const ListPostReactions = Operation.make(
  {
    rpc: "ListPostReactions",
    access: Access.anyone,
    params: { id: PostId },
    query: who,
    success: ReactionPage,
    errors: [PostNotFound, InvalidCursor],
    summary: "Who reacted to a post",
    description: "Most recent first."
  },
  (rest) => HttpApiEndpoint.get("listPostReactions", "/posts/:id/reactions", rest.options).middleware(rest.middleware)
)

export const ReactToComment = Operation.make(
  {
    rpc: "ReactToComment",
    access: Access.signedIn,
    params: { commentId: CommentId },
    body: Operation.body(ReactPayload),
    success: ReactionSummary,
    errors: [CommentNotFound, Forbidden],
    summary: "React to a comment",
    description: "One reaction per person: reacting again replaces it."
  },
  (rest) =>
    HttpApiEndpoint.put("reactToComment", "/comments/:commentId/reaction", rest.options).middleware(rest.middleware)
)

export const UnreactToComment = Operation.make(
  {
    rpc: "UnreactToComment",
    access: Access.signedIn,
    params: { commentId: CommentId },
    success: ReactionSummary,
    errors: [CommentNotFound],
    summary: "Take back your reaction to a comment",
    description: "Taking back none changes nothing."
  },
  (rest) =>
    HttpApiEndpoint.delete("unreactToComment", "/comments/:commentId/reaction", rest.options).middleware(
      rest.middleware
    )
)

export const ListCommentReactions = Operation.make(
  {
    rpc: "ListCommentReactions",
    access: Access.anyone,
    params: { commentId: CommentId },
    query: who,
    success: ReactionPage,
    errors: [CommentNotFound, InvalidCursor],
    summary: "Who reacted to a comment",
    description: "Most recent first."
  },
  (rest) =>
    HttpApiEndpoint.get("listCommentReactions", "/comments/:commentId/reactions", rest.options).middleware(
      rest.middleware
    )
)

export const ReactionsOperations = [
  ReactToPost,
  UnreactToPost,
  ListPostReactions,
  ReactToComment,
  UnreactToComment,
  ListCommentReactions
] as const

export class ReactionsApi extends Operation.httpGroup("reactions", ReactionsOperations).annotateMerge(
  OpenApi.annotations({ title: "Reactions", description: "Emoji reactions to posts and comments" })
) {}
