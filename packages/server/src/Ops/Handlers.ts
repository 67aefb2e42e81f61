import { Api } from "@moim/domain/Api"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { OpsAuthLive } from "./OpsAuthLive.ts"
import { OpsRepo } from "./OpsRepo.ts"

export const OpsHttp = HttpApiBuilder.group(
  Api,
  "ops",
  Effect.fn(function* (handlers) {
    const repo = yield* OpsRepo
    return handlers.handle("report", ({ query }) => repo.report({ failedLimit: query.failedLimit ?? 50 }))
  })
).pipe(Layer.provide([OpsRepo.layer, OpsAuthLive]))
