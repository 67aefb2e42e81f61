import { Layer } from "effect"
import { EmailDelivery } from "./EmailDelivery.ts"
import { EmailsRepo } from "./EmailsRepo.ts"
import { EmailUnsubscribe } from "./EmailUnsubscribe.ts"
import { EmailUnsubscribeTokens } from "./EmailUnsubscribeTokens.ts"
import { NotificationViews } from "./NotificationViews.ts"
import { PreferencesRepo } from "./PreferencesRepo.ts"

/**
 * The email channel's services: sending (`EmailDelivery`, for the worker's jobs) and the unsubscribe
 * links (`EmailUnsubscribe`, for the API), on the platform, accounts (`Profiles`) and the
 * `NotificationSubjects` port. The channel's dispatcher, `EmailDispatcher`, is registered with the
 * other channels in `Features.ts`.
 */
export const NotificationEmailsLive = Layer.mergeAll(EmailDelivery.layer, EmailUnsubscribe.layer).pipe(
  Layer.provide([EmailsRepo.layer, PreferencesRepo.layer, NotificationViews.layer, EmailUnsubscribeTokens.layer])
)
