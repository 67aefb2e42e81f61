import { Schema } from "effect"
import { PublicProfile, UserId } from "../Accounts/User.ts"
import { GroupId } from "../Groups/Group.ts"
import { Page } from "../Kit/Page.ts"
import { TrimmedText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

export const ReportId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("ReportId"))
  .annotate({ identifier: "ReportId", description: "A report's id (UUIDv7)" })
export type ReportId = typeof ReportId.Type

/** What may be reported. */
export const ReportSubjectKind = Schema.Literals(["post", "comment", "user", "group"]).annotate({
  identifier: "ReportSubjectKind",
  description: "A post, a comment, a user or a group"
})
export type ReportSubjectKind = typeof ReportSubjectKind.Type

export const ReportSubject = Schema.Struct({
  kind: ReportSubjectKind,
  id: Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36)).annotate({ description: "The item's id" })
}).annotate({ identifier: "ReportSubject", description: "The item reported" })
export type ReportSubject = typeof ReportSubject.Type

/** Why: the categories of Mastodon and Discourse, together. */
export const ReportReason = Schema.Literals([
  "spam",
  "harassment",
  "hate",
  "violence",
  "sexual",
  "misinformation",
  "illegal",
  "other"
]).annotate({
  identifier: "ReportReason",
  description:
    "`spam`, `harassment`, `hate` (hateful conduct), `violence`, `sexual` (unwanted sexual content), `misinformation`, `illegal`, `other`"
})
export type ReportReason = typeof ReportReason.Type

export const ReportText = TrimmedText({
  minLength: 0,
  maxLength: 1000,
  annotations: { description: "What the moderators should know, up to 1000 characters" }
})

export const ReportStatus = Schema.Literals(["open", "dismissed", "removed"]).annotate({
  identifier: "ReportStatus",
  description:
    "`open` until a moderator resolves it: `dismissed` (nothing wrong) or `removed` (the item was taken down)"
})
export type ReportStatus = typeof ReportStatus.Type

/** How a moderator resolves a report (and every other open report of the same item). */
export const ReportAction = Schema.Literals(["dismiss", "remove"]).annotate({
  identifier: "ReportAction",
  description:
    "`dismiss`: nothing wrong, the item stays (a post hidden by reports comes back); `remove`: delete the post or comment, suspend the user, delete the group"
})
export type ReportAction = typeof ReportAction.Type

export class Report extends Schema.Class<Report>("Report")(
  Schema.Struct({
    id: ReportId,
    subject: ReportSubject,
    groupId: Schema.NullOr(GroupId).annotate({
      description: "The group the reported post or comment is in (its moderators handle the report), else null"
    }),
    excerpt: Schema.String.annotate({
      description: "What was reported, as it read when reported: the text (up to 280 characters) or the name"
    }),
    reporter: Schema.NullOr(PublicProfile).annotate({ description: "Null once the reporter's account is gone" }),
    reason: ReportReason,
    text: Schema.String,
    status: ReportStatus,
    createdAt: Timestamp,
    resolvedAt: Schema.NullOr(Timestamp),
    resolvedBy: Schema.NullOr(UserId)
  }).annotate({ description: "A report of something that does not belong" }),
  { description: "A report of something that does not belong" }
) {}

export const ReportPage = Page(Report, "ReportPage")

export class ReportNotFound extends Schema.TaggedError<ReportNotFound>()(
  "ReportNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "ReportNotFound", description: "No such report that you may handle" }
) {}

export class ReportSubjectNotFound extends Schema.TaggedError<ReportSubjectNotFound>()(
  "ReportSubjectNotFound",
  { message: Schema.String },
  {
    httpApiStatus: 404,
    identifier: "ReportSubjectNotFound",
    description: "No such post, comment, user or group that you may see"
  }
) {}

export class AlreadyReported extends Schema.TaggedError<AlreadyReported>()(
  "AlreadyReported",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "AlreadyReported", description: "Your report of this item is still open" }
) {}

export class ReportResolved extends Schema.TaggedError<ReportResolved>()(
  "ReportResolved",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "ReportResolved", description: "The report is already resolved" }
) {}
