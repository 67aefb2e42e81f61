import type { UserId } from "@moim/domain/Accounts/User"
import type { PostAudience } from "@moim/domain/Posts/Post"
import type { Effect } from "effect"
import { Context } from "effect"

/** How the viewer relates to an author, for the `followers` and `friends` audiences and for blocks. */
export interface Relation {
  readonly follows: boolean
  readonly friends: boolean
  /** Either blocked the other: nothing of the author reaches the viewer, in a group or on a profile. */
  readonly blocked: boolean
}

/**
 * The social relations audiences depend on. The posts feature declares the port and makes its one
 * audience check with it (`PostPolicy.canSee`); the social graph answers it (`Social/SocialGraph.ts`).
 */
export class AudienceGraph extends Context.Service<
  AudienceGraph,
  {
    /** The viewer's relation to each author. */
    readonly relations: (viewer: UserId, authors: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyMap<UserId, Relation>>
    /** The audience of a profile post that names none: the author's setting. */
    readonly defaultAudience: (author: UserId) => Effect.Effect<Exclude<PostAudience, "specific">>
  }
>()("@moim/server/Posts/AudienceGraph") {}
