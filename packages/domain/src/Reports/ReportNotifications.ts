import { Schema } from "effect"
import * as Job from "../Jobs/Job.ts"
import * as NotificationKind from "../Notifications/NotificationKind.ts"
import { ReportId, ReportSubjectKind } from "./Report.ts"

const what: Record<ReportSubjectKind, string> = { post: "post", comment: "comment", user: "account", group: "group" }

export const ReportResolvedNotification = NotificationKind.make({
  type: "report.resolved",
  identifier: "ReportResolvedNotification",
  description: "A moderator resolved your report",
  subject: "report",
  data: Schema.Struct({
    reportId: ReportId,
    subjectKind: ReportSubjectKind,
    excerpt: Schema.String,
    status: Schema.Literals(["dismissed", "removed"])
  }),
  defaults: { email: false, push: true },
  text: (_who, data) =>
    data.status === "removed"
      ? `Thanks for your report: the ${what[data.subjectKind]} you reported was removed`
      : `We reviewed the ${what[data.subjectKind]} you reported and left it up`
})

/** Every notification the reports feature sends. */
export const ReportNotificationKinds = [ReportResolvedNotification] as const

/** A notification from the reports feature, as clients receive it. */
export const ReportNotification = Schema.Union([ReportResolvedNotification.schema])

/**
 * Reports were resolved: their reporters are told, each of their own report. Enqueued in the
 * resolving transaction.
 */
export const NotifyReportsResolved = Job.make(
  "NotifyReportsResolved",
  Schema.Struct({ eventId: Schema.String, reportIds: Schema.Array(ReportId) }),
  { key: (payload) => `reports-resolved:${payload.eventId}` }
)
