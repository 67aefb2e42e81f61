import { Layer } from "effect"
import { Notifications } from "./Notifications.ts"
import { NotificationsRepo } from "./NotificationsRepo.ts"
import { NotificationViews } from "./NotificationViews.ts"
import { Preferences } from "./Preferences.ts"
import { PreferencesRepo } from "./PreferencesRepo.ts"

/**
 * The notifications feature's services, on the platform, accounts (`Profiles`), groups
 * (`GroupAccess`, for mutes) and the `NotificationSubjects` port, which `Features.ts` builds from the
 * features' subject resolvers.
 */
export const NotificationsLive = Layer.mergeAll(Notifications.layer, Preferences.layer).pipe(
  Layer.provide(NotificationViews.layer),
  Layer.provide([NotificationsRepo.layer, PreferencesRepo.layer])
)
