import { Schema } from "effect"
import { PublicProfile, UserId } from "../Accounts/User.ts"
import { EditVersion } from "../Kit/ConditionalRequests.ts"
import { Text, TrimmedText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

export const GroupId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("GroupId"))
  .annotate({
    identifier: "GroupId",
    description: "A group's id (UUIDv7)"
  })
export type GroupId = typeof GroupId.Type

export const InvitationId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("InvitationId"))
  .annotate({
    identifier: "InvitationId",
    description: "An invitation's id (UUIDv7)"
  })
export type InvitationId = typeof InvitationId.Type

/** The catalogue of group categories. */
export const GroupCategory = Schema.Literals([
  "sports",
  "hiking",
  "books",
  "tech",
  "music",
  "language",
  "food",
  "games",
  "arts",
  "volunteering",
  "other"
]).annotate({ identifier: "GroupCategory", description: "What the group is about" })
export type GroupCategory = typeof GroupCategory.Type

export const GroupVisibility = Schema.Literals(["public", "private"]).annotate({
  identifier: "GroupVisibility",
  description: "`private`: only members see the group; to everyone else it does not exist"
})

export const JoinPolicy = Schema.Literals(["open", "approval", "invite"]).annotate({
  identifier: "JoinPolicy",
  description: "`open`: join at once; `approval`: an owner or admin approves a request; `invite`: by invitation only"
})

export const MemberRole = Schema.Literals(["owner", "admin", "member"]).annotate({
  identifier: "MemberRole",
  description: "`owner`: one per group; `admin`: helps run it; `member`"
})
export type MemberRole = typeof MemberRole.Type

/** Who may create a group's events; the owner and admins always may, whatever the setting. */
export const EventCreation = Schema.Literals(["members", "admins"]).annotate({
  identifier: "EventCreation",
  description: "Who may create the group's events: `members` (default): any member; `admins`: only its owner and admins"
})
export type EventCreation = typeof EventCreation.Type

/** Where the requesting user stands with a group. */
export const ViewerStatus = Schema.Literals(["none", "member", "pending", "invited", "banned"]).annotate({
  identifier: "ViewerStatus",
  description: "`pending`: a join request awaits approval; `invited`: an invitation awaits your answer"
})

/** Which of a group's posts notify a member. */
export const PostNotificationLevel = Schema.Literals(["all", "mentions", "none"]).annotate({
  identifier: "PostNotificationLevel",
  description:
    "`all`: every new post; `mentions` (default): posts and comments that mention you; `none`: nothing from the group's posts (replies to you and reactions still reach you)"
})
export type PostNotificationLevel = typeof PostNotificationLevel.Type

export const GroupViewer = Schema.Struct({
  status: ViewerStatus,
  role: Schema.NullOr(MemberRole),
  postNotifications: Schema.NullOr(PostNotificationLevel).annotate({
    description: "Which of the group's posts notify you; null unless you are a member"
  }),
  canCreateEvents: Schema.Boolean.annotate({
    description: "Whether you may create events in the group: you are a member, and its `eventCreation` lets your role"
  })
}).annotate({ identifier: "GroupViewer", description: "Your membership, when signed in" })

export const GroupName = TrimmedText({
  minLength: 3,
  maxLength: 80,
  annotations: { description: "3 to 80 characters" }
})
export const GroupDescription = Text({ maxLength: 5000, annotations: { description: "Up to 5000 characters" } })
/** A tag, stored lower-case: `Trails` and `trails` are one tag. */
export const GroupTag = TrimmedText({
  maxLength: 30,
  lowerCase: true,
  pattern: /^\s*[\p{L}\p{N}][\p{L}\p{N}-]*\s*$/u,
  annotations: { description: "Letters, digits or -, up to 30 characters; stored lower-case" }
})
export const GroupTags = Schema.Array(GroupTag).check(Schema.isMaxLength(10)).annotate({
  description: "Up to 10 tags (letters, digits, -), stored lower-case"
})
export const MemberLimit = Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 100_000 })).annotate({
  description: "Most members the group takes (2–100000); null for no limit"
})

