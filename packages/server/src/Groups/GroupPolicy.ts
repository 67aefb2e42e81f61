import { type EventCreation, GroupNotFound, type MemberRole } from "@moim/domain/Groups/Group"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import { Effect } from "effect"
import { Actor } from "../Access/Actor.ts"
import type { Standing } from "./MembershipsRepo.ts"

export type GroupAction =
  /** See the group, its members. */
  | "view"
  /** Edit it, handle join requests, invitations and bans, remove plain members. */
  | "moderate"
  /** Delete it. */
  | "delete"
  /** Make or unmake admins. */
  | "changeRoles"
  /** Hand ownership to another member. */
  | "transfer"
  /** Take part: post, comment, react (members, whatever their role). */
  | "participate"
  /** Create events: members, or only the owner and admins when the group's `eventCreation` is `admins`. */
  | "createEvents"

export interface PolicyContext {
  readonly group: { readonly visibility: "public" | "private"; readonly eventCreation: EventCreation }
  readonly actor: Actor
  readonly standing: Standing
}

const notFound = new GroupNotFound({ message: "No such group" })
const isSiteAdmin = Actor.isSiteAdmin
const isOwner = (context: PolicyContext) => context.standing.role === "owner"
const isAdmin = (context: PolicyContext) => context.standing.role === "owner" || context.standing.role === "admin"

/**
 * Every group permission, decided from the actor's site role and their standing in the group
 * (member role, pending request, invitation, ban). Site admins can do what owners do except change
 * roles or take ownership. Someone who may not see a private group gets `GroupNotFound`, so its
 * existence does not leak; someone who may see it but not act gets `Forbidden`.
 */
export const GroupPolicy = {
  canView: (context: PolicyContext): boolean =>
    context.group.visibility === "public" || context.standing.role !== null || isSiteAdmin(context.actor),

  /**
   * May someone with `role` create the group's events? Only members: a site admin who is not one
   * moderates events but does not create them, as for posts.
   */
  canCreateEvents: (eventCreation: EventCreation, role: MemberRole | null): boolean =>
    role === "owner" || role === "admin" || (role === "member" && eventCreation === "members"),

  /** May the actor see the group at all? */
  checkView: (context: PolicyContext): Effect.Effect<void, GroupNotFound> =>
    GroupPolicy.canView(context) ? Effect.void : Effect.fail(notFound),

  check: (
    action: Exclude<GroupAction, "view">,
    context: PolicyContext
  ): Effect.Effect<void, GroupNotFound | Forbidden> => {
    if (!GroupPolicy.canView(context)) return Effect.fail(notFound)
    const allowed =
      action === "moderate"
        ? isAdmin(context) || isSiteAdmin(context.actor)
        : action === "delete"
          ? isOwner(context) || isSiteAdmin(context.actor)
          : action === "participate"
            ? context.standing.role !== null
            : action === "createEvents"
              ? GroupPolicy.canCreateEvents(context.group.eventCreation, context.standing.role)
              : isOwner(context)
    if (allowed) return Effect.void
    const message =
      action === "createEvents" && context.standing.role === null
        ? "Only the group's members may create its events"
        : forbiddenMessages[action]
    return Effect.fail(new Forbidden({ message }))
  },

  /** May the actor remove (or ban) a member with `targetRole`? Nobody removes the owner. */
  checkRemove: (
    context: PolicyContext,
    targetRole: MemberRole | null
  ): Effect.Effect<void, GroupNotFound | Forbidden> =>
    Effect.flatMap(GroupPolicy.check("moderate", context), () => {
      if (targetRole === "owner")
        return Effect.fail(new Forbidden({ message: "The owner cannot be removed or banned" }))
      if (targetRole === "admin" && !isOwner(context) && !isSiteAdmin(context.actor)) {
        return Effect.fail(new Forbidden({ message: "Only the owner removes or bans admins" }))
      }
      return Effect.void
    })
}

const forbiddenMessages: Record<Exclude<GroupAction, "view">, string> = {
  moderate: "Only the group's owner and admins may do this",
  delete: "Only the group's owner may delete it",
  changeRoles: "Only the group's owner makes or unmakes admins",
  transfer: "Only the group's owner may transfer ownership",
  participate: "Only the group's members may post here",
  createEvents: "Only the group's owner and admins may create its events"
}
