import { Schema } from "effect"
import { ChatNotification, ChatNotificationKinds } from "../Chat/ChatNotifications.ts"
import { EventNotification, EventNotificationKinds } from "../Events/EventNotifications.ts"
import { GroupNotification, GroupNotificationKinds } from "../Groups/GroupNotifications.ts"
import { PostNotification, PostNotificationKinds } from "../Posts/PostNotifications.ts"
import { ReportNotification, ReportNotificationKinds } from "../Reports/ReportNotifications.ts"
import { SocialNotification, SocialNotificationKinds } from "../Social/SocialNotifications.ts"

/** Every kind of notification, one line per feature that sends them. */
export const NotificationKinds = [
  ...GroupNotificationKinds,
  ...PostNotificationKinds,
  ...ReportNotificationKinds,
  ...EventNotificationKinds,
  ...SocialNotificationKinds,
  ...ChatNotificationKinds
] as const

/** A notification as clients receive it: one of the kinds, told apart by `type`. */
export const Notification = Schema.Union([
  GroupNotification,
  PostNotification,
  ReportNotification,
  EventNotification,
  SocialNotification,
  ChatNotification
]).annotate({
  identifier: "Notification",
  description: "Something that happened that concerns you; `type` says what, `data` carries the details"
})
export type Notification = typeof Notification.Type

export const NotificationType = Schema.Literals(NotificationKinds.map((kind) => kind.type)).annotate({
  identifier: "NotificationType",
  description: "A kind of notification"
})
