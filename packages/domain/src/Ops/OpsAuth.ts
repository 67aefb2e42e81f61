import { Schema } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"

/** The operator token is missing, wrong, or not configured on this server. */
export class OpsUnauthorized extends Schema.TaggedError<OpsUnauthorized>()(
  "OpsUnauthorized",
  { message: Schema.String },
  { httpApiStatus: 401, identifier: "OpsUnauthorized", description: "Operator token missing or invalid" }
) {}

/** Bearer authentication with the `MOIM_OPS_TOKEN` operator token. */
export class OpsAuth extends HttpApiMiddleware.Service<OpsAuth>()("@moim/domain/OpsAuth", {
  security: { opsToken: HttpApiSecurity.bearer },
  error: OpsUnauthorized
}) {}
