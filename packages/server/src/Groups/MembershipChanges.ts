import type { UserId } from "@moim/domain/Accounts/User"
import type { GroupId } from "@moim/domain/Groups/Group"
import { Context, Effect } from "effect"

/**
 * Told, inside the transaction of the change, when someone becomes a member of a group (its owner
 * when it is created, anyone admitted) and when they stop being one (left, removed, banned). Groups
 * declares it; chat answers it (`Chat/ChatMembershipChanges.ts`: a member is in the group's
 * `general` channel, and a member who goes leaves every channel of the group), wired in
 * `Features.ts`. Until then it tells nobody.
 */
export const MembershipChanges = Context.Reference<{
  readonly joined: (groupId: GroupId, userId: UserId) => Effect.Effect<void>
  readonly left: (groupId: GroupId, userId: UserId) => Effect.Effect<void>
}>("@moim/server/Groups/MembershipChanges", {
  defaultValue: () => ({ joined: () => Effect.void, left: () => Effect.void })
})
