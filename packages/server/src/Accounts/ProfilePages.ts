import type { PublicProfile, UserNotFound } from "@moim/domain/Accounts/User"
import type { UserProfile } from "@moim/domain/Social/Profile"
import { Context, type Effect } from "effect"
import type { Actor } from "../Access/Actor.ts"

/**
 * A profile as its page shows it (`GET /users/:id`): the public profile, with what the social graph
 * adds (counts, the viewer's relationship, what the owner's privacy settings show). Accounts declares
 * the port; the social feature answers it (`Social/SocialProfiles.ts`), so accounts never depends on it.
 */
export class ProfilePages extends Context.Service<
  ProfilePages,
  {
    /** `UserNotFound` when either blocked the other. */
    readonly show: (viewer: Actor, profile: PublicProfile) => Effect.Effect<UserProfile, UserNotFound>
  }
>()("@moim/server/Accounts/ProfilePages") {}
