import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { Forbidden } from "../Kit/AccessErrors.ts"
import * as Feature from "../Kit/Feature.ts"
import { integerQuery, pageLimit } from "../Kit/IntegerQueryParameters.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import {
  ActiveUsers,
  ActivityInterval,
  DateRange,
  GroupActivityReport,
  InvalidAnalyticsRange,
  NewUsers,
  Retention
} from "./Analytics.ts"

const siteAdmins = "For site admins. Days and weeks are in UTC."

export const GetActiveUsers = Operation.make(
  {
    rpc: "GetActiveUsers",
    access: Access.signedIn,
    query: { ...DateRange, interval: Schema.optional(ActivityInterval) },
    success: ActiveUsers,
    errors: [Forbidden, InvalidAnalyticsRange],
    summary: "Active users",
    description: `Daily, weekly or monthly active users over a range: distinct signed-in people with at least one recorded activity (a sign-in, a post, a comment, a reaction, an RSVP, a chat message, a view of a profile or group) in each period. ${siteAdmins}`
  },
  (rest) => HttpApiEndpoint.get("activeUsers", "/analytics/active-users", rest.options).middleware(rest.middleware)
)

export const GetNewUsers = Operation.make(
  {
    rpc: "GetNewUsers",
    access: Access.signedIn,
    query: DateRange,
    success: NewUsers,
    errors: [Forbidden, InvalidAnalyticsRange],
    summary: "New users",
    description: `Accounts made per day over a range, by email or by texted code. ${siteAdmins}`
  },
  (rest) => HttpApiEndpoint.get("newUsers", "/analytics/new-users", rest.options).middleware(rest.middleware)
)

export const GetRetention = Operation.make(
  {
    rpc: "GetRetention",
    access: Access.signedIn,
    query: DateRange,
    success: Retention,
    errors: [Forbidden, InvalidAnalyticsRange],
    summary: "Retention by signup week",
    description: `One cohort per signup week (ISO weeks, from Monday) of the range: of the people who signed up in week W, how many and which fraction were active in week W+k, for every week up to the one holding \`to\`. ${siteAdmins}`
  },
  (rest) => HttpApiEndpoint.get("retention", "/analytics/retention", rest.options).middleware(rest.middleware)
)

export const GetGroupActivity = Operation.make(
  {
    rpc: "GetGroupActivity",
    access: Access.signedIn,
    query: { ...DateRange, limit: integerQuery(pageLimit) },
    success: GroupActivityReport,
    errors: [Forbidden, InvalidAnalyticsRange],
    summary: "Activity per group",
    description: `The most active groups over a range, with their events by kind (posts, comments, reactions, RSVPs, chat messages, views) and their active people. ${siteAdmins}`
  },
  (rest) => HttpApiEndpoint.get("groupActivity", "/analytics/groups", rest.options).middleware(rest.middleware)
)

export const AnalyticsOperations = [GetActiveUsers, GetNewUsers, GetRetention, GetGroupActivity] as const

export class AnalyticsApi extends Operation.httpGroup("analytics", AnalyticsOperations).annotateMerge(
  OpenApi.annotations({ title: "Analytics", description: "Activity aggregates for site admins" })
) {}

export const AnalyticsRpcs = Operation.rpcGroup(AnalyticsOperations)

export const AnalyticsFeature = Feature.make({
  name: "analytics",
  rest: [AnalyticsApi],
  rpcs: AnalyticsRpcs,
  operations: AnalyticsOperations,
  restOnly: [],
  rpcOnly: []
})
