import type { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect } from "effect"

/**
 * Told, inside the transaction of `DELETE /me`, that an account is being erased, so that every
 * feature forgets what it keeps of that person beyond what stays visible to others (their posts and
 * messages stay, shown as "Deleted user"). Accounts declares it; recommendations answer it (the
 * place, interests, dismissals and suggestions) and analytics (the activity events), wired in
 * `Features.ts`. Until then it tells nobody.
 */
export const AccountErasure = Context.Reference<{
  readonly erased: (userId: UserId) => Effect.Effect<void>
}>("@moim/server/Accounts/AccountErasure", {
  defaultValue: () => ({ erased: () => Effect.void })
})
