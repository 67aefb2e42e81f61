import { UserProfile } from "@moim/domain/Social/Profile"
import { DateTime, Effect, Layer, Option } from "effect"
import { ProfilePages } from "../Accounts/ProfilePages.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { Posts } from "../Posts/Posts.ts"
import { GraphRepo } from "./GraphRepo.ts"
import { People } from "./People.ts"
import { SettingsRepo } from "./SettingsRepo.ts"
import { SocialPolicy } from "./SocialPolicy.ts"

/** The social feature's answer to `ProfilePages`: counts, relationship and privacy on every profile read. */
export const SocialProfilesLive = Layer.effect(
  ProfilePages,
  Effect.gen(function* () {
    const graph = yield* GraphRepo
    const settings = yield* SettingsRepo
    const people = yield* People
    const posts = yield* Posts
    const profiles = yield* Profiles

    return ProfilePages.of({
      show: Effect.fn("SocialProfiles.show")(function* (viewer, profile) {
        const standing = yield* people.visible(viewer, profile.id)
        const [owner, counts, relationship, postCount, lastActive] = yield* Effect.all(
          [
            settings.get(profile.id),
            graph.counts(profile.id),
            viewer === null || standing.self ? Effect.succeed(null) : graph.relationship(viewer.userId, profile.id),
            posts.countOnProfile(viewer, profile.id, standing),
            profiles.lastActiveAt(profile.id)
          ],
          { concurrency: "unbounded" }
        )
        const detailsShown = SocialPolicy.visible(owner.profileDetails, standing)
        return new UserProfile({
          ...profile,
          bio: detailsShown ? profile.bio : "",
          interests: detailsShown ? profile.interests : [],
          privateAccount: owner.privateAccount,
          detailsHidden: !detailsShown,
          lastActiveAt: SocialPolicy.visible(owner.lastActive, standing)
            ? Option.getOrNull(Option.map(lastActive, DateTime.fromDateUnsafe))
            : null,
          counts: { ...counts, posts: postCount },
          relationship
        })
      })
    })
  })
)
