import type { UserId } from "@moim/domain/Accounts/User"
import { Actor } from "../Access/Actor.ts"
import type { Relation } from "./AudienceGraph.ts"
import type { PostRow } from "./PostsRepo.ts"

/** Where the viewer stands with the post's group (for group posts). */
export interface GroupStanding {
  readonly visible: boolean
  readonly moderator: boolean
  readonly member: boolean
}

export interface PostContext {
  readonly post: PostRow
  readonly actor: Actor
  /** Null for a profile post. */
  readonly group: GroupStanding | null
  readonly relation: Relation
}

const isAuthor = (context: PostContext) => context.actor?.userId === context.post.authorId

/**
 * Every post permission, from the viewer, the post and (group posts) the viewer's standing in the
 * group or (profile posts) their relation to the author. The one audience check: the social graph
 * extends it through `AudienceGraph`, never by a check of its own.
 */
export const PostPolicy = {
  canSee: (context: PostContext): boolean => {
    // Hidden pending review of its reports: its author and those who review it still see it.
    if (context.post.hiddenAt !== null && !isAuthor(context) && !PostPolicy.canReview(context)) return false
    // Blocked either way: nothing of the author reaches the viewer, wherever it was posted.
    if (context.relation.blocked && !isAuthor(context)) return false
    if (context.group !== null) return context.group.visible
    if (isAuthor(context) || Actor.isSiteAdmin(context.actor)) return true
    switch (context.post.audience) {
      case "public":
        return true
      case "followers":
        return context.actor !== null && (context.relation.follows || context.relation.friends)
      case "friends":
        return context.actor !== null && context.relation.friends
      case "specific": {
        const viewer: UserId | undefined = context.actor?.userId
        return viewer !== undefined && context.post.audienceUserIds.includes(viewer)
      }
      default:
        return false
    }
  },
  canEdit: (context: PostContext): boolean => isAuthor(context),
  /** Comment and react: anyone signed in who sees a profile post; a group's members on its posts. */
  canParticipate: (context: PostContext): boolean =>
    context.actor !== null && PostPolicy.canSee(context) && (context.group === null || context.group.member),
  /** Delete a comment on the post (besides its own author): the post's author and the group's moderators. */
  canModerateComments: (context: PostContext): boolean =>
    isAuthor(context) || Actor.isSiteAdmin(context.actor) || context.group?.moderator === true,
  canDelete: (context: PostContext): boolean =>
    isAuthor(context) || Actor.isSiteAdmin(context.actor) || context.group?.moderator === true,
  /** Pin (group posts only). */
  canPin: (context: PostContext): boolean =>
    context.group !== null && (context.group.moderator || Actor.isSiteAdmin(context.actor)),
  /** Review it once reported: the group's moderators, or (profile posts) site admins. */
  canReview: (context: PostContext): boolean =>
    Actor.isSiteAdmin(context.actor) || (context.group?.visible === true && context.group.moderator),
  /** Lock or unlock comments. */
  canLockComments: (context: PostContext): boolean =>
    isAuthor(context) || Actor.isSiteAdmin(context.actor) || context.group?.moderator === true
}
