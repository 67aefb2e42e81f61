import type { UserId, UserRole } from "@moim/domain/Accounts/User"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Effect } from "effect"

/**
 * Who is asking, as every policy sees it: a signed-in user with their site role, or nobody. A
 * suspended user never gets this far with an identity (authentication refuses them, or reads them
 * as nobody on public reads), so policies need not ask.
 */
export type Actor = { readonly userId: UserId; readonly siteRole: UserRole } | null

export const Actor = {
  of: (user: CurrentUser["Service"]): NonNullable<Actor> => ({ userId: user.userId, siteRole: user.role }),
  isSiteAdmin: (actor: Actor): boolean => actor?.siteRole === "admin",
  /** Site administration: only site admins. */
  requireSiteAdmin: (actor: Actor): Effect.Effect<void, Forbidden> =>
    Actor.isSiteAdmin(actor) ? Effect.void : Effect.fail(new Forbidden({ message: "Only site admins may do this" }))
}
