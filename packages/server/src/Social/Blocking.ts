import { type UserId, UserNotFound } from "@moim/domain/Accounts/User"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { InvalidCursor } from "@moim/domain/Kit/Page"
import { type Connection, SelfRelation } from "@moim/domain/Social/Social"
import { Context, Effect, Layer, Option } from "effect"
import { Actor } from "../Access/Actor.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import type { Page, PageQuery } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { BlocksRepo } from "./BlocksRepo.ts"
import { FeedCache } from "./FeedCache.ts"
import { GraphRepo } from "./GraphRepo.ts"
import { People } from "./People.ts"

type SignedIn = CurrentUser["Service"]

/**
 * Blocking someone: in one transaction, the block, and the end of follows (and requests) both ways
 * and of the friendship or request between them. What a block hides everywhere else is each
 * feature's through the `Blocks` port.
 */
export class Blocking extends Context.Service<
  Blocking,
  {
    readonly block: (user: SignedIn, otherId: UserId) => Effect.Effect<void, UserNotFound | SelfRelation>
    readonly unblock: (user: SignedIn, otherId: UserId) => Effect.Effect<void>
    readonly list: (user: SignedIn, query: PageQuery) => Effect.Effect<Page<typeof Connection.Type>, InvalidCursor>
  }
>()("@moim/server/Social/Blocking") {
  static readonly layer = Layer.effect(
    Blocking,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const blocks = yield* BlocksRepo
      const graph = yield* GraphRepo
      const profiles = yield* Profiles
      const people = yield* People
      const feeds = yield* FeedCache

      return Blocking.of({
        block: Effect.fn("Blocking.block")(function* (user, otherId) {
          if (user.userId === otherId) return yield* new SelfRelation({ message: "You cannot block yourself" })
          // Someone who blocked you may be blocked back: only their existence is checked.
          if (Option.isNone(yield* profiles.findActive(otherId))) {
            return yield* new UserNotFound({ message: "No such user" })
          }
          yield* transaction(
            Effect.gen(function* () {
              yield* blocks.insert(user.userId, otherId)
              yield* graph.deleteFollow(user.userId, otherId)
              yield* graph.deleteFollow(otherId, user.userId)
              yield* graph.deleteFriendship(user.userId, otherId)
            })
          )
          yield* feeds.invalidate(user.userId)
          yield* feeds.invalidate(otherId)
        }),

        unblock: (user, otherId) => transaction(blocks.remove(user.userId, otherId)),

        // Listed without the block filter: these are the people you blocked.
        list: (user, query) =>
          people.page(null, `blocks:${user.userId}`, query, (page) =>
            blocks.list({ blockerId: Actor.of(user).userId, ...page })
          )
      })
    })
  )
}
