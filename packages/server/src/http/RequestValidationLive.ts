import { InvalidRequest, RequestValidation } from "@moim/domain/Kit/InvalidRequest"
import { Effect } from "effect"
import { HttpApiMiddleware } from "effect/http-api"

/**
 * Request decoding failures become `InvalidRequest` (400) naming each failing field. A response that
 * fails to encode is our bug, not the client's: it stays a 500 and is reported.
 */
export const RequestValidationLive = HttpApiMiddleware.layerSchemaErrorTransform(RequestValidation, (error) => {
  if (error.kind === "Body" || error.kind === "ResponseHeaders") return Effect.die(error)
  const part =
    error.kind === "Payload"
      ? "payload"
      : error.kind === "Query"
        ? "query"
        : error.kind === "Params"
          ? "params"
          : "headers"
  return Effect.fail(InvalidRequest.fromIssue(part, error.cause.issue))
})
