import type { UserId, UserNotFound } from "@moim/domain/Accounts/User"
import type { Forbidden as ForbiddenError } from "@moim/domain/Kit/AccessErrors"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { InvalidCursor } from "@moim/domain/Kit/Page"
import {
  type Connection,
  FollowLimitReached,
  FollowRequestNotFound,
  followingLimit,
  type SelfRelation
} from "@moim/domain/Social/Social"
import { Context, Effect, Layer, Option } from "effect"
import { Actor } from "../Access/Actor.ts"
import type { Page, PageQuery } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { FeedCache } from "./FeedCache.ts"
import { GraphRepo } from "./GraphRepo.ts"
import { People } from "./People.ts"
import { SettingsRepo } from "./SettingsRepo.ts"
import { SocialEvents } from "./SocialNotifier.ts"
import { SocialPolicy } from "./SocialPolicy.ts"

type SignedIn = CurrentUser["Service"]
type Viewer = CurrentUser["Service"] | null

/**
 * Following people. A follow of a public account takes effect at once; of a private account it is a
 * request its owner approves or declines. A user follows at most `followingLimit` accounts.
 */
export class Follows extends Context.Service<
  Follows,
  {
    readonly follow: (
      user: SignedIn,
      otherId: UserId
    ) => Effect.Effect<{ readonly status: "following" | "requested" }, UserNotFound | SelfRelation | FollowLimitReached>
    readonly unfollow: (user: SignedIn, otherId: UserId) => Effect.Effect<void>
    readonly removeFollower: (user: SignedIn, followerId: UserId) => Effect.Effect<void>
    readonly followers: (
      viewer: Viewer,
      ownerId: UserId,
      query: PageQuery
    ) => Effect.Effect<Page<typeof Connection.Type>, UserNotFound | ForbiddenError | InvalidCursor>
    readonly following: (
      viewer: Viewer,
      ownerId: UserId,
      query: PageQuery
    ) => Effect.Effect<Page<typeof Connection.Type>, UserNotFound | ForbiddenError | InvalidCursor>
    readonly requests: (user: SignedIn, query: PageQuery) => Effect.Effect<Page<typeof Connection.Type>, InvalidCursor>
    readonly approve: (user: SignedIn, followerId: UserId) => Effect.Effect<void, FollowRequestNotFound>
    readonly decline: (user: SignedIn, followerId: UserId) => Effect.Effect<void, FollowRequestNotFound>
  }
>()("@moim/server/Social/Follows") {
  static readonly layer = Layer.effect(
    Follows,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const graph = yield* GraphRepo
      const settings = yield* SettingsRepo
      const people = yield* People
      const feeds = yield* FeedCache
      const record = yield* SocialEvents.make

      const noRequest = new FollowRequestNotFound({ message: "They have no pending request to follow you" })

      /** A private account's lists are for it and its followers. */
      const lists = Effect.fn("Follows.lists")(function* (viewer: Viewer, ownerId: UserId) {
        const actor = viewer === null ? null : Actor.of(viewer)
        const standing = yield* people.visible(actor, ownerId)
        const owner = yield* settings.get(ownerId)
        if (!SocialPolicy.listsVisible(owner.privateAccount, standing)) {
          return yield* new Forbidden({ message: "This account is private: only its followers see whom it follows" })
        }
        return actor
      })

      return Follows.of({
        follow: Effect.fn("Follows.follow")(function* (user, otherId) {
          yield* people.target(user.userId, otherId)
          yield* transaction(
            Effect.gen(function* () {
              // Shared with other follows, exclusive with a switch to public that approves the waiting requests.
              const owner = yield* settings.lock(otherId, "share")
              if (Option.isSome(yield* graph.followStatus(user.userId, otherId))) return
              if ((yield* graph.followingCount(user.userId)) >= followingLimit) {
                return yield* new FollowLimitReached({
                  message: `You follow ${followingLimit} accounts, as many as one may`,
                  limit: followingLimit
                })
              }
              const status = owner.privateAccount ? "pending" : "active"
              if (yield* graph.insertFollow(user.userId, otherId, status)) {
                yield* record(status === "active" ? "social.followed" : "social.followRequested", user.userId, otherId)
              }
            })
          )
          yield* feeds.invalidate(user.userId)
          const status = yield* graph.followStatus(user.userId, otherId)
          return { status: Option.getOrUndefined(status) === "active" ? "following" : "requested" }
        }),

        unfollow: Effect.fn("Follows.unfollow")(function* (user, otherId) {
          yield* transaction(graph.deleteFollow(user.userId, otherId))
          yield* feeds.invalidate(user.userId)
        }),

        removeFollower: Effect.fn("Follows.removeFollower")(function* (user, followerId) {
          yield* transaction(graph.deleteFollow(followerId, user.userId))
          yield* feeds.invalidate(followerId)
        }),

        followers: Effect.fn("Follows.followers")(function* (viewer, ownerId, query) {
          const actor = yield* lists(viewer, ownerId)
          return yield* people.page(actor, `followers:${ownerId}`, query, (page) =>
            graph.followers(ownerId, "active", page)
          )
        }),

        following: Effect.fn("Follows.following")(function* (viewer, ownerId, query) {
          const actor = yield* lists(viewer, ownerId)
          return yield* people.page(actor, `following:${ownerId}`, query, (page) => graph.following(ownerId, page))
        }),

        requests: (user, query) =>
          people.page(Actor.of(user), `follow-requests:${user.userId}`, query, (page) =>
            graph.followers(user.userId, "pending", page)
          ),

        approve: Effect.fn("Follows.approve")(function* (user, followerId) {
          yield* transaction(
            Effect.gen(function* () {
              if (!(yield* graph.approveFollow(followerId, user.userId))) return yield* noRequest
              yield* record("social.followApproved", user.userId, followerId)
            })
          )
          yield* feeds.invalidate(followerId)
        }),

        decline: Effect.fn("Follows.decline")(function* (user, followerId) {
          yield* transaction(
            Effect.gen(function* () {
              const status = yield* graph.followStatus(followerId, user.userId)
              if (status._tag === "None" || status.value !== "pending") return yield* noRequest
              yield* graph.deleteFollow(followerId, user.userId)
            })
          )
        })
      })
    })
  )
}
