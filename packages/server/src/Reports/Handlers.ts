import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import {
  CreateReport,
  ListGroupReports,
  ListMyReports,
  ListReports,
  ReportsRpcs,
  ResolveReport
} from "@moim/domain/Reports/ReportsApi"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { Reports } from "./Reports.ts"

/** One handler per report operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const reports = yield* Reports
  return ReportsRpcs.of({
    CreateReport: (input) => CurrentUser.use((user) => reports.create(user, input)),
    ListMyReports: (query) => CurrentUser.use((user) => reports.listMine(user, query)),
    ListGroupReports: ({ id, ...query }) => CurrentUser.use((user) => reports.listInGroup(user, id, query)),
    ListReports: (query) => CurrentUser.use((user) => reports.list(user, query)),
    ResolveReport: ({ id, action }) => CurrentUser.use((user) => reports.resolve(user, id, action))
  })
})

export const ReportsRpc = ReportsRpcs.toLayer(handlers)

const ReportsHttp = HttpApiBuilder.group(Api, "reports", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(CreateReport, handler.CreateReport),
      ...Operations.rest(ListMyReports, handler.ListMyReports),
      ...Operations.rest(ListGroupReports, handler.ListGroupReports),
      ...Operations.rest(ListReports, handler.ListReports),
      ...Operations.rest(ResolveReport, handler.ResolveReport)
    })
  )
)

/** The reports REST group with the middleware its endpoints use. */
export const ReportsHttpLive = ReportsHttp.pipe(Layer.provide(AuthenticationLive))
