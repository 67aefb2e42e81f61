import { Api } from "@moim/domain/Api"
import { CurrentUser, CurrentViewer } from "@moim/domain/Kit/Authentication"
import {
  AcceptFriendRequest,
  ApproveFollowRequest,
  BlockUser,
  CancelFriendRequest,
  DeclineFollowRequest,
  DeclineFriendRequest,
  DeleteContacts,
  FollowUser,
  GetHomeFeed,
  GetSettings,
  ListBlocked,
  ListFollowers,
  ListFollowing,
  ListFollowRequests,
  ListFriends,
  ListIncomingFriendRequests,
  ListMutualFriends,
  ListOutgoingFriendRequests,
  RemoveFollower,
  SendFriendRequest,
  SocialRpcs,
  UnblockUser,
  UnfollowUser,
  Unfriend,
  UpdateSettings,
  UploadContacts
} from "@moim/domain/Social/SocialApi"
import { Effect, Layer, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive, OptionalAuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { Blocking } from "./Blocking.ts"
import { Contacts } from "./Contacts.ts"
import { Follows } from "./Follows.ts"
import { Friendships } from "./Friendships.ts"
import { HomeFeed } from "./HomeFeed.ts"
import { PrivacySettings } from "./PrivacySettings.ts"

/** One handler per social operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const follows = yield* Follows
  const friendships = yield* Friendships
  const blocking = yield* Blocking
  const settings = yield* PrivacySettings
  const feed = yield* HomeFeed
  const contacts = yield* Contacts
  return SocialRpcs.of({
    FollowUser: ({ id }) => CurrentUser.use((user) => follows.follow(user, id)),
    UnfollowUser: ({ id }) => CurrentUser.use((user) => follows.unfollow(user, id)),
    RemoveFollower: ({ id }) => CurrentUser.use((user) => follows.removeFollower(user, id)),
    ListFollowers: ({ id, ...query }) =>
      CurrentViewer.use((viewer) => follows.followers(Option.getOrNull(viewer), id, query)),
    ListFollowing: ({ id, ...query }) =>
      CurrentViewer.use((viewer) => follows.following(Option.getOrNull(viewer), id, query)),
    ListFollowRequests: (query) => CurrentUser.use((user) => follows.requests(user, query)),
    ApproveFollowRequest: ({ id }) => CurrentUser.use((user) => follows.approve(user, id)),
    DeclineFollowRequest: ({ id }) => CurrentUser.use((user) => follows.decline(user, id)),
    SendFriendRequest: ({ id }) => CurrentUser.use((user) => friendships.request(user, id)),
    CancelFriendRequest: ({ id }) => CurrentUser.use((user) => friendships.cancel(user, id)),
    AcceptFriendRequest: ({ id }) => CurrentUser.use((user) => friendships.accept(user, id)),
    DeclineFriendRequest: ({ id }) => CurrentUser.use((user) => friendships.decline(user, id)),
    Unfriend: ({ id }) => CurrentUser.use((user) => friendships.unfriend(user, id)),
    ListFriends: ({ id, ...query }) =>
      CurrentViewer.use((viewer) => friendships.friends(Option.getOrNull(viewer), id, query)),
    ListMutualFriends: ({ id, ...query }) => CurrentUser.use((user) => friendships.mutual(user, id, query)),
    ListIncomingFriendRequests: (query) => CurrentUser.use((user) => friendships.requests(user, "incoming", query)),
    ListOutgoingFriendRequests: (query) => CurrentUser.use((user) => friendships.requests(user, "outgoing", query)),
    BlockUser: ({ id }) => CurrentUser.use((user) => blocking.block(user, id)),
    UnblockUser: ({ id }) => CurrentUser.use((user) => blocking.unblock(user, id)),
    ListBlocked: (query) => CurrentUser.use((user) => blocking.list(user, query)),
    GetSettings: () => CurrentUser.use((user) => settings.get(user)),
    UpdateSettings: (change) => CurrentUser.use((user) => settings.update(user, change)),
    GetHomeFeed: (query) => CurrentUser.use((user) => feed.page(user, query)),
    UploadContacts: (input) => CurrentUser.use((user) => contacts.upload(user, input)),
    DeleteContacts: () => CurrentUser.use((user) => contacts.removeAll(user))
  })
})

export const SocialRpc = SocialRpcs.toLayer(handlers)

const FollowsHttp = HttpApiBuilder.group(Api, "follows", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(FollowUser, handler.FollowUser),
      ...Operations.rest(UnfollowUser, handler.UnfollowUser),
      ...Operations.rest(RemoveFollower, handler.RemoveFollower),
      ...Operations.rest(ListFollowers, handler.ListFollowers),
      ...Operations.rest(ListFollowing, handler.ListFollowing),
      ...Operations.rest(ListFollowRequests, handler.ListFollowRequests),
      ...Operations.rest(ApproveFollowRequest, handler.ApproveFollowRequest),
      ...Operations.rest(DeclineFollowRequest, handler.DeclineFollowRequest)
    })
  )
)

const FriendsHttp = HttpApiBuilder.group(Api, "friends", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(SendFriendRequest, handler.SendFriendRequest),
      ...Operations.rest(CancelFriendRequest, handler.CancelFriendRequest),
      ...Operations.rest(AcceptFriendRequest, handler.AcceptFriendRequest),
      ...Operations.rest(DeclineFriendRequest, handler.DeclineFriendRequest),
      ...Operations.rest(Unfriend, handler.Unfriend),
      ...Operations.rest(ListFriends, handler.ListFriends),
      ...Operations.rest(ListMutualFriends, handler.ListMutualFriends),
      ...Operations.rest(ListIncomingFriendRequests, handler.ListIncomingFriendRequests),
      ...Operations.rest(ListOutgoingFriendRequests, handler.ListOutgoingFriendRequests)
    })
  )
)

const BlocksHttp = HttpApiBuilder.group(Api, "blocks", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(BlockUser, handler.BlockUser),
      ...Operations.rest(UnblockUser, handler.UnblockUser),
      ...Operations.rest(ListBlocked, handler.ListBlocked)
    })
  )
)

const SettingsHttp = HttpApiBuilder.group(Api, "settings", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(GetSettings, handler.GetSettings),
      ...Operations.rest(UpdateSettings, handler.UpdateSettings)
    })
  )
)

const FeedHttp = HttpApiBuilder.group(Api, "feed", (group) =>
  Effect.map(handlers, (handler) => group.handleAll({ ...Operations.rest(GetHomeFeed, handler.GetHomeFeed) }))
)

const ContactsHttp = HttpApiBuilder.group(Api, "contacts", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(UploadContacts, handler.UploadContacts),
      ...Operations.rest(DeleteContacts, handler.DeleteContacts)
    })
  )
)

/** The social REST groups with the middleware their endpoints use. */
export const SocialHttpLive = Layer.mergeAll(
  FollowsHttp,
  FriendsHttp,
  BlocksHttp,
  SettingsHttp,
  FeedHttp,
  ContactsHttp
).pipe(Layer.provide([AuthenticationLive, OptionalAuthenticationLive]))
