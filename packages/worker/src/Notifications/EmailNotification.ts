import { SendNotificationEmail } from "@moim/domain/Notifications/EmailJobs"
import { EmailDelivery } from "@moim/server/Notifications/EmailDelivery"
import * as JobHandler from "../JobHandler.ts"

/** Emails one notification at the end of its recipient's quiet hours, unless it was read, hidden or emailed already. */
export const SendNotificationEmailHandler = JobHandler.make(SendNotificationEmail, ({ notificationId }) =>
  EmailDelivery.use((delivery) => delivery.sendOne(notificationId))
)
