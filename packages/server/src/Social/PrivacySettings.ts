import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Settings, type UpdateSettingsPayload } from "@moim/domain/Social/Social"
import { Context, Effect, Layer } from "effect"
import { Transaction } from "../platform/Transaction.ts"
import { FeedCache } from "./FeedCache.ts"
import { GraphRepo } from "./GraphRepo.ts"
import { SettingsRepo } from "./SettingsRepo.ts"

type SignedIn = CurrentUser["Service"]

/** Your privacy settings. Making a private account public approves its waiting follow requests. */
export class PrivacySettings extends Context.Service<
  PrivacySettings,
  {
    readonly get: (user: SignedIn) => Effect.Effect<Settings>
    readonly update: (user: SignedIn, change: typeof UpdateSettingsPayload.Type) => Effect.Effect<Settings>
  }
>()("@moim/server/Social/PrivacySettings") {
  static readonly layer = Layer.effect(
    PrivacySettings,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const repo = yield* SettingsRepo
      const graph = yield* GraphRepo
      const feeds = yield* FeedCache

      return PrivacySettings.of({
        get: (user) => repo.get(user.userId),
        update: Effect.fn("PrivacySettings.update")(function* (user, change) {
          const { settings, approved } = yield* transaction(
            Effect.gen(function* () {
              const before = yield* repo.lock(user.userId, "update")
              const settings = new Settings({
                privateAccount: change.privateAccount ?? before.privateAccount,
                profileDetails: change.profileDetails ?? before.profileDetails,
                defaultPostAudience: change.defaultPostAudience ?? before.defaultPostAudience,
                friendsList: change.friendsList ?? before.friendsList,
                lastActive: change.lastActive ?? before.lastActive,
                friendRequests: change.friendRequests ?? before.friendRequests,
                findableByPhone: change.findableByPhone ?? before.findableByPhone,
                findableByEmail: change.findableByEmail ?? before.findableByEmail
              })
              yield* repo.put(user.userId, settings)
              const approved =
                before.privateAccount && !settings.privateAccount ? yield* graph.approveAllFollows(user.userId) : []
              return { settings, approved }
            })
          )
          yield* Effect.forEach(approved, (followerId) => feeds.invalidate(followerId), { discard: true })
          return settings
        })
      })
    })
  )
}
