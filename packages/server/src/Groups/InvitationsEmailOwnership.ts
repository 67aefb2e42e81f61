import { Effect, Layer } from "effect"
import { EmailOwnership } from "../Accounts/EmailOwnership.ts"
import { InvitationsRepo } from "./InvitationsRepo.ts"

/**
 * Groups' side of `EmailOwnership`: once an account proves it owns an address, the group
 * invitations sent to that address become its own (never merely on sign-up with the address).
 */
export const InvitationsEmailOwnership = Layer.effect(
  EmailOwnership,
  Effect.gen(function* () {
    const invitations = yield* InvitationsRepo
    return EmailOwnership.of({ proven: (userId, email) => invitations.claimEmail(userId, email) })
  })
)
