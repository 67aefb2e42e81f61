import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import * as Job from "../Jobs/Job.ts"
import * as NotificationKind from "../Notifications/NotificationKind.ts"
import { GroupId, InvitationId, MemberRole } from "./Group.ts"

const InGroup = Schema.Struct({ groupId: GroupId, groupName: Schema.String })

export const GroupInvited = NotificationKind.make({
  type: "group.invited",
  identifier: "GroupInvitedNotification",
  description: "You are invited to a group",
  subject: "invitation",
  data: Schema.Struct({ groupId: GroupId, groupName: Schema.String, invitationId: InvitationId }),
  defaults: { email: true, push: true },
  text: (who, data) => `${who} invited you to join ${data.groupName}`
})

export const GroupJoinRequested = NotificationKind.make({
  type: "group.joinRequested",
  identifier: "GroupJoinRequestedNotification",
  description: "Someone asks to join a group you run",
  subject: "group",
  data: InGroup,
  collapse: true,
  mutedWithGroup: true,
  defaults: { email: true, push: true },
  text: (who, data) => `${who} asked to join ${data.groupName}`
})

export const GroupJoinApproved = NotificationKind.make({
  type: "group.joinApproved",
  identifier: "GroupJoinApprovedNotification",
  description: "Your request to join a group is approved",
  subject: "group",
  data: InGroup,
  defaults: { email: true, push: true },
  text: (who, data) => `${who} approved your request to join ${data.groupName}`
})

export const GroupJoinRejected = NotificationKind.make({
  type: "group.joinRejected",
  identifier: "GroupJoinRejectedNotification",
  description: "Your request to join a group is declined",
  subject: "group",
  data: InGroup,
  defaults: { email: false, push: false },
  text: (_who, data) => `Your request to join ${data.groupName} was declined`
})

export const GroupRoleChanged = NotificationKind.make({
  type: "group.roleChanged",
  identifier: "GroupRoleChangedNotification",
  description: "Your role in a group changes",
  subject: "group",
  data: Schema.Struct({ groupId: GroupId, groupName: Schema.String, role: MemberRole }),
  defaults: { email: false, push: true },
  text: (who, data) =>
    data.role === "admin"
      ? `${who} made you an admin of ${data.groupName}`
      : `You are now a member of ${data.groupName}`
})

// Removal and bans are about the recipient's own account: the group may no longer be visible to them.
export const GroupMemberRemoved = NotificationKind.make({
  type: "group.removed",
  identifier: "GroupRemovedNotification",
  description: "You are removed from a group",
  subject: "user",
  data: InGroup,
  defaults: { email: true, push: false },
  text: (_who, data) => `You were removed from ${data.groupName}`
})

export const GroupMemberBanned = NotificationKind.make({
  type: "group.banned",
  identifier: "GroupBannedNotification",
  description: "You are banned from a group",
  subject: "user",
  data: InGroup,
  defaults: { email: true, push: false },
  text: (_who, data) => `You were banned from ${data.groupName}`
})

export const GroupOwnershipTransferred = NotificationKind.make({
  type: "group.ownershipTransferred",
  identifier: "GroupOwnershipTransferredNotification",
  description: "You become the owner of a group",
  subject: "group",
  data: InGroup,
  defaults: { email: true, push: true },
  text: (who, data) => `${who} made you the owner of ${data.groupName}`
})

export const GroupInvitationAccepted = NotificationKind.make({
  type: "group.invitationAccepted",
  identifier: "GroupInvitationAcceptedNotification",
  description: "Someone you invited joins the group",
  subject: "group",
  data: InGroup,
  collapse: true,
  mutedWithGroup: true,
  defaults: { email: false, push: true },
  text: (who, data) => `${who} accepted your invitation to ${data.groupName}`
})

/** Every notification the groups feature sends. */
export const GroupNotificationKinds = [
  GroupInvited,
  GroupJoinRequested,
  GroupJoinApproved,
  GroupJoinRejected,
  GroupRoleChanged,
  GroupMemberRemoved,
  GroupMemberBanned,
  GroupOwnershipTransferred,
  GroupInvitationAccepted
] as const

/** A notification from the groups feature, as clients receive it. */
export const GroupNotification = Schema.Union([
  GroupInvited.schema,
  GroupJoinRequested.schema,
  GroupJoinApproved.schema,
  GroupJoinRejected.schema,
  GroupRoleChanged.schema,
  GroupMemberRemoved.schema,
  GroupMemberBanned.schema,
  GroupOwnershipTransferred.schema,
  GroupInvitationAccepted.schema
])

/** Something that happened in a group that people are told about; `by` is who did it. */
export const GroupEvent = Schema.Union([
  Schema.TaggedStruct("JoinRequested", { groupId: GroupId, by: UserId }),
  Schema.TaggedStruct("JoinApproved", { groupId: GroupId, userId: UserId, by: UserId }),
  Schema.TaggedStruct("JoinRejected", { groupId: GroupId, userId: UserId, by: UserId }),
  Schema.TaggedStruct("RoleChanged", { groupId: GroupId, userId: UserId, role: MemberRole, by: UserId }),
  Schema.TaggedStruct("MemberRemoved", { groupId: GroupId, userId: UserId, by: UserId }),
  Schema.TaggedStruct("MemberBanned", { groupId: GroupId, userId: UserId, by: UserId }),
  Schema.TaggedStruct("OwnershipTransferred", { groupId: GroupId, userId: UserId, by: UserId }),
  Schema.TaggedStruct("Invited", { groupId: GroupId, invitationId: InvitationId, userId: UserId, by: UserId }),
  Schema.TaggedStruct("InvitationAccepted", {
    groupId: GroupId,
    invitationId: InvitationId,
    inviterId: UserId,
    by: UserId
  })
])
export type GroupEvent = typeof GroupEvent.Type

/**
 * A group event to notify people of: enqueued in the transaction of the change, so it exists if and
 * only if the change does. The worker works out who is told (`GroupNotifier`); `eventId` makes the
 * delivery idempotent however often the job runs.
 */
export const NotifyGroupEvent = Job.make(
  "NotifyGroupEvent",
  Schema.Struct({ eventId: Schema.String, event: GroupEvent }),
  { key: (payload) => `group-event:${payload.eventId}` }
)
