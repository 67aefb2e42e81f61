import {
  ActiveUsers,
  ActiveUsersPoint,
  type ActivityInterval,
  ActivityKind,
  type AnalyticsDate,
  GroupActivity,
  GroupActivityReport,
  InvalidAnalyticsRange,
  KindCount,
  maxRangeDays,
  NewUsers,
  NewUsersPoint,
  Retention,
  RetentionCohort,
  RetentionWeek
} from "@moim/domain/Analytics/Analytics"
import type { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Context, Effect, Layer } from "effect"
import { Actor } from "../Access/Actor.ts"
import { ActivityRepo, type Span } from "./ActivityRepo.ts"

type SignedIn = CurrentUser["Service"]

/** The days of an aggregate, both included. */
export interface Range {
  readonly from: AnalyticsDate
  readonly to: AnalyticsDate
}

const day = 24 * 60 * 60 * 1000
const week = 7 * day

const dateOf = (instant: Date): AnalyticsDate => instant.toISOString().slice(0, 10)

/** Monday 00:00 UTC of the week holding `instant`. */
const mondayOf = (instant: Date) => new Date(instant.getTime() - ((instant.getUTCDay() + 6) % 7) * day)

/** The range as instants, `[from 00:00, the day after to 00:00)`, or why it is refused. */
export const spanOf = (range: Range): Effect.Effect<Span, InvalidAnalyticsRange> => {
  const from = new Date(`${range.from}T00:00:00.000Z`)
  const until = new Date(new Date(`${range.to}T00:00:00.000Z`).getTime() + day)
  if (until.getTime() <= from.getTime()) {
    return Effect.fail(new InvalidAnalyticsRange({ message: "`from` is after `to`" }))
  }
  if (until.getTime() - from.getTime() > maxRangeDays * day) {
    return Effect.fail(new InvalidAnalyticsRange({ message: `The range covers more than ${maxRangeDays} days` }))
  }
  return Effect.succeed({ from, until })
}

/** Activity aggregates over `activity_events`, for site admins. */
export class Analytics extends Context.Service<
  Analytics,
  {
    readonly activeUsers: (
      user: SignedIn,
      range: Range,
      interval: ActivityInterval
    ) => Effect.Effect<ActiveUsers, Forbidden | InvalidAnalyticsRange>
    readonly newUsers: (user: SignedIn, range: Range) => Effect.Effect<NewUsers, Forbidden | InvalidAnalyticsRange>
    /** Cohorts by signup week, over the whole weeks holding the range's days. */
    readonly retention: (user: SignedIn, range: Range) => Effect.Effect<Retention, Forbidden | InvalidAnalyticsRange>
    readonly groupActivity: (
      user: SignedIn,
      range: Range,
      limit: number
    ) => Effect.Effect<GroupActivityReport, Forbidden | InvalidAnalyticsRange>
  }
>()("@moim/server/Analytics/Analytics") {
  static readonly layer = Layer.effect(
    Analytics,
    Effect.gen(function* () {
      const repo = yield* ActivityRepo

      /** The admin check first, so nobody else learns even whether their range is valid. */
      const allowed = (user: SignedIn, range: Range) =>
        Effect.andThen(Actor.requireSiteAdmin(Actor.of(user)), spanOf(range))

      return Analytics.of({
        activeUsers: Effect.fn("Analytics.activeUsers")(function* (user, range, interval) {
          const span = yield* allowed(user, range)
          const rows = yield* repo.activeUsers(span, interval)
          return new ActiveUsers({
            interval,
            points: rows.map(
              (row) => new ActiveUsersPoint({ start: dateOf(row.start), end: dateOf(row.lastDay), users: row.users })
            )
          })
        }),

        newUsers: Effect.fn("Analytics.newUsers")(function* (user, range) {
          const span = yield* allowed(user, range)
          const rows = yield* repo.signupsPerDay(span)
          return new NewUsers({
            total: rows.reduce((sum, row) => sum + row.users, 0),
            points: rows.map((row) => new NewUsersPoint({ date: dateOf(row.day), users: row.users }))
          })
        }),

        retention: Effect.fn("Analytics.retention")(function* (user, range) {
          const requested = yield* allowed(user, range)
          const from = mondayOf(requested.from)
          const until = new Date(mondayOf(new Date(requested.until.getTime() - day)).getTime() + week)
          const span = { from, until }
          const [sizes, returns] = yield* Effect.all([repo.cohorts(span), repo.cohortReturns(span)])
          const sizeOf = new Map(sizes.map((row) => [row.week.getTime(), row.users]))
          const activeIn = new Map(returns.map((row) => [`${row.cohort.getTime()}:${row.week.getTime()}`, row.users]))
          const cohorts: Array<RetentionCohort> = []
          for (let start = from.getTime(); start < until.getTime(); start += week) {
            const users = sizeOf.get(start) ?? 0
            const weeks: Array<RetentionWeek> = []
            for (let later = start, k = 0; later < until.getTime(); later += week, k++) {
              const active = activeIn.get(`${start}:${later}`) ?? 0
              weeks.push(new RetentionWeek({ week: k, active, fraction: users === 0 ? 0 : active / users }))
            }
            cohorts.push(new RetentionCohort({ week: dateOf(new Date(start)), users, weeks }))
          }
          return new Retention({ cohorts })
        }),

        groupActivity: Effect.fn("Analytics.groupActivity")(function* (user, range, limit) {
          const span = yield* allowed(user, range)
          const groups = yield* repo.topGroups(span, limit)
          const kinds = yield* repo.kindsOf(
            span,
            groups.map((group) => group.groupId)
          )
          const byGroup = new Map<string, Array<KindCount>>()
          for (const row of kinds) {
            const list = byGroup.get(row.groupId) ?? []
            list.push(new KindCount({ kind: row.kind, events: row.events }))
            byGroup.set(row.groupId, list)
          }
          const order = (kind: ActivityKind) => ActivityKind.literals.indexOf(kind)
          return new GroupActivityReport({
            groups: groups.map(
              (group) =>
                new GroupActivity({
                  groupId: group.groupId,
                  events: group.events,
                  activeUsers: group.activeUsers,
                  byKind: (byGroup.get(group.groupId) ?? []).sort((a, b) => order(a.kind) - order(b.kind))
                })
            )
          })
        })
      })
    })
  )
}
