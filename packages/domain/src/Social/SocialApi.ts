import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { UserId, UserNotFound } from "../Accounts/User.ts"
import { Forbidden } from "../Kit/AccessErrors.ts"
import * as Feature from "../Kit/Feature.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, PageQuery } from "../Kit/Page.ts"
import { PostPage } from "../Posts/Post.ts"
import {
  ConnectionPage,
  ContactsUploaded,
  FollowLimitReached,
  FollowRequestNotFound,
  FollowResult,
  FriendRequestNotFound,
  FriendRequestsClosed,
  FriendshipResult,
  SelfRelation,
  Settings,
  TooManyContacts,
  UpdateSettingsPayload,
  UploadContactsPayload
} from "./Social.ts"

// Follows.

export const FollowUser = Operation.make(
  {
    rpc: "FollowUser",
    access: Access.signedIn,
    params: { id: UserId },
    success: FollowResult,
    errors: [UserNotFound, SelfRelation, FollowLimitReached],
    summary: "Follow someone",
    description:
      "Their profile posts reach your home feed. A private account gets a request it approves or declines. Following again changes nothing."
  },
  (rest) => HttpApiEndpoint.put("follow", "/users/:id/follow", rest.options).middleware(rest.middleware)
)

export const UnfollowUser = Operation.make(
  {
    rpc: "UnfollowUser",
    access: Access.signedIn,
    params: { id: UserId },
    errors: [],
    summary: "Stop following someone",
    description: "Also withdraws a pending follow request. Unfollowing someone you do not follow changes nothing."
  },
  (rest) => HttpApiEndpoint.delete("unfollow", "/users/:id/follow", rest.options).middleware(rest.middleware)
)

export const RemoveFollower = Operation.make(
  {
    rpc: "RemoveFollower",
    access: Access.signedIn,
    params: { id: UserId },
    errors: [],
    summary: "Remove a follower",
    description:
      "They no longer follow you (they are not told). Removing someone who does not follow you changes nothing."
  },
  (rest) => HttpApiEndpoint.delete("removeFollower", "/me/followers/:id", rest.options).middleware(rest.middleware)
)

export const ListFollowers = Operation.make(
  {
    rpc: "ListFollowers",
    access: Access.anyone,
    params: { id: UserId },
    query: PageQuery,
    success: ConnectionPage,
    errors: [UserNotFound, Forbidden, InvalidCursor],
    summary: "Someone's followers",
    description: "Newest first. A private account's lists are for it and its followers."
  },
  (rest) => HttpApiEndpoint.get("followers", "/users/:id/followers", rest.options).middleware(rest.middleware)
)

export const ListFollowing = Operation.make(
  {
    rpc: "ListFollowing",
    access: Access.anyone,
    params: { id: UserId },
    query: PageQuery,
    success: ConnectionPage,
    errors: [UserNotFound, Forbidden, InvalidCursor],
    summary: "Whom someone follows",
    description: "Newest first. A private account's lists are for it and its followers."
  },
  (rest) => HttpApiEndpoint.get("following", "/users/:id/following", rest.options).middleware(rest.middleware)
)

export const ListFollowRequests = Operation.make(
  {
    rpc: "ListFollowRequests",
    access: Access.signedIn,
    query: PageQuery,
    success: ConnectionPage,
    errors: [InvalidCursor],
    summary: "Requests to follow you",
    description: "Pending requests (a private account's), newest first."
  },
  (rest) => HttpApiEndpoint.get("followRequests", "/me/follow-requests", rest.options).middleware(rest.middleware)
)

export const ApproveFollowRequest = Operation.make(
  {
    rpc: "ApproveFollowRequest",
    access: Access.signedIn,
    params: { id: UserId },
    errors: [FollowRequestNotFound],
    summary: "Approve a follow request",
    description: "`id` is the person who asked. They follow you from now on, and are told."
  },
  (rest) =>
    HttpApiEndpoint.post("approveFollowRequest", "/me/follow-requests/:id/approve", rest.options).middleware(
      rest.middleware
    )
)

export const DeclineFollowRequest = Operation.make(
  {
    rpc: "DeclineFollowRequest",
    access: Access.signedIn,
    params: { id: UserId },
    errors: [FollowRequestNotFound],
    summary: "Decline a follow request",
    description: "`id` is the person who asked; they are not told."
  },
  (rest) =>
    HttpApiEndpoint.post("declineFollowRequest", "/me/follow-requests/:id/decline", rest.options).middleware(
      rest.middleware
    )
)

// Friendships.

export const SendFriendRequest = Operation.make(
  {
    rpc: "SendFriendRequest",
    access: Access.signedIn,
    params: { id: UserId },
    success: FriendshipResult,
    errors: [UserNotFound, SelfRelation, FriendRequestsClosed],
    summary: "Ask someone to be friends",
    description:
      "If they had asked you already, you are friends at once. Asking again, or asking a friend, changes nothing."
  },
  (rest) =>
    HttpApiEndpoint.put("requestFriendship", "/users/:id/friend-request", rest.options).middleware(rest.middleware)
)