export class Group extends Schema.Class<Group>("Group")(
  {
    id: GroupId,
    name: Schema.String,
    description: Schema.String,
    category: GroupCategory,
    tags: Schema.Array(Schema.String),
    visibility: GroupVisibility,
    joinPolicy: JoinPolicy,
    memberLimit: Schema.NullOr(Schema.Int),
    eventCreation: EventCreation,
    imageUrl: Schema.NullOr(Schema.String),
    ownerId: UserId,
    memberCount: Schema.Int,
    postCount: Schema.Int,
    version: EditVersion,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    viewer: Schema.NullOr(GroupViewer).annotate({ description: "Null for anonymous requests" })
  },
  { description: "An interest group" }
) {}

export class GroupMember extends Schema.Class<GroupMember>("GroupMember")(
  {
    user: PublicProfile,
    role: MemberRole,
    joinedAt: Timestamp
  },
  { description: "A member of a group" }
) {}

export class JoinRequest extends Schema.Class<JoinRequest>("JoinRequest")(
  Schema.Struct({
    groupId: GroupId,
    user: PublicProfile,
    message: Schema.String,
    createdAt: Timestamp
  }).annotate({ description: "A request to join a group with the approval policy" }),
  { description: "A request to join a group with the approval policy" }
) {}

export class Invitation extends Schema.Class<Invitation>("Invitation")(
  {
    id: InvitationId,
    groupId: GroupId,
    groupName: Schema.String,
    inviterId: UserId,
    inviteeId: Schema.NullOr(UserId),
    email: Schema.NullOr(Schema.String).annotate({
      description: "For invitations by email to someone without an account"
    }),
    status: Schema.Literals(["pending", "accepted", "declined", "revoked"]),
    createdAt: Timestamp,
    expiresAt: Timestamp
  },
  { description: "An invitation to join a group" }
) {}

export class GroupBan extends Schema.Class<GroupBan>("GroupBan")(
  {
    groupId: GroupId,
    user: PublicProfile,
    reason: Schema.String,
    bannedBy: Schema.NullOr(UserId),
    createdAt: Timestamp
  },
  { description: "A user banned from a group" }
) {}

export class GroupNotFound extends Schema.TaggedError<GroupNotFound>()(
  "GroupNotFound",
  { message: Schema.String },
  {
    httpApiStatus: 404,
    identifier: "GroupNotFound",
    description: "No such group (or it is private and you are not a member)"
  }
) {}

export class GroupFull extends Schema.TaggedError<GroupFull>()(
  "GroupFull",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "GroupFull", description: "The group has reached its member limit" }
) {}

export class AlreadyMember extends Schema.TaggedError<AlreadyMember>()(
  "AlreadyMember",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "AlreadyMember", description: "Already a member of the group" }
) {}

export class InvitationRequired extends Schema.TaggedError<InvitationRequired>()(
  "InvitationRequired",
  { message: Schema.String },
  { httpApiStatus: 403, identifier: "InvitationRequired", description: "The group takes members by invitation only" }
) {}

export class BannedFromGroup extends Schema.TaggedError<BannedFromGroup>()(
  "BannedFromGroup",
  { message: Schema.String },
  { httpApiStatus: 403, identifier: "BannedFromGroup", description: "You are banned from this group" }
) {}

export class OwnerCannotLeave extends Schema.TaggedError<OwnerCannotLeave>()(
  "OwnerCannotLeave",
  { message: Schema.String },
  {
    httpApiStatus: 409,
    identifier: "OwnerCannotLeave",
    description: "The owner must transfer ownership before leaving"
  }
) {}

export class NotAMember extends Schema.TaggedError<NotAMember>()(
  "NotAMember",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "NotAMember", description: "That user is not a member of the group" }
) {}

export class JoinRequestNotFound extends Schema.TaggedError<JoinRequestNotFound>()(
  "JoinRequestNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "JoinRequestNotFound", description: "No pending join request from that user" }
) {}

export class InvitationNotFound extends Schema.TaggedError<InvitationNotFound>()(
  "InvitationNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "InvitationNotFound", description: "No such pending invitation for you" }
) {}

export class AlreadyInvited extends Schema.TaggedError<AlreadyInvited>()(
  "AlreadyInvited",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "AlreadyInvited", description: "A pending invitation already exists" }
) {}
