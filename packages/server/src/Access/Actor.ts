import type { UserId, UserRole } from "@moim/domain/Accounts/User"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Effect } from "effect"

/**
 * Who is asking, as every policy sees it: a signed-in user with their site role, or nobody. A
 * suspended user never gets this far with an identity (authentication refuses them, or reads them
 * as nobody on public reads), so policies need not ask.
 */
export type Actor = {
  readonly userId: UserId
  readonly siteRole: UserRole
  /** A site admin kept to a user's powers until they turn on two-factor authentication. */
  readonly adminNeedsSecondFactor?: true
} | null

export const Actor = {
  of: (user: CurrentUser["Service"]): NonNullable<Actor> =>
    user.adminNeedsSecondFactor === true
      ? { userId: user.userId, siteRole: "user", adminNeedsSecondFactor: true }
      : { userId: user.userId, siteRole: user.role },
  isSiteAdmin: (actor: Actor): boolean => actor?.siteRole === "admin",
  /** Site administration: only site admins. */
  requireSiteAdmin: (actor: Actor): Effect.Effect<void, Forbidden> =>
    Actor.isSiteAdmin(actor)
      ? Effect.void
      : Effect.fail(
          actor?.adminNeedsSecondFactor === true
            ? new Forbidden({
                message:
                  "Site admins must turn on two-factor authentication (POST /api/v1/me/two-factor) before using admin operations",
                reason: "second_factor_required"
              })
            : new Forbidden({ message: "Only site admins may do this" })
        )
}
