import { Effect } from "effect"
import type { SubjectResolver } from "../Notifications/NotificationSubjects.ts"
import { Reports } from "./Reports.ts"

/** A notification about a report is shown to its reporter. */
export const ReportSubjects = Effect.map(
  Reports,
  (reports): SubjectResolver => ({ kind: "report", visible: (viewer, ids) => reports.filedBy(viewer, ids) })
)
