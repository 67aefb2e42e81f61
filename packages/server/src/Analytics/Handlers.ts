import {
  AnalyticsRpcs,
  GetActiveUsers,
  GetGroupActivity,
  GetNewUsers,
  GetRetention
} from "@moim/domain/Analytics/AnalyticsApi"
import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { Analytics } from "./Analytics.ts"

/** One handler per analytics operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const analytics = yield* Analytics
  return AnalyticsRpcs.of({
    GetActiveUsers: ({ interval, ...range }) =>
      CurrentUser.use((user) => analytics.activeUsers(user, range, interval ?? "day")),
    GetNewUsers: (range) => CurrentUser.use((user) => analytics.newUsers(user, range)),
    GetRetention: (range) => CurrentUser.use((user) => analytics.retention(user, range)),
    GetGroupActivity: ({ limit, ...range }) =>
      CurrentUser.use((user) => analytics.groupActivity(user, range, limit ?? 20))
  })
})

export const AnalyticsRpc = AnalyticsRpcs.toLayer(handlers)

const AnalyticsHttp = HttpApiBuilder.group(Api, "analytics", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(GetActiveUsers, handler.GetActiveUsers),
      ...Operations.rest(GetNewUsers, handler.GetNewUsers),
      ...Operations.rest(GetRetention, handler.GetRetention),
      ...Operations.rest(GetGroupActivity, handler.GetGroupActivity)
    })
  )
)

/** The analytics REST group with the middleware its endpoints use. */
export const AnalyticsHttpLive = AnalyticsHttp.pipe(Layer.provide(AuthenticationLive))