export const CancelFriendRequest = Operation.make(
  {
    rpc: "CancelFriendRequest",
    access: Access.signedIn,
    params: { id: UserId },
    errors: [FriendRequestNotFound],
    summary: "Withdraw your friend request",
    description: "Only a request you sent and they have not answered."
  },
  (rest) =>
    HttpApiEndpoint.delete("cancelFriendRequest", "/users/:id/friend-request", rest.options).middleware(rest.middleware)
)

export const AcceptFriendRequest = Operation.make(
  {
    rpc: "AcceptFriendRequest",
    access: Access.signedIn,
    params: { id: UserId },
    errors: [FriendRequestNotFound],
    summary: "Accept a friend request",
    description: "`id` is the person who asked. You are friends from now on, and they are told."
  },
  (rest) =>
    HttpApiEndpoint.post("acceptFriendRequest", "/me/friend-requests/:id/accept", rest.options).middleware(
      rest.middleware
    )
)

export const DeclineFriendRequest = Operation.make(
  {
    rpc: "DeclineFriendRequest",
    access: Access.signedIn,
    params: { id: UserId },
    errors: [FriendRequestNotFound],
    summary: "Decline a friend request",
    description: "`id` is the person who asked; they are not told."
  },
  (rest) =>
    HttpApiEndpoint.post("declineFriendRequest", "/me/friend-requests/:id/decline", rest.options).middleware(
      rest.middleware
    )
)

export const Unfriend = Operation.make(
  {
    rpc: "Unfriend",
    access: Access.signedIn,
    params: { id: UserId },
    errors: [],
    summary: "End a friendship",
    description: "Ending one that does not exist changes nothing."
  },
  (rest) => HttpApiEndpoint.delete("unfriend", "/users/:id/friendship", rest.options).middleware(rest.middleware)
)

export const ListFriends = Operation.make(
  {
    rpc: "ListFriends",
    access: Access.anyone,
    params: { id: UserId },
    query: PageQuery,
    success: ConnectionPage,
    errors: [UserNotFound, Forbidden, InvalidCursor],
    summary: "Someone's friends",
    description: "Newest friendships first, if their `friendsList` setting shows it to you."
  },
  (rest) => HttpApiEndpoint.get("friends", "/users/:id/friends", rest.options).middleware(rest.middleware)
)

export const ListMutualFriends = Operation.make(
  {
    rpc: "ListMutualFriends",
    access: Access.signedIn,
    params: { id: UserId },
    query: PageQuery,
    success: ConnectionPage,
    errors: [UserNotFound, Forbidden, InvalidCursor],
    summary: "Friends you share with someone",
    description:
      "Your friends who are also theirs (`since`: when they became yours), if their `friendsList` setting shows it to you."
  },
  (rest) => HttpApiEndpoint.get("mutualFriends", "/users/:id/mutual-friends", rest.options).middleware(rest.middleware)
)

export const ListIncomingFriendRequests = Operation.make(
  {
    rpc: "ListIncomingFriendRequests",
    access: Access.signedIn,
    query: PageQuery,
    success: ConnectionPage,
    errors: [InvalidCursor],
    summary: "Friend requests you received",
    description: "Pending, newest first."
  },
  (rest) =>
    HttpApiEndpoint.get("incomingFriendRequests", "/me/friend-requests/incoming", rest.options).middleware(
      rest.middleware
    )
)

export const ListOutgoingFriendRequests = Operation.make(
  {
    rpc: "ListOutgoingFriendRequests",
    access: Access.signedIn,
    query: PageQuery,
    success: ConnectionPage,
    errors: [InvalidCursor],
    summary: "Friend requests you sent",
    description: "Pending, newest first."
  },
  (rest) =>
    HttpApiEndpoint.get("outgoingFriendRequests", "/me/friend-requests/outgoing", rest.options).middleware(
      rest.middleware
    )
)

// Blocks.

export const BlockUser = Operation.make(
  {
    rpc: "BlockUser",
    access: Access.signedIn,
    params: { id: UserId },
    errors: [UserNotFound, SelfRelation],
    summary: "Block someone",
    description:
      "Ends follows and friendship both ways. Neither of you sees the other's profile, posts, comments or reactions, nor is told of the other's doings; they cannot follow, befriend, mention or invite you. They are not told."
  },
  (rest) => HttpApiEndpoint.put("block", "/users/:id/block", rest.options).middleware(rest.middleware)
)

export const UnblockUser = Operation.make(
  {
    rpc: "UnblockUser",
    access: Access.signedIn,
    params: { id: UserId },
    errors: [],
    summary: "Unblock someone",
    description: "Follows and friendship do not come back."
  },
  (rest) => HttpApiEndpoint.delete("unblock", "/users/:id/block", rest.options).middleware(rest.middleware)
)

export const ListBlocked = Operation.make(
  {
    rpc: "ListBlocked",
    access: Access.signedIn,
    query: PageQuery,
    success: ConnectionPage,
    errors: [InvalidCursor],
    summary: "People you blocked",
    description: "Most recently blocked first."
  },
  (rest) => HttpApiEndpoint.get("blocked", "/me/blocks", rest.options).middleware(rest.middleware)
)

// Settings.

