import { Layer } from "effect"
import { Blocking } from "./Blocking.ts"
import { BlocksRepo } from "./BlocksRepo.ts"
import { Contacts } from "./Contacts.ts"
import { ContactsRepo } from "./ContactsRepo.ts"
import { FeedCache } from "./FeedCache.ts"
import { Follows } from "./Follows.ts"
import { Friendships } from "./Friendships.ts"
import { GraphRepo } from "./GraphRepo.ts"
import { HomeFeed } from "./HomeFeed.ts"
import { People } from "./People.ts"
import { PrivacySettings } from "./PrivacySettings.ts"
import { SettingsRepo } from "./SettingsRepo.ts"
import { SocialNotifier } from "./SocialNotifier.ts"
import { SocialProfilesLive } from "./SocialProfiles.ts"

const Repos = Layer.mergeAll(GraphRepo.layer, BlocksRepo.layer, SettingsRepo.layer, ContactsRepo.layer)
const Shared = Layer.mergeAll(People.layer, FeedCache.layer).pipe(Layer.provideMerge(Repos))

/**
 * The social feature's services (follows, friendships, blocks, settings, the home feed, and the
 * profile pages accounts shows, contacts), on the platform, accounts (`Profiles`), groups (`GroupAccess`) and
 * posts (`Posts`, for the feed and counts). The ports it answers for every feature (`AudienceGraph`,
 * `Blocks`) are `SocialGraph.ts`'s, wired lower.
 */
export const SocialLive = Layer.mergeAll(
  Follows.layer,
  Friendships.layer,
  Blocking.layer,
  PrivacySettings.layer,
  HomeFeed.layer,
  Contacts.layer,
  SocialProfilesLive
).pipe(Layer.provide(Shared))

/** Who hears of follows and friend requests (for the worker), on the notifications feature's `Notifications`. */
export const SocialNotifierLive = SocialNotifier.layer.pipe(Layer.provide(Contacts.layer), Layer.provide(Repos))
