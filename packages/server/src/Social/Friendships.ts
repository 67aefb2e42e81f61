import type { UserId, UserNotFound } from "@moim/domain/Accounts/User"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { InvalidCursor } from "@moim/domain/Kit/Page"
import {
  type Connection,
  FriendRequestNotFound,
  FriendRequestsClosed,
  type SelfRelation
} from "@moim/domain/Social/Social"
import { Context, Effect, Layer, Option } from "effect"
import { Actor } from "../Access/Actor.ts"
import type { Page, PageQuery } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { FeedCache } from "./FeedCache.ts"
import { type FriendshipRow, GraphRepo } from "./GraphRepo.ts"
import { People } from "./People.ts"
import { SettingsRepo } from "./SettingsRepo.ts"
import { SocialEvents } from "./SocialNotifier.ts"
import { SocialPolicy } from "./SocialPolicy.ts"

type SignedIn = CurrentUser["Service"]

/** Is the pair's row a request that `requesterId` made and the other has not answered? */
const pendingFrom = (row: Option.Option<FriendshipRow>, requesterId: UserId) =>
  Option.isSome(row) && row.value.status === "pending" && row.value.requesterId === requesterId
type Viewer = CurrentUser["Service"] | null

/**
 * Friendships: one row per pair, a request until the other accepts. Each change locks the pair's
 * row, so two people asking each other at once become friends, and an answer races nothing.
 */
export class Friendships extends Context.Service<
  Friendships,
  {
    readonly request: (
      user: SignedIn,
      otherId: UserId
    ) => Effect.Effect<{ readonly status: "requested" | "friends" }, UserNotFound | SelfRelation | FriendRequestsClosed>
    readonly cancel: (user: SignedIn, otherId: UserId) => Effect.Effect<void, FriendRequestNotFound>
    readonly accept: (user: SignedIn, requesterId: UserId) => Effect.Effect<void, FriendRequestNotFound>
    readonly decline: (user: SignedIn, requesterId: UserId) => Effect.Effect<void, FriendRequestNotFound>
    readonly unfriend: (user: SignedIn, otherId: UserId) => Effect.Effect<void>
    readonly friends: (
      viewer: Viewer,
      ownerId: UserId,
      query: PageQuery
    ) => Effect.Effect<Page<typeof Connection.Type>, UserNotFound | Forbidden | InvalidCursor>
    readonly mutual: (
      user: SignedIn,
      otherId: UserId,
      query: PageQuery
    ) => Effect.Effect<Page<typeof Connection.Type>, UserNotFound | Forbidden | InvalidCursor>
    readonly requests: (
      user: SignedIn,
      direction: "incoming" | "outgoing",
      query: PageQuery
    ) => Effect.Effect<Page<typeof Connection.Type>, InvalidCursor>
  }
