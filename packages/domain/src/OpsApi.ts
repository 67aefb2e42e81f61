import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { OpsReport } from "./Ops.ts"
import { OpsAuth } from "./OpsAuth.ts"

export class OpsApi extends HttpApiGroup.make("ops")
  .add(
    HttpApiEndpoint.get("report", "/ops/workers", {
      query: {
        failedLimit: Schema.optional(
          Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 200 })).annotate({
            description: "How many recent failed jobs to list (1–200, default 50)"
          })
        )
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
