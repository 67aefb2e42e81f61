import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import {
  CountNotifications,
  DeleteNotification,
  GetNotificationPreferences,
  ListNotifications,
  MarkNotificationRead,
  MarkNotificationsRead,
  MarkNotificationsSeen,
  MuteGroup,
  NotificationsRpcs,
  UnmuteGroup,
  UpdateNotificationPreferences
} from "@moim/domain/Notifications/NotificationsApi"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { Notifications } from "./Notifications.ts"
import { Preferences } from "./Preferences.ts"

/** One handler per notification operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const notifications = yield* Notifications
  const preferences = yield* Preferences
  return NotificationsRpcs.of({
    ListNotifications: (query) => CurrentUser.use((user) => notifications.list(user, query ?? {})),
    CountNotifications: () => CurrentUser.use((user) => notifications.counts(user)),
    MarkNotificationRead: ({ id }) => CurrentUser.use((user) => notifications.markRead(user, id)),
    MarkNotificationsRead: (input) => CurrentUser.use((user) => notifications.markAllRead(user, input?.upTo)),
    MarkNotificationsSeen: () => CurrentUser.use((user) => notifications.markSeen(user)),
    DeleteNotification: ({ id }) => CurrentUser.use((user) => notifications.remove(user, id)),
    GetNotificationPreferences: () => CurrentUser.use((user) => preferences.get(user)),
    UpdateNotificationPreferences: (input) => CurrentUser.use((user) => preferences.update(user, input)),
    MuteGroupNotifications: ({ groupId }) => CurrentUser.use((user) => preferences.mute(user, groupId)),
    UnmuteGroupNotifications: ({ groupId }) => CurrentUser.use((user) => preferences.unmute(user, groupId))
  })
})

export const NotificationsRpc = NotificationsRpcs.toLayer(handlers)

const NotificationsHttp = HttpApiBuilder.group(Api, "notifications", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(ListNotifications, handler.ListNotifications),
      ...Operations.rest(CountNotifications, handler.CountNotifications),
      ...Operations.rest(MarkNotificationRead, handler.MarkNotificationRead),
      ...Operations.rest(MarkNotificationsRead, handler.MarkNotificationsRead),
      ...Operations.rest(MarkNotificationsSeen, handler.MarkNotificationsSeen),
      ...Operations.rest(DeleteNotification, handler.DeleteNotification),
      ...Operations.rest(GetNotificationPreferences, handler.GetNotificationPreferences),
      ...Operations.rest(UpdateNotificationPreferences, handler.UpdateNotificationPreferences),
      ...Operations.rest(MuteGroup, handler.MuteGroupNotifications),
      ...Operations.rest(UnmuteGroup, handler.UnmuteGroupNotifications)
    })
  )
)

/** The notifications REST group with the middleware its endpoints use. */
export const NotificationsHttpLive = NotificationsHttp.pipe(Layer.provide(AuthenticationLive))
