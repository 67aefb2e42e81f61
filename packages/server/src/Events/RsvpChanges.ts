import type { UserId } from "@moim/domain/Accounts/User"
import type { EventId } from "@moim/domain/Events/Event"
import { Context, Effect } from "effect"

/**
 * Told, inside the transaction of the change, when someone answers an event (or changes their
 * answer). Events declares it; recommendations answer it (a refresh of that person's suggestions),
 * wired in `Features.ts`. Until then it tells nobody.
 */
export const RsvpChanges = Context.Reference<{
  readonly answered: (eventId: EventId, userId: UserId) => Effect.Effect<void>
}>("@moim/server/Events/RsvpChanges", {
  defaultValue: () => ({ answered: () => Effect.void })
})
