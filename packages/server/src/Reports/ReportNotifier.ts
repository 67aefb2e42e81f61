import type { ReportId } from "@moim/domain/Reports/Report"
import { NotifyReportsResolved, ReportResolvedNotification } from "@moim/domain/Reports/ReportNotifications"
import { Context, Effect, Layer } from "effect"
import { SecureRandom } from "effect/crypto"
import { Notifications } from "../Notifications/Notifications.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { ReportsRepo } from "./ReportsRepo.ts"

/**
 * `const resolved = yield* ReportEvents.make`: records that reports were resolved, as a job in the
 * resolving transaction.
 */
export const ReportEvents = {
  make: Effect.gen(function* () {
    const jobs = yield* JobQueue
    return (reportIds: ReadonlyArray<ReportId>) =>
      jobs
        .enqueue(NotifyReportsResolved, { eventId: SecureRandom.uuidV7Unsafe(), reportIds: [...reportIds] })
        .pipe(Effect.asVoid)
  })
}

/** Tells each reporter what became of their report (run by the worker for `NotifyReportsResolved`). */
export class ReportNotifier extends Context.Service<
  ReportNotifier,
  { readonly notify: (eventId: string, reportIds: ReadonlyArray<ReportId>) => Effect.Effect<void> }
>()("@moim/server/Reports/ReportNotifier") {
  static readonly layer = Layer.effect(
    ReportNotifier,
    Effect.gen(function* () {
      const repo = yield* ReportsRepo
      const notifications = yield* Notifications
      return ReportNotifier.of({
        notify: Effect.fn("ReportNotifier.notify")(function* (eventId, reportIds) {
          for (const report of yield* repo.findMany(reportIds)) {
            if (report.status === "open") continue
            yield* notifications.deliver({
              eventId,
              kind: ReportResolvedNotification,
              data: {
                reportId: report.id,
                subjectKind: report.subjectKind,
                excerpt: report.excerpt,
                status: report.status
              },
              recipients: [report.reporterId],
              actorId: report.resolvedBy,
              subjectId: report.id,
              groupId: report.groupId
            })
          }
        })
      })
    })
  )
}
