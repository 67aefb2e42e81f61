import { HttpApi, OpenApi } from "effect/http-api"
import { Features } from "./Features.ts"
import * as Feature from "./Kit/Feature.ts"
import { typeIntegerQueryParameters } from "./Kit/IntegerQueryParameters.ts"
import { RequestValidation } from "./Kit/InvalidRequest.ts"
import { openApiContract } from "./Kit/OpenApiContract.ts"
import { stableComponentNames } from "./Kit/StableComponentNames.ts"
import { Version } from "./Version.ts"

/** The REST API served under `/api/v1`; the OpenAPI document and the SDK are generated from it. */
export class Api extends HttpApi.make("moim")
  .add(...Feature.restGroups(Features))
  .prefix("/api/v1")
  .middleware(RequestValidation)
  // Unknown body keys are refused (so `additionalProperties: false` is true); every failing field is
  // reported, not only the first.
  .annotate(HttpApi.PayloadParseOptions, { onExcessProperty: "error", errors: "all" })
  .annotate(HttpApi.QueryParseOptions, { errors: "all" })
  .annotate(HttpApi.ParamsParseOptions, { errors: "all" })
  .annotateMerge(
    OpenApi.annotations({
      title: "Moim API",
      version: Version,
      description: "The REST API of Moim, a typed community backend.",
      transform: (spec) => openApiContract(typeIntegerQueryParameters(stableComponentNames(spec)))
    })
  ) {}
