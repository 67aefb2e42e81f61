import { HttpApi, OpenApi } from "effect/http-api"
import { AdminApi } from "./AdminApi.ts"
import { AuthApi } from "./AuthApi.ts"
import { GroupsApi } from "./GroupsApi.ts"
import { typeIntegerQueryParameters } from "./IntegerQueryParameters.ts"
import { RequestValidation } from "./InvalidRequest.ts"
import { MeApi } from "./MeApi.ts"
import { openApiContract } from "./OpenApiContract.ts"
import { OpsApi } from "./OpsApi.ts"
import { stableComponentNames } from "./StableComponentNames.ts"
import { SystemApi } from "./SystemApi.ts"
import { UsersApi } from "./UsersApi.ts"
import { Version } from "./Version.ts"

/** The REST API served under `/api/v1`; the OpenAPI document and the SDK are generated from it. */
export class Api extends HttpApi.make("moim")
  .add(SystemApi)
  .add(AuthApi)
  .add(MeApi)
  .add(UsersApi)
  .add(GroupsApi)
  .add(AdminApi)
  .add(OpsApi)
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
