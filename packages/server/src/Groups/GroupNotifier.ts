import type { UserId } from "@moim/domain/Accounts/User"
import {
  type GroupEvent,
  GroupInvitationAccepted,
  GroupInvited,
  GroupJoinApproved,
  GroupJoinRejected,
  GroupJoinRequested,
  GroupMemberBanned,
  GroupMemberRemoved,
  GroupOwnershipTransferred,
  GroupRoleChanged,
  NotifyGroupEvent
} from "@moim/domain/Groups/GroupNotifications"
import { Context, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { Notifications } from "../Notifications/Notifications.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { GroupsRepo } from "./GroupsRepo.ts"
import { MembershipsRepo } from "./MembershipsRepo.ts"

/**
 * `const record = yield* GroupEvents.make`: records a group event to notify people of, as a
 * `NotifyGroupEvent` job on the caller's connection, so inside the transaction of the change it
 * commits or rolls back with it.
 */
export const GroupEvents = {
  make: Effect.gen(function* () {
    const jobs = yield* JobQueue
    return (event: GroupEvent) =>
      jobs.enqueue(NotifyGroupEvent, { eventId: SecureRandom.uuidV7Unsafe(), event }).pipe(Effect.asVoid)
  })
}

/**
 * Who hears of a group event, and as which notification (run by the worker for `NotifyGroupEvent`):
 * join requests go to the owner and admins, answers and changes to the member concerned,
 * an accepted invitation to whoever sent it. Nothing is sent about a group deleted since.
 */
export class GroupNotifier extends Context.Service<
  GroupNotifier,
  { readonly notify: (eventId: string, event: GroupEvent) => Effect.Effect<void> }
>()("@moim/server/Groups/GroupNotifier") {
  static readonly layer = Layer.effect(
    GroupNotifier,
    Effect.gen(function* () {
      const groups = yield* GroupsRepo
      const memberships = yield* MembershipsRepo
      const notifications = yield* Notifications

      return GroupNotifier.of({
        notify: Effect.fn("GroupNotifier.notify")(function* (eventId, event) {
          const found = yield* groups.find(event.groupId)
          if (Option.isNone(found)) return
          const inGroup = { groupId: event.groupId, groupName: found.value.name }
          const common = { eventId, actorId: event.by, groupId: event.groupId }
          const toMember = (userId: UserId) => ({ ...common, recipients: [userId], subjectId: event.groupId })
          switch (event._tag) {
            case "JoinRequested": {
              const recipients = yield* memberships.moderatorIds(event.groupId)
              yield* notifications.deliver({
                ...common,
                kind: GroupJoinRequested,
                data: inGroup,
                recipients,
                subjectId: event.groupId
              })
              return
            }
            case "JoinApproved":
              yield* notifications.deliver({ ...toMember(event.userId), kind: GroupJoinApproved, data: inGroup })
              return
            case "JoinRejected":
              yield* notifications.deliver({ ...toMember(event.userId), kind: GroupJoinRejected, data: inGroup })
              return
            case "RoleChanged":
              yield* notifications.deliver({
                ...toMember(event.userId),
                kind: GroupRoleChanged,
                data: { ...inGroup, role: event.role }
              })
              return
            case "OwnershipTransferred":
              yield* notifications.deliver({
                ...toMember(event.userId),
                kind: GroupOwnershipTransferred,
                data: inGroup
              })
              return
            case "MemberRemoved":
              yield* notifications.deliver({
                ...toMember(event.userId),
                kind: GroupMemberRemoved,
                data: inGroup,
                subjectId: event.userId
              })
              return
            case "MemberBanned":
              yield* notifications.deliver({
                ...toMember(event.userId),
                kind: GroupMemberBanned,
                data: inGroup,
                subjectId: event.userId
              })
              return
            case "Invited":
              yield* notifications.deliver({
                ...common,
                kind: GroupInvited,
                data: { ...inGroup, invitationId: event.invitationId },
                recipients: [event.userId],
                subjectId: event.invitationId
              })
              return
            case "InvitationAccepted":
              yield* notifications.deliver({
                ...common,
                kind: GroupInvitationAccepted,
                data: inGroup,
                recipients: [event.inviterId],
                subjectId: event.groupId
              })
              return
          }
        })
      })
    })
  )
}
