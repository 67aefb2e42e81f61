import { Schema } from "effect"
import { GroupId } from "../Groups/Group.ts"
import { isLengthBetween } from "../Kit/Text.ts"

/** What an activity event records: one of the things a person does. */
export const ActivityKind = Schema.Literals([
  "signup",
  "login",
  "post",
  "comment",
  "reaction",
  "rsvp",
  "message",
  "profile_view",
  "group_view"
]).annotate({
  identifier: "ActivityKind",
  description:
    "`signup` (an account made), `login` (a sign-in, by password or texted code), `post`, `comment`, `reaction` (to a post, comment or chat message), `rsvp`, `message` (in chat), `profile_view`, `group_view`"
})
export type ActivityKind = typeof ActivityKind.Type

/** The kind of device an event came from, read from its User-Agent (which itself is not kept). */
export const DeviceClass = Schema.Literals(["web", "ios", "android", "other"]).annotate({
  identifier: "DeviceClass",
  description: "Read from the User-Agent: `android`, `ios` (iPhone, iPad, iOS apps), `web` (other browsers), `other`"
})
export type DeviceClass = typeof DeviceClass.Type

const datePattern = /^\d{4}-\d{2}-\d{2}$/

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** `YYYY-MM-DD`, a day that exists on the calendar. */
const isCalendarDate = Schema.makeFilter(
  (value: string) => {
    if (!datePattern.test(value)) return false
    const [year = 0, month = 0, day = 0] = value.split("-").map(Number)
    return year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month)
  },
  { expected: "a day on the calendar, YYYY-MM-DD", toJsonSchema: () => ({ pattern: datePattern.source }) }
)

/** A day in UTC. */
export const AnalyticsDate = Schema.String.annotate({
  description: "A day in UTC, `YYYY-MM-DD`",
  examples: ["2026-03-01"]
}).check(isLengthBetween(10, 10), Schema.isPattern(/^\d{4}-\d{2}-\d{2}$/u), isCalendarDate)
export type AnalyticsDate = typeof AnalyticsDate.Type

/** The longest range an aggregate covers, in days. */
export const maxRangeDays = 400

/** The days an aggregate covers: from `from` to `to`, both included, in UTC. */
export const DateRange = {
  from: AnalyticsDate.annotate({ description: "The first day (UTC), included" }),
  to: AnalyticsDate.annotate({
    description: `The last day (UTC), included; at most ${maxRangeDays} days after \`from\``
  })
}

/** How active users are counted: per day, per ISO week (from Monday) or per calendar month. */
export const ActivityInterval = Schema.Literals(["day", "week", "month"]).annotate({
  identifier: "ActivityInterval",
  description: "`day` (default), `week` (ISO weeks, from Monday) or `month`, in UTC"
})
export type ActivityInterval = typeof ActivityInterval.Type

export class ActiveUsersPoint extends Schema.Class<ActiveUsersPoint>("ActiveUsersPoint")(
  Schema.Struct({
    start: AnalyticsDate.annotate({ description: "The period's first day within the range" }),
    end: AnalyticsDate.annotate({ description: "The period's last day within the range" }),
    users: Schema.Int.annotate({ description: "Distinct signed-in people with at least one recorded activity" })
  }).annotate({ description: "Active users in one period" }),
  { description: "Active users in one period" }
) {}

export class ActiveUsers extends Schema.Class<ActiveUsers>("ActiveUsers")(
  {
    interval: ActivityInterval,
    points: Schema.Array(ActiveUsersPoint).annotate({
      description:
        "Every period overlapping the range, oldest first, cut to the range; periods without activity count 0"
    })
  },
  { description: "Daily, weekly or monthly active users over a range" }
) {}

export class NewUsersPoint extends Schema.Class<NewUsersPoint>("NewUsersPoint")(
  Schema.Struct({
    date: AnalyticsDate,
    users: Schema.Int.annotate({ description: "Accounts made that day" })
  }).annotate({ description: "Accounts made on one day" }),
  { description: "Accounts made on one day" }
) {}

export class NewUsers extends Schema.Class<NewUsers>("NewUsers")(
  {
    total: Schema.Int,
    points: Schema.Array(NewUsersPoint).annotate({ description: "Every day of the range, oldest first" })
  },
  { description: "New accounts per day over a range" }
) {}

export class RetentionWeek extends Schema.Class<RetentionWeek>("RetentionWeek")(
  Schema.Struct({
    week: Schema.Int.annotate({ description: "Weeks after the signup week (0: the signup week itself)" }),
    active: Schema.Int.annotate({ description: "People of the cohort active in that week" }),
    fraction: Schema.Number.annotate({ description: "`active` divided by the cohort's size, from 0 to 1" })
  }).annotate({ description: "How many of a cohort were active in one later week" }),
  { description: "How many of a cohort were active in one later week" }
) {}

export class RetentionCohort extends Schema.Class<RetentionCohort>("RetentionCohort")(
  Schema.Struct({
    week: AnalyticsDate.annotate({ description: "The signup week's Monday" }),
    users: Schema.Int.annotate({ description: "People who signed up that week" }),
    weeks: Schema.Array(RetentionWeek).annotate({
      description: "Week 0, 1, ... up to the week holding `to`"
    })
  }).annotate({ description: "The people who signed up in one week, and how many came back each week after" }),
  { description: "The people who signed up in one week, and how many came back each week after" }
) {}

export class Retention extends Schema.Class<Retention>("Retention")(
  {
    cohorts: Schema.Array(RetentionCohort).annotate({
      description:
        "One per week from the one holding `from` to the one holding `to`, oldest first (empty weeks included)"
    })
  },
  { description: "Retention by signup week" }
) {}

export class KindCount extends Schema.Class<KindCount>("KindCount")(
  Schema.Struct({ kind: ActivityKind, events: Schema.Int }).annotate({ description: "Events of one kind" }),
  { description: "Events of one kind" }
) {}

export class GroupActivity extends Schema.Class<GroupActivity>("GroupActivity")(
  Schema.Struct({
    groupId: GroupId,
    events: Schema.Int.annotate({ description: "Every recorded event in the group over the range" }),
    activeUsers: Schema.Int.annotate({ description: "Distinct signed-in people among them" }),
    byKind: Schema.Array(KindCount).annotate({ description: "The events by kind, kinds without events left out" })
  }).annotate({ description: "What happened in one group over the range" }),
  { description: "What happened in one group over the range" }
) {}

export class GroupActivityReport extends Schema.Class<GroupActivityReport>("GroupActivityReport")(
  {
    groups: Schema.Array(GroupActivity).annotate({
      description: "The most active groups first (by events, then id), at most `limit` (default 20)"
    })
  },
  { description: "Activity per group over a range" }
) {}

export class InvalidAnalyticsRange extends Schema.TaggedError<InvalidAnalyticsRange>()(
  "InvalidAnalyticsRange",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "InvalidAnalyticsRange",
    description: `\`from\` must not be after \`to\`, and the range may cover at most ${maxRangeDays} days`
  }
) {}
