import type { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer } from "effect"

/**
 * Who blocked whom, for every feature that shows one person to another or lets one reach another
 * (profiles, posts, comments, reactions, invitations, notifications). Two people of whom either
 * blocked the other do not see each other anywhere. The social feature answers it (`Social/SocialGraph.ts`).
 */
export class Blocks extends Context.Service<
  Blocks,
  {
    /** Of `others`, those who blocked `userId` or whom `userId` blocked. */
    readonly hiddenAmong: (userId: UserId, others: ReadonlyArray<UserId>) => Effect.Effect<ReadonlySet<UserId>>
    /** Did either block the other? */
    readonly between: (a: UserId, b: UserId) => Effect.Effect<boolean>
  }
>()("@moim/server/Access/Blocks") {
  /** Nobody blocked anybody: for tests of a feature on its own. */
  static readonly none = Layer.succeed(
    Blocks,
    Blocks.of({ hiddenAmong: () => Effect.succeed(new Set()), between: () => Effect.succeed(false) })
  )
}
