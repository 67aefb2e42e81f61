import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import * as Feature from "../Kit/Feature.ts"
import { failedLimit, integerQuery } from "../Kit/IntegerQueryParameters.ts"
import { JobsApi, JobsOperations, JobsRpcs } from "./JobsApi.ts"
import { OpsReport } from "./Ops.ts"
import { OpsAuth } from "./OpsAuth.ts"

export class OpsApi extends HttpApiGroup.make("ops")
  .add(
    HttpApiEndpoint.get("report", "/ops/workers", {
      query: {
        failedLimit: integerQuery(failedLimit)
      },
      success: OpsReport
    }).annotateMerge(
      OpenApi.annotations({
        summary: "Workers and queue",
        description: "Live workers with their last heartbeat, queue depth and recent failed jobs."
      })
    )
  )
  .middleware(OpsAuth)
  .annotateMerge(
    OpenApi.annotations({ title: "Operations", description: "Operator endpoints, protected by MOIM_OPS_TOKEN" })
  ) {}

export const OpsFeature = Feature.make({
  name: "ops",
  rest: [OpsApi, JobsApi],
  rpcs: JobsRpcs,
  operations: JobsOperations,
  restOnly: [{ name: "ops.report", why: "for operators' tools (and MOIM_OPS_TOKEN), not for frontends" }],
  rpcOnly: []
})
