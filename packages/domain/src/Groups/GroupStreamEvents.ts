import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import { GroupId } from "./Group.ts"

/** What the groups feature tells the realtime stream of a group's topic (`group:<id>`). */
export const GroupUpdated = Schema.Struct({ groupId: GroupId })
export const GroupMemberChanged = Schema.Struct({ groupId: GroupId, userId: UserId })

/** Each event type on a group's topic, with its data. */
export const GroupStreamEvents = {
  "group.updated": GroupUpdated,
  "group.deleted": GroupUpdated,
  "group.memberJoined": GroupMemberChanged,
  "group.memberLeft": GroupMemberChanged
} as const
