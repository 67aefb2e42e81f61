import type { ChannelKind, ChannelNotifyLevel } from "@moim/domain/Chat/Chat"
import type { MemberRole } from "@moim/domain/Groups/Group"
import type { ChannelRow, MembershipRow } from "./ChannelsRepo.ts"

/** Where an actor stands with a channel: its row, their role in its group (null outside it), their membership. */
export interface ChannelContext {
  readonly channel: ChannelRow
  readonly groupRole: MemberRole | null
  readonly membership: MembershipRow | null
}

const inGroup = (context: ChannelContext) => context.groupRole !== null

/**
 * Every chat permission, from the actor's standing: a group's channels are for its members (public
 * ones readable by all of them, private ones by those in them), a conversation for those in it.
 * Channel admins and the group's owner and admins manage a channel they can see.
 */
export const ChatPolicy = {
  canRead: (context: ChannelContext): boolean =>
    context.channel.kind === "direct"
      ? context.membership !== null
      : inGroup(context) && (context.channel.kind === "public" || context.membership !== null),

  /** Write: those in it, while it is not archived (and, for a group's channel, while in the group). */
  canWrite: (context: ChannelContext): boolean =>
    ChatPolicy.canRead(context) && context.membership !== null && context.channel.archivedAt === null,

  canJoin: (context: ChannelContext): boolean =>
    context.channel.kind === "public" && inGroup(context) && context.channel.archivedAt === null,

  canManage: (context: ChannelContext): boolean =>
    ChatPolicy.canRead(context) &&
    context.channel.kind !== "direct" &&
    (context.membership?.role === "admin" || context.groupRole === "owner" || context.groupRole === "admin"),

  /** Add someone: anyone in a public channel, its managers for a private one; nobody to a conversation. */
  canAdd: (context: ChannelContext): boolean =>
    context.channel.kind === "public"
      ? ChatPolicy.canWrite(context)
      : context.channel.kind === "private" && ChatPolicy.canManage(context) && context.channel.archivedAt === null,

  /** The notification level in force: the person's setting, else `all` in a conversation and `mentions` in a channel. */
  notifyLevel: (kind: ChannelKind, setting: ChannelNotifyLevel | null): ChannelNotifyLevel =>
    setting ?? (kind === "direct" ? "all" : "mentions"),

  /** Leave: anything but the group's `general` and a one-to-one conversation. */
  canLeave: (context: ChannelContext): boolean =>
    context.membership !== null &&
    !context.channel.isDefault &&
    !(context.channel.kind === "direct" && context.channel.memberCount <= 2)
}
