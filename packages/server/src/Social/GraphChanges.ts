import type { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect } from "effect"

/**
 * Told, inside the transaction of the change, when someone's place in the graph grows: they followed
 * or asked to follow someone, asked for or entered a friendship. Social declares it; recommendations
 * answer it (a refresh of that person's suggestions), wired in `Features.ts`. Until then it tells
 * nobody.
 */
export const GraphChanges = Context.Reference<{
  readonly connected: (userId: UserId) => Effect.Effect<void>
}>("@moim/server/Social/GraphChanges", {
  defaultValue: () => ({ connected: () => Effect.void })
})
