import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { GroupId, GroupNotFound } from "../Groups/Group.ts"
import * as Feature from "../Kit/Feature.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, Page, PageQuery } from "../Kit/Page.ts"
import { Notification } from "./Catalogue.ts"
import { NotificationId, NotificationNotFound } from "./Notification.ts"
import { NotificationPreferences, UpdateNotificationPreferencesPayload } from "./Preferences.ts"

export const NotificationPage = Page(Notification, "NotificationPage")

export const NotificationCounts = Schema.Struct({
  unread: Schema.Int.annotate({ description: "Notifications not read yet" }),
  unseen: Schema.Int.annotate({ description: "Notifications that arrived or changed since the list was last opened" })
}).annotate({ identifier: "NotificationCounts", description: "For a badge: how many are unread and unseen" })

export const MarkReadPayload = Schema.Struct({
  upTo: Schema.optional(
    NotificationId.annotate({
      description: "Mark this notification and every one listed after it (older) as read; omit to mark all"
    })
  )
}).annotate({ identifier: "MarkNotificationsReadPayload", description: "Which notifications to mark as read" })

export const MarkedRead = Schema.Struct({ marked: Schema.Int }).annotate({
  identifier: "MarkedRead",
  description: "How many notifications were marked as read"
})

export const ListNotifications = Operation.make(
  {
    rpc: "ListNotifications",
    access: Access.signedIn,
    query: {
      unread: Schema.optional(
        Schema.Literals(["true", "false"]).annotate({ description: "`true`: only unread notifications" })
      ),
      ...PageQuery
    },
    success: NotificationPage,
    errors: [InvalidCursor],
    summary: "Your notifications",
    description:
      "Most recently changed first. A notification whose subject was deleted or is no longer visible to you is left out, so a page may hold fewer than `limit`."
  },
  (rest) => HttpApiEndpoint.get("list", "/me/notifications", rest.options).middleware(rest.middleware)
)

export const CountNotifications = Operation.make(
  {
    rpc: "CountNotifications",
    access: Access.signedIn,
    success: NotificationCounts,
    errors: [],
    summary: "Unread and unseen counts",
    description: "For a badge; counts only what the list would show."
  },
  (rest) => HttpApiEndpoint.get("counts", "/me/notifications/counts", rest.options).middleware(rest.middleware)
)

export const MarkNotificationRead = Operation.make(
  {
    rpc: "MarkNotificationRead",
    access: Access.signedIn,
    params: { id: NotificationId },
    errors: [NotificationNotFound],
    summary: "Mark one as read",
    description: "Reading it again changes nothing."
  },
  (rest) => HttpApiEndpoint.post("markRead", "/me/notifications/:id/read", rest.options).middleware(rest.middleware)
)

export const MarkNotificationsRead = Operation.make(
  {
    rpc: "MarkNotificationsRead",
    access: Access.signedIn,
    body: Operation.optionalBody(MarkReadPayload),
    success: MarkedRead,
    errors: [NotificationNotFound],
    summary: "Mark many as read",
    description:
      "All of them, or (`upTo`) the given one and everything older, so a notification that arrived while you read is not marked."
  },
  (rest) => HttpApiEndpoint.post("markAllRead", "/me/notifications/read", rest.options).middleware(rest.middleware)
)

export const MarkNotificationsSeen = Operation.make(
  {
    rpc: "MarkNotificationsSeen",
    access: Access.signedIn,
    errors: [],
    summary: "Mark all as seen",
    description: "Clears the unseen count (the badge) without marking anything read."
  },
  (rest) => HttpApiEndpoint.post("markSeen", "/me/notifications/seen", rest.options).middleware(rest.middleware)
)

export const DeleteNotification = Operation.make(
  {
    rpc: "DeleteNotification",
    access: Access.signedIn,
    params: { id: NotificationId },
    errors: [NotificationNotFound],
    summary: "Delete one",
    description: "It is gone from your list for good."
  },
  (rest) => HttpApiEndpoint.delete("delete", "/me/notifications/:id", rest.options).middleware(rest.middleware)
)

export const GetNotificationPreferences = Operation.make(
  {
    rpc: "GetNotificationPreferences",
    access: Access.signedIn,
    success: NotificationPreferences,
    errors: [],
    summary: "Your notification preferences",
    description: "Channels per kind of notification, quiet hours, time zone, digest and muted groups."
  },
  (rest) =>
    HttpApiEndpoint.get("getPreferences", "/me/notification-preferences", rest.options).middleware(rest.middleware)
)

export const UpdateNotificationPreferences = Operation.make(
  {
    rpc: "UpdateNotificationPreferences",
    access: Access.signedIn,
    body: Operation.body(UpdateNotificationPreferencesPayload),
    success: NotificationPreferences,
    errors: [],
    summary: "Change your notification preferences",
    description: "Only what you send changes."
  },
  (rest) =>
    HttpApiEndpoint.patch("updatePreferences", "/me/notification-preferences", rest.options).middleware(rest.middleware)
)

export const MuteGroup = Operation.make(
  {
    rpc: "MuteGroupNotifications",
    access: Access.signedIn,
    params: { groupId: GroupId },
    errors: [GroupNotFound],
    summary: "Mute a group",
    description: "Its activity no longer notifies you; news about your own membership still does."
  },
  (rest) =>
    HttpApiEndpoint.put("muteGroup", "/me/notification-preferences/muted-groups/:groupId", rest.options).middleware(
      rest.middleware
    )
)

export const UnmuteGroup = Operation.make(
  {
    rpc: "UnmuteGroupNotifications",
    access: Access.signedIn,
    params: { groupId: GroupId },
    errors: [],
    summary: "Unmute a group",
    description: "Unmuting a group that is not muted changes nothing."
  },
  (rest) =>
    HttpApiEndpoint.delete(
      "unmuteGroup",
      "/me/notification-preferences/muted-groups/:groupId",
      rest.options
    ).middleware(rest.middleware)
)

export const NotificationsOperations = [
  ListNotifications,
  CountNotifications,
  MarkNotificationRead,
  MarkNotificationsRead,
  MarkNotificationsSeen,
  DeleteNotification,
  GetNotificationPreferences,
  UpdateNotificationPreferences,
  MuteGroup,
  UnmuteGroup
] as const

export class NotificationsApi extends Operation.httpGroup("notifications", NotificationsOperations).annotateMerge(
  OpenApi.annotations({
    title: "Notifications",
    description: "What happened that concerns you, and how you hear of it"
  })
) {}

export class NotificationsRpcs extends Operation.rpcGroup(NotificationsOperations) {}

export const NotificationsFeature = Feature.make({
  name: "notifications",
  rest: [NotificationsApi],
  rpcs: NotificationsRpcs,
  operations: NotificationsOperations,
  restOnly: [],
  rpcOnly: []
})
