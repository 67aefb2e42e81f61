import { NotifyGroupEventHandler } from "./NotifyGroupEvent.ts"
import { PurgeDeletedGroupsHandler } from "./PurgeDeletedGroups.ts"

/** The groups feature's jobs: notifying people of group events, and the daily purge of deleted groups. */
export const GroupsJobs = [NotifyGroupEventHandler, PurgeDeletedGroupsHandler] as const
