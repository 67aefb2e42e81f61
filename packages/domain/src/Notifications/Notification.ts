import { Schema } from "effect"
import { PublicProfile } from "../Accounts/User.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

export const NotificationId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("NotificationId"))
  .annotate({ identifier: "NotificationId", description: "A notification's id (UUIDv7)" })
export type NotificationId = typeof NotificationId.Type

/** What a notification is about: a group, an invitation, a user, (later) a post or an event. */
export const Subject = Schema.Struct({
  kind: Schema.String.annotate({ description: "`group`, `invitation`, `user`, ..." }),
  id: Schema.String
}).annotate({
  identifier: "NotificationSubject",
  description: "The entity the notification is about; it disappears when the entity is gone or hidden from you"
})
export type Subject = typeof Subject.Type

/** The fields every notification has, whatever its type. */
export const notificationFields = {
  id: NotificationId,
  subject: Subject,
  actors: Schema.Array(PublicProfile).annotate({
    description: "Who caused it, most recent first (at most 3; a collapsed notification counts more in `actorCount`)"
  }),
  actorCount: Schema.Int.annotate({ description: 'How many people caused it ("Ada and 3 others": 4)' }),
  text: Schema.String.annotate({ description: 'A plain-text sentence for display, e.g. "Ada asked to join Hikers"' }),
  createdAt: Timestamp,
  updatedAt: Timestamp.annotate({ description: "When it last changed (a new event collapsed into it)" }),
  readAt: Schema.NullOr(Timestamp),
  seenAt: Schema.NullOr(Timestamp).annotate({ description: "When the list was last opened after it changed" })
}

export const DeliveryChannel = Schema.Literals(["inApp", "email", "push"]).annotate({
  identifier: "DeliveryChannel",
  description: "`inApp`: the notification list and stream; `email`; `push`: web push to your devices"
})
export type DeliveryChannel = typeof DeliveryChannel.Type

export class NotificationNotFound extends Schema.TaggedError<NotificationNotFound>()(
  "NotificationNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "NotificationNotFound", description: "No such notification of yours" }
) {}
