import { Api } from "@moim/domain/Api"
import { CurrentUser, CurrentViewer } from "@moim/domain/Kit/Authentication"
import { BookmarkPost, ListBookmarks, RemoveBookmark } from "@moim/domain/Posts/BookmarksApi"
import { CreateComment, DeleteComment, ListComments, UpdateComment } from "@moim/domain/Posts/CommentsApi"
import type { Post } from "@moim/domain/Posts/Post"
import {
  CreateGroupPost,
  CreateProfilePost,
  DeletePost,
  GetPost,
  GetPostsByIds,
  ListGroupPosts,
  ListPostVersions,
  ListUserPosts,
  LockComments,
  PinPost,
  PostsRpcs,
  SearchPosts,
  UnlockComments,
  UnpinPost,
  UpdatePost
} from "@moim/domain/Posts/PostsApi"
import {
  ListCommentReactions,
  ListPostReactions,
  ReactToComment,
  ReactToPost,
  UnreactToComment,
  UnreactToPost
} from "@moim/domain/Posts/ReactionsApi"
import { Effect, Layer, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive, OptionalAuthenticationLive } from "../Access/AccessLive.ts"
import { ActivityLog } from "../Access/ActivityLog.ts"
import { Actor } from "../Access/Actor.ts"
import * as Operations from "../http/Operations.ts"
import { Bookmarks } from "./Bookmarks.ts"
import { Comments } from "./Comments.ts"
import { Posts } from "./Posts.ts"
import { Reactions } from "./Reactions.ts"

