import { NotifyReportsResolved } from "@moim/domain/Reports/ReportNotifications"
import { ReportNotifier } from "@moim/server/Reports/ReportNotifier"
import * as JobHandler from "../JobHandler.ts"

/** Tells reporters what became of their reports. */
export const NotifyReportsResolvedHandler = JobHandler.make(NotifyReportsResolved, ({ eventId, reportIds }) =>
  ReportNotifier.use((notifier) => notifier.notify(eventId, reportIds))
)

/** The reports feature's jobs. */
export const ReportsJobs = [NotifyReportsResolvedHandler] as const
