import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { GroupId, GroupNotFound } from "../Groups/Group.ts"
import { Forbidden } from "../Kit/AccessErrors.ts"
import * as Feature from "../Kit/Feature.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, PageQuery } from "../Kit/Page.ts"
import {
  AlreadyReported,
  Report,
  ReportAction,
  ReportId,
  ReportNotFound,
  ReportPage,
  ReportReason,
  ReportResolved,
  ReportSubject,
  ReportSubjectKind,
  ReportSubjectNotFound,
  ReportText
} from "./Report.ts"

export const CreateReportPayload = Schema.Struct({
  subject: ReportSubject,
  reason: ReportReason,
  text: Schema.optional(ReportText)
}).annotate({ identifier: "CreateReportPayload", description: "What you report, and why" })

export const ResolveReportPayload = Schema.Struct({ action: ReportAction }).annotate({
  identifier: "ResolveReportPayload",
  description: "How the report is resolved"
})

/** Which reports a queue lists. */
export const ReportQueueStatus = Schema.Literals(["open", "resolved"]).annotate({
  identifier: "ReportQueueStatus",
  description: "`open` (default): waiting for a moderator, oldest first; `resolved`: handled, most recent first"
})

const queue = { status: Schema.optional(ReportQueueStatus), ...PageQuery }

export const CreateReport = Operation.make(
  {
    rpc: "CreateReport",
    access: Access.signedIn,
    body: Operation.body(CreateReportPayload),
    success: Report,
    status: 201,
    errors: [ReportSubjectNotFound, AlreadyReported, Forbidden],
    summary: "Report something that does not belong",
    description:
      "A post, comment, user or group you may see, not your own. One open report per person and item. Reports of a group's posts and comments go to its owner and admins; every report goes to the site admins."
  },
  (rest) => HttpApiEndpoint.post("create", "/reports", rest.options).middleware(rest.middleware)
)

export const ListMyReports = Operation.make(
  {
    rpc: "ListMyReports",
    access: Access.signedIn,
    query: PageQuery,
    success: ReportPage,
    errors: [InvalidCursor],
    summary: "Your reports",
    description: "The reports you made and what became of them, most recent first."
  },
  (rest) => HttpApiEndpoint.get("listMine", "/me/reports", rest.options).middleware(rest.middleware)
)

export const ListGroupReports = Operation.make(
  {
    rpc: "ListGroupReports",
    access: Access.signedIn,
    params: { id: GroupId },
    query: queue,
    success: ReportPage,
    errors: [GroupNotFound, Forbidden, InvalidCursor],
    summary: "A group's report queue",
    description: "Reports of the group's posts and comments, for its owner, admins and site admins."
  },
  (rest) => HttpApiEndpoint.get("listInGroup", "/groups/:id/reports", rest.options).middleware(rest.middleware)
)

export const ListReports = Operation.make(
  {
    rpc: "ListReports",
    access: Access.signedIn,
    query: { ...queue, kind: Schema.optional(ReportSubjectKind) },
    success: ReportPage,
    errors: [Forbidden, InvalidCursor],
    summary: "Every report",
    description: "The site's report queue, for site admins."
  },
  (rest) => HttpApiEndpoint.get("list", "/reports", rest.options).middleware(rest.middleware)
)

export const ResolveReport = Operation.make(
  {
    rpc: "ResolveReport",
    access: Access.signedIn,
    params: { id: ReportId },
    body: Operation.body(ResolveReportPayload),
    success: Report,
    errors: [ReportNotFound, ReportResolved, Forbidden],
    summary: "Resolve a report",
    description:
      "Dismiss it, or remove the item. Every open report of the same item is resolved with it. The group's owner and admins resolve reports of its posts and comments; site admins resolve all."
  },
  (rest) => HttpApiEndpoint.post("resolve", "/reports/:id/resolve", rest.options).middleware(rest.middleware)
)

export const ReportsOperations = [CreateReport, ListMyReports, ListGroupReports, ListReports, ResolveReport] as const

export class ReportsApi extends Operation.httpGroup("reports", ReportsOperations).annotateMerge(
  OpenApi.annotations({ title: "Reports", description: "Reporting what does not belong, and the moderators' queues" })
) {}

export const ReportsRpcs = Operation.rpcGroup(ReportsOperations)

export const ReportsFeature = Feature.make({
  name: "reports",
  rest: [ReportsApi],
  rpcs: ReportsRpcs,
  operations: ReportsOperations,
  restOnly: [],
  rpcOnly: []
})