/** One handler per post operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const posts = yield* Posts
  const comments = yield* Comments
  const reactions = yield* Reactions
  const bookmarks = yield* Bookmarks
  const activity = yield* ActivityLog
  const posted = (user: CurrentUser["Service"]) => (post: Post) =>
    activity.record({
      kind: "post",
      userId: user.userId,
      subjectId: post.id,
      groupId: post.place.kind === "group" ? post.place.groupId : null
    })
  return PostsRpcs.of({
    CreateGroupPost: ({ id, ...input }) =>
      CurrentUser.use((user) => posts.createInGroup(user, id, input).pipe(Effect.tap(posted(user)))),
    CreateProfilePost: (input) =>
      CurrentUser.use((user) => posts.createOnProfile(user, input).pipe(Effect.tap(posted(user)))),
    GetPost: ({ id }) => CurrentViewer.use((viewer) => posts.get(viewer, id)),
    GetPostsByIds: ({ ids }) =>
      CurrentViewer.use((viewer) =>
        Effect.map(
          posts.show(Option.match(viewer, { onNone: () => null, onSome: Actor.of }), [...new Set(ids)]),
          (items) => ({ items })
        )
      ),
    UpdatePost: ({ id, expectedVersion, ...input }) =>
      CurrentUser.use((user) => posts.update(user, id, input, expectedVersion)),
    ListPostVersions: ({ id }) => CurrentUser.use((user) => posts.versions(user, id)),
    DeletePost: ({ id }) => CurrentUser.use((user) => posts.remove(user, id)),
    PinPost: ({ id }) => CurrentUser.use((user) => posts.pin(user, id)),
    UnpinPost: ({ id }) => CurrentUser.use((user) => posts.unpin(user, id)),
    LockPostComments: ({ id }) => CurrentUser.use((user) => posts.setCommentsLocked(user, id, true)),
    UnlockPostComments: ({ id }) => CurrentUser.use((user) => posts.setCommentsLocked(user, id, false)),
    ListGroupPosts: ({ id, ...query }) => CurrentViewer.use((viewer) => posts.listInGroup(viewer, id, query)),
    ListUserPosts: ({ id, ...query }) => CurrentViewer.use((viewer) => posts.listByAuthor(viewer, id, query)),
    SearchPosts: (query) => CurrentViewer.use((viewer) => posts.search(viewer, query)),
    CreateComment: ({ id, ...input }) => CurrentUser.use((user) => comments.create(user, id, input)),
    ListComments: ({ id, ...query }) => CurrentViewer.use((viewer) => comments.list(viewer, id, query)),
    UpdateComment: ({ commentId, body }) => CurrentUser.use((user) => comments.update(user, commentId, body)),
    DeleteComment: ({ commentId }) => CurrentUser.use((user) => comments.remove(user, commentId)),
    ReactToPost: ({ id, emoji }) => CurrentUser.use((user) => reactions.reactToPost(user, id, emoji)),
    UnreactToPost: ({ id }) => CurrentUser.use((user) => reactions.unreactToPost(user, id)),
    ListPostReactions: ({ id, ...query }) => CurrentViewer.use((viewer) => reactions.listForPost(viewer, id, query)),
    ReactToComment: ({ commentId, emoji }) =>
      CurrentUser.use((user) => reactions.reactToComment(user, commentId, emoji)),
    UnreactToComment: ({ commentId }) => CurrentUser.use((user) => reactions.unreactToComment(user, commentId)),
    ListCommentReactions: ({ commentId, ...query }) =>
      CurrentViewer.use((viewer) => reactions.listForComment(viewer, commentId, query)),
    BookmarkPost: ({ id }) => CurrentUser.use((user) => bookmarks.save(user, id)),
    RemoveBookmark: ({ id }) => CurrentUser.use((user) => bookmarks.remove(user, id)),
    ListBookmarks: (query) => CurrentUser.use((user) => bookmarks.list(user, query))
  })
})

export const PostsRpc = PostsRpcs.toLayer(handlers)

const PostsHttp = HttpApiBuilder.group(Api, "posts", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(CreateGroupPost, handler.CreateGroupPost),
      ...Operations.rest(CreateProfilePost, handler.CreateProfilePost),
      ...Operations.rest(GetPost, handler.GetPost),
      ...Operations.rest(GetPostsByIds, handler.GetPostsByIds),
      ...Operations.rest(UpdatePost, handler.UpdatePost),
      ...Operations.rest(ListPostVersions, handler.ListPostVersions),
      ...Operations.rest(DeletePost, handler.DeletePost),
      ...Operations.rest(PinPost, handler.PinPost),
      ...Operations.rest(UnpinPost, handler.UnpinPost),
      ...Operations.rest(LockComments, handler.LockPostComments),
      ...Operations.rest(UnlockComments, handler.UnlockPostComments),
      ...Operations.rest(ListGroupPosts, handler.ListGroupPosts),
      ...Operations.rest(ListUserPosts, handler.ListUserPosts),
      ...Operations.rest(SearchPosts, handler.SearchPosts)
    })
  )
)

const CommentsHttp = HttpApiBuilder.group(Api, "comments", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(CreateComment, handler.CreateComment),
      ...Operations.rest(ListComments, handler.ListComments),
      ...Operations.rest(UpdateComment, handler.UpdateComment),
      ...Operations.rest(DeleteComment, handler.DeleteComment)
    })
  )
)

const ReactionsHttp = HttpApiBuilder.group(Api, "reactions", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(ReactToPost, handler.ReactToPost),
      ...Operations.rest(UnreactToPost, handler.UnreactToPost),
      ...Operations.rest(ListPostReactions, handler.ListPostReactions),
      ...Operations.rest(ReactToComment, handler.ReactToComment),
      ...Operations.rest(UnreactToComment, handler.UnreactToComment),
      ...Operations.rest(ListCommentReactions, handler.ListCommentReactions)
    })
  )
)

const BookmarksHttp = HttpApiBuilder.group(Api, "bookmarks", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(BookmarkPost, handler.BookmarkPost),
      ...Operations.rest(RemoveBookmark, handler.RemoveBookmark),
      ...Operations.rest(ListBookmarks, handler.ListBookmarks)
    })
  )
)

/** The posts, comments, reactions and bookmarks REST groups with the middleware their endpoints use. */
export const PostsHttpLive = Layer.mergeAll(PostsHttp, CommentsHttp, ReactionsHttp, BookmarksHttp).pipe(
  Layer.provide([AuthenticationLive, OptionalAuthenticationLive])
)
