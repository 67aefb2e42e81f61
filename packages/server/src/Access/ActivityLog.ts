import type { UserId } from "@moim/domain/Accounts/User"
import type { ActivityKind } from "@moim/domain/Analytics/Analytics"
import type { GroupId } from "@moim/domain/Groups/Group"
import { Context, Effect } from "effect"

/** One thing a person did, as a feature tells it. */
export interface Activity {
  readonly kind: ActivityKind
  /** Who did it; null for an anonymous view. */
  readonly userId: UserId | null
  /** What it was done to (the post commented on, the event answered, the message sent), when that is kept. */
  readonly subjectId?: string | null | undefined
  /** The group it happened in, when it happened in one. */
  readonly groupId?: GroupId | null | undefined
}

/**
 * Told when someone signs in or up, posts, comments, reacts, answers an event, sends a chat message,
 * or views a profile or group, after the change committed (a view: once it was allowed). Every
 * feature may tell it; analytics answers it (`Analytics/ActivityRecorder.ts`: the client's device
 * class and hashed address are added from `ClientInfo`, and the event is buffered and written in
 * batches, so a request never waits for it). It never fails and never blocks. Until analytics is
 * wired (`Features.ts`), it tells nobody.
 */
export const ActivityLog = Context.Reference<{
  readonly record: (activity: Activity) => Effect.Effect<void>
}>("@moim/server/Access/ActivityLog", { defaultValue: () => ({ record: () => Effect.void }) })
