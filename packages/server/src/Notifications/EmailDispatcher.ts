import { SendNotificationEmail } from "@moim/domain/Notifications/EmailJobs"
import { Effect, Option } from "effect"
import { JobQueue } from "../platform/JobQueue.ts"
import type { ChannelDispatcher } from "./DeliveryChannels.ts"

/**
 * The email channel: one `SendNotificationEmail` job per notification whose plan has an email,
 * due when the plan says (the end of the recipient's quiet hours, or now). A batch's jobs are added
 * in one statement, in the batch's transaction. The job renders and sends at its run time, after
 * checking the notification is still unread, visible and wanted; recipients on a digest get none
 * (their plan has no email).
 */
export const EmailDispatcher: Effect.Effect<ChannelDispatcher, never, JobQueue> = Effect.gen(function* () {
  const jobs = yield* JobQueue
  return {
    name: "email",
    dispatch: Effect.fn("EmailDispatcher.dispatch")(function* (batch) {
      const entries = batch.delivered.flatMap((delivered) =>
        Option.match(delivered.plan.email, {
          onNone: () => [],
          onSome: (runAt) => [{ payload: { notificationId: delivered.notificationId }, runAt }]
        })
      )
      if (entries.length === 0) return
      const queued = yield* jobs.enqueueMany(SendNotificationEmail, entries)
      yield* Effect.annotateCurrentSpan({ type: batch.kind.type, emails: queued })
    })
  }
})
