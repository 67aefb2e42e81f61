import { Api } from "@moim/domain/Api"
import { CurrentUser, CurrentViewer } from "@moim/domain/Kit/Authentication"
import {
  CreateGroupPost,
  CreateProfilePost,
  DeletePost,
  GetPost,
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
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive, OptionalAuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { Posts } from "./Posts.ts"

/** One handler per post operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const posts = yield* Posts
  return PostsRpcs.of({
    CreateGroupPost: ({ id, ...input }) => CurrentUser.use((user) => posts.createInGroup(user, id, input)),
    CreateProfilePost: (input) => CurrentUser.use((user) => posts.createOnProfile(user, input)),
    GetPost: ({ id }) => CurrentViewer.use((viewer) => posts.get(viewer, id)),
    UpdatePost: ({ id, ...input }) => CurrentUser.use((user) => posts.update(user, id, input)),
    ListPostVersions: ({ id }) => CurrentUser.use((user) => posts.versions(user, id)),
    DeletePost: ({ id }) => CurrentUser.use((user) => posts.remove(user, id)),
    PinPost: ({ id }) => CurrentUser.use((user) => posts.pin(user, id)),
    UnpinPost: ({ id }) => CurrentUser.use((user) => posts.unpin(user, id)),
    LockPostComments: ({ id }) => CurrentUser.use((user) => posts.setCommentsLocked(user, id, true)),
    UnlockPostComments: ({ id }) => CurrentUser.use((user) => posts.setCommentsLocked(user, id, false)),
    ListGroupPosts: ({ id, ...query }) => CurrentViewer.use((viewer) => posts.listInGroup(viewer, id, query)),
    ListUserPosts: ({ id, ...query }) => CurrentViewer.use((viewer) => posts.listByAuthor(viewer, id, query)),
    SearchPosts: (query) => CurrentViewer.use((viewer) => posts.search(viewer, query))
  })
})

export const PostsRpc = PostsRpcs.toLayer(handlers)

const PostsHttp = HttpApiBuilder.group(Api, "posts", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(CreateGroupPost, handler.CreateGroupPost),
      ...Operations.rest(CreateProfilePost, handler.CreateProfilePost),
      ...Operations.rest(GetPost, handler.GetPost),
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

/** The posts REST group with the middleware its endpoints use. */
export const PostsHttpLive = PostsHttp.pipe(Layer.provide([AuthenticationLive, OptionalAuthenticationLive]))
