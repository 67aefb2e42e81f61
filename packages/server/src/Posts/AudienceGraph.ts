import type { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer } from "effect"

/** How the viewer relates to an author, for the `followers` and `friends` audiences. */
export interface Relation {
  readonly follows: boolean
  readonly friends: boolean
}

const stranger: Relation = { follows: false, friends: false }

/**
 * The social relations audiences depend on. The posts feature declares the port and makes its one
 * audience check with it (`PostPolicy.canSee`); the social graph feature answers it when it lands.
 * Until then nobody follows or befriends anyone: a `followers` or `friends` post is its author's
 * alone.
 */
export class AudienceGraph extends Context.Service<
  AudienceGraph,
  {
    /** The viewer's relation to each author. */
    readonly relations: (viewer: UserId, authors: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyMap<UserId, Relation>>
  }
>()("@moim/server/Posts/AudienceGraph") {
  /** No relations yet (there is no social graph to ask). */
  static readonly none = Layer.succeed(
    AudienceGraph,
    AudienceGraph.of({ relations: (_viewer, authors) => Effect.succeed(new Map(authors.map((id) => [id, stranger]))) })
  )
}
