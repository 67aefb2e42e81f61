import type { EventHostRole } from "@moim/domain/Events/Event"
import { Actor } from "../Access/Actor.ts"
import type { Standing } from "../Groups/MembershipsRepo.ts"

/** Where an actor stands with an event: their role in its group, and as a host. */
export interface EventStanding {
  readonly actor: Actor
  readonly group: Standing
  readonly host: EventHostRole | null
}

const groupAdmin = (standing: EventStanding) =>
  standing.group.role === "owner" || standing.group.role === "admin" || Actor.isSiteAdmin(standing.actor)

/**
 * An event's own permissions, on top of `GroupPolicy` (who may see the group, who takes part in
 * it): hosts and co-hosts edit and cancel, and so do the group's owner and admins and site admins;
 * co-hosts are managed by the host and those same moderators, not by other co-hosts.
 */
export const EventPolicy = {
  canEdit: (standing: EventStanding): boolean => standing.host !== null || groupAdmin(standing),
  canManageHosts: (standing: EventStanding): boolean => standing.host === "host" || groupAdmin(standing)
}
