import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import * as Job from "../Jobs/Job.ts"
import * as NotificationKind from "../Notifications/NotificationKind.ts"

const Person = Schema.Struct({ userId: UserId })

export const FollowedNotification = NotificationKind.make({
  type: "social.followed",
  identifier: "FollowedNotification",
  description: "Someone followed you",
  subject: "user",
  data: Person,
  defaults: { email: false, push: true },
  text: (who) => `${who} followed you`
})

export const FollowRequestedNotification = NotificationKind.make({
  type: "social.followRequested",
  identifier: "FollowRequestedNotification",
  description: "Someone asked to follow your private account",
  subject: "user",
  data: Person,
  defaults: { email: false, push: true },
  text: (who) => `${who} asked to follow you`
})

export const FollowApprovedNotification = NotificationKind.make({
  type: "social.followApproved",
  identifier: "FollowApprovedNotification",
  description: "Someone approved your request to follow them",
  subject: "user",
  data: Person,
  defaults: { email: false, push: true },
  text: (who) => `${who} approved your follow request`
})

export const FriendRequestedNotification = NotificationKind.make({
  type: "social.friendRequested",
  identifier: "FriendRequestedNotification",
  description: "Someone asked you to be friends",
  subject: "user",
  data: Person,
  defaults: { email: true, push: true },
  text: (who) => `${who} sent you a friend request`
})

export const FriendAcceptedNotification = NotificationKind.make({
  type: "social.friendAccepted",
  identifier: "FriendAcceptedNotification",
  description: "Someone accepted your friend request",
  subject: "user",
  data: Person,
  defaults: { email: false, push: true },
  text: (who) => `${who} accepted your friend request`
})

export const ContactJoinedNotification = NotificationKind.make({
  type: "social.contactJoined",
  identifier: "ContactJoinedNotification",
  description: "Someone in your contacts joined Moim",
  subject: "user",
  data: Person,
  defaults: { email: false, push: true },
  text: (who) => `${who}, one of your contacts, is on Moim`
})

/** Every notification the social feature sends. */
export const SocialNotificationKinds = [
  FollowedNotification,
  FollowRequestedNotification,
  FollowApprovedNotification,
  FriendRequestedNotification,
  FriendAcceptedNotification,
  ContactJoinedNotification
] as const

/** A notification from the social feature, as clients receive it. */
export const SocialNotification = Schema.Union(SocialNotificationKinds.map((kind) => kind.schema))

export const SocialEventKind = Schema.Literals([
  FollowedNotification.type,
  FollowRequestedNotification.type,
  FollowApprovedNotification.type,
  FriendRequestedNotification.type,
  FriendAcceptedNotification.type
])
export type SocialEventKind = typeof SocialEventKind.Type

/**
 * Something happened between two people that the other should hear of: recorded in the change's
 * transaction, delivered by the worker (to nobody once they blocked each other or it was undone).
 */
export const NotifySocialEvent = Job.make(
  "NotifySocialEvent",
  Schema.Struct({ eventId: Schema.String, kind: SocialEventKind, actorId: UserId, recipientId: UserId }),
  { key: (payload) => `social:${payload.eventId}` }
)

/**
 * A number was verified (an account signed up with it, or added it): the people who have it in their
 * contacts are told. Enqueued in the verifying transaction, keyed by the number's hash and account.
 */
export const NotifyContactJoined = Job.make(
  "NotifyContactJoined",
  Schema.Struct({ userId: UserId, contactHash: Schema.String }),
  { key: (payload) => `contact-joined:${payload.userId}:${payload.contactHash}` }
)