export const GetSettings = Operation.make(
  {
    rpc: "GetSettings",
    access: Access.signedIn,
    success: Settings,
    errors: [],
    summary: "Your privacy settings",
    description: "Notification preferences are their own resource (`/me/notification-preferences`)."
  },
  (rest) => HttpApiEndpoint.get("getSettings", "/me/settings", rest.options).middleware(rest.middleware)
)

export const UpdateSettings = Operation.make(
  {
    rpc: "UpdateSettings",
    access: Access.signedIn,
    body: Operation.body(UpdateSettingsPayload),
    success: Settings,
    errors: [],
    summary: "Change your privacy settings",
    description: "Only the fields present change. Making your account public approves every pending follow request."
  },
  (rest) => HttpApiEndpoint.patch("updateSettings", "/me/settings", rest.options).middleware(rest.middleware)
)

// Contacts.

export const UploadContacts = Operation.make(
  {
    rpc: "UploadContacts",
    access: Access.signedIn,
    body: Operation.body(UploadContactsPayload),
    success: ContactsUploaded,
    errors: [TooManyContacts],
    summary: "Find your contacts on Moim",
    description:
      "Answers which of the numbers and email addresses belong to people on Moim who let themselves be found by phone or by email, with your relationship to each. The server keeps keyed hashes of the numbers, never the numbers, to tell you when a contact joins later; addresses are matched and not kept. Up to 5,000 of each per request; uploading a number again changes nothing."
  },
  (rest) => HttpApiEndpoint.post("uploadContacts", "/me/contacts", rest.options).middleware(rest.middleware)
)

export const DeleteContacts = Operation.make(
  {
    rpc: "DeleteContacts",
    access: Access.signedIn,
    errors: [],
    summary: "Delete your uploaded contacts",
    description: "Every hash kept from your uploads goes; you are no longer told when a contact joins."
  },
  (rest) => HttpApiEndpoint.delete("deleteContacts", "/me/contacts", rest.options).middleware(rest.middleware)
)

// The home feed.

export const GetHomeFeed = Operation.make(
  {
    rpc: "GetHomeFeed",
    access: Access.signedIn,
    query: PageQuery,
    success: PostPage,
    errors: [InvalidCursor],
    summary: "Your home feed",
    description:
      "Newest first: your own posts, the profile posts of people you follow and of your friends (as each post's audience allows), and the posts of your groups. A page may hold fewer than `limit` when posts were removed since it was cached."
  },
  (rest) => HttpApiEndpoint.get("homeFeed", "/me/feed", rest.options).middleware(rest.middleware)
)

const FollowsOperations = [
  FollowUser,
  UnfollowUser,
  RemoveFollower,
  ListFollowers,
  ListFollowing,
  ListFollowRequests,
  ApproveFollowRequest,
  DeclineFollowRequest
] as const

const FriendsOperations = [
  SendFriendRequest,
  CancelFriendRequest,
  AcceptFriendRequest,
  DeclineFriendRequest,
  Unfriend,
  ListFriends,
  ListMutualFriends,
  ListIncomingFriendRequests,
  ListOutgoingFriendRequests
] as const

const BlocksOperations = [BlockUser, UnblockUser, ListBlocked] as const

const SettingsOperations = [GetSettings, UpdateSettings] as const

const FeedOperations = [GetHomeFeed] as const

const ContactsOperations = [UploadContacts, DeleteContacts] as const

export const SocialOperations = [
  ...FollowsOperations,
  ...FriendsOperations,
  ...BlocksOperations,
  ...SettingsOperations,
  ...FeedOperations,
  ...ContactsOperations
] as const

export class FollowsApi extends Operation.httpGroup("follows", FollowsOperations).annotateMerge(
  OpenApi.annotations({ title: "Follows", description: "Following people, and requests to follow private accounts" })
) {}

export class FriendsApi extends Operation.httpGroup("friends", FriendsOperations).annotateMerge(
  OpenApi.annotations({ title: "Friends", description: "Friend requests and friendships" })
) {}

export class BlocksApi extends Operation.httpGroup("blocks", BlocksOperations).annotateMerge(
  OpenApi.annotations({ title: "Blocks", description: "Blocking people" })
) {}

export class SettingsApi extends Operation.httpGroup("settings", SettingsOperations).annotateMerge(
  OpenApi.annotations({ title: "Settings", description: "Your privacy settings" })
) {}

export class FeedApi extends Operation.httpGroup("feed", FeedOperations).annotateMerge(
  OpenApi.annotations({ title: "Feed", description: "Your home feed" })
) {}

export class ContactsApi extends Operation.httpGroup("contacts", ContactsOperations).annotateMerge(
  OpenApi.annotations({ title: "Contacts", description: "Finding your contacts on Moim" })
) {}

export const SocialRpcs = Operation.rpcGroup(SocialOperations)

export const SocialFeature = Feature.make({
  name: "social",
  rest: [FollowsApi, FriendsApi, BlocksApi, SettingsApi, FeedApi, ContactsApi],
  rpcs: SocialRpcs,
  operations: SocialOperations,
  restOnly: [],
  rpcOnly: []
})