>()("@moim/server/Social/Friendships") {
  static readonly layer = Layer.effect(
    Friendships,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const graph = yield* GraphRepo
      const settings = yield* SettingsRepo
      const people = yield* People
      const feeds = yield* FeedCache
      const record = yield* SocialEvents.make

      const noRequest = new FriendRequestNotFound({ message: "No pending friend request between you" })

      const changed = (a: UserId, b: UserId) => Effect.andThen(feeds.invalidate(a), feeds.invalidate(b))

      /** The viewer may see the owner's friends (their `friendsList` setting). */
      const friendsVisible = Effect.fn("Friendships.friendsVisible")(function* (viewer: Viewer, ownerId: UserId) {
        const actor = viewer === null ? null : Actor.of(viewer)
        const standing = yield* people.visible(actor, ownerId)
        const owner = yield* settings.get(ownerId)
        if (!SocialPolicy.visible(owner.friendsList, standing)) {
          return yield* new Forbidden({ message: "Their settings do not show you their friends" })
        }
        return actor
      })

      /** Accepts the request the other made, in the caller's transaction with the pair locked. */
      const acceptFrom = Effect.fn("Friendships.acceptFrom")(function* (user: SignedIn, requesterId: UserId) {
        yield* graph.acceptFriendship(user.userId, requesterId)
        yield* record("social.friendAccepted", user.userId, requesterId)
      })

      const request = Effect.fn("Friendships.request")(function* (user: SignedIn, otherId: UserId) {
        const existing = yield* graph.lockFriendship(user.userId, otherId)
        if (Option.isSome(existing)) {
          if (existing.value.status === "accepted") return "friends" as const
          if (existing.value.requesterId === user.userId) return "requested" as const
          yield* acceptFrom(user, otherId)
          return "friends" as const
        }
        const policy = (yield* settings.get(otherId)).friendRequests
        const mutual = policy === "friends_of_friends" ? yield* graph.haveMutualFriend(user.userId, otherId) : false
        if (!SocialPolicy.mayRequestFriendship(policy, mutual)) {
          return yield* new FriendRequestsClosed({ message: "They do not take friend requests from you" })
        }
        if (!(yield* graph.insertFriendRequest(user.userId, otherId))) return "raced" as const
        yield* record("social.friendRequested", user.userId, otherId)
        return "requested" as const
      })

      return Friendships.of({
        request: Effect.fn("Friendships.request")(function* (user, otherId) {
          yield* people.target(user.userId, otherId)
          const first = yield* transaction(request(user, otherId))
          // They asked at the same moment: their row is there now, and answering it makes you friends.
          const status = first === "raced" ? yield* transaction(request(user, otherId)) : first
          if (status === "friends") yield* changed(user.userId, otherId)
          return { status: status === "friends" ? "friends" : "requested" }
        }),

        cancel: Effect.fn("Friendships.cancel")(function* (user, otherId) {
          yield* transaction(
            Effect.gen(function* () {
              const existing = yield* graph.lockFriendship(user.userId, otherId)
              if (!pendingFrom(existing, user.userId)) return yield* noRequest
              yield* graph.deleteFriendship(user.userId, otherId)
            })
          )
        }),

        accept: Effect.fn("Friendships.accept")(function* (user, requesterId) {
          yield* transaction(
            Effect.gen(function* () {
              const existing = yield* graph.lockFriendship(user.userId, requesterId)
              if (!pendingFrom(existing, requesterId)) return yield* noRequest
              yield* acceptFrom(user, requesterId)
            })
          )
          yield* changed(user.userId, requesterId)
        }),

        decline: Effect.fn("Friendships.decline")(function* (user, requesterId) {
          yield* transaction(
            Effect.gen(function* () {
              const existing = yield* graph.lockFriendship(user.userId, requesterId)
              if (!pendingFrom(existing, requesterId)) return yield* noRequest
              yield* graph.deleteFriendship(user.userId, requesterId)
            })
          )
        }),

        unfriend: Effect.fn("Friendships.unfriend")(function* (user, otherId) {
          yield* transaction(
            Effect.gen(function* () {
              const existing = yield* graph.lockFriendship(user.userId, otherId)
              if (Option.isSome(existing) && existing.value.status === "accepted") {
                yield* graph.deleteFriendship(user.userId, otherId)
              }
            })
          )
          yield* changed(user.userId, otherId)
        }),

        friends: Effect.fn("Friendships.friends")(function* (viewer, ownerId, query) {
          const actor = yield* friendsVisible(viewer, ownerId)
          return yield* people.page(actor, `friends:${ownerId}`, query, (page) => graph.friends(ownerId, page))
        }),

        mutual: Effect.fn("Friendships.mutual")(function* (user, otherId, query) {
          const actor = yield* friendsVisible(user, otherId)
          return yield* people.page(actor, `mutual-friends:${user.userId}:${otherId}`, query, (page) =>
            graph.mutualFriends(user.userId, otherId, page)
          )
        }),

        requests: (user, direction, query) =>
          people.page(Actor.of(user), `friend-requests:${direction}:${user.userId}`, query, (page) =>
            graph.friendRequests(user.userId, direction, page)
          )
      })
    })
  )
}
