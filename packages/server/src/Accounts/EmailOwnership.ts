import type { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer } from "effect"

/**
 * Called inside the transaction that proves a user owns an email address (verifying it, or resetting
 * the password through it), so other features can hand over what was addressed to that email:
 * group invitations sent to the address become the user's. Accounts declares it; the features that
 * care implement it (`Groups/InvitationsEmailOwnership.ts`). It must not fail: whatever it does is
 * part of proving the address, and commits or rolls back with it.
 */
export class EmailOwnership extends Context.Service<
  EmailOwnership,
  { readonly proven: (userId: UserId, email: string) => Effect.Effect<void> }
>()("@moim/server/Accounts/EmailOwnership") {
  /** For a deployment (or a test) without features that take email-addressed things. */
  static readonly none = Layer.succeed(EmailOwnership)(EmailOwnership.of({ proven: () => Effect.void }))
}
