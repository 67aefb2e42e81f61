import { PurgeDeletedGroupsHandler } from "./PurgeDeletedGroups.ts"

/** The groups feature's jobs: the daily purge of deleted groups. */
export const GroupsJobs = [PurgeDeletedGroupsHandler] as const
