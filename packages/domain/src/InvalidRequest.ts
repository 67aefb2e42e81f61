import { Schema } from "effect"
import { HttpApiMiddleware } from "effect/http-api"

export const RequestIssue = Schema.Struct({
  path: Schema.Array(Schema.Union([Schema.String, Schema.Int])).annotate({
    description: "Where the bad value is: the request part (`payload`, `query`, `params`, `headers`) then its keys"
  }),
  message: Schema.String
}).annotate({ identifier: "RequestIssue", description: "One value in a request that failed validation" })

/** The request did not match the endpoint's schema; `issues` names each failing field. */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()(
  "InvalidRequest",
  {
    message: Schema.String,
    issues: Schema.Array(RequestIssue)
  },
  { httpApiStatus: 400, identifier: "InvalidRequest", description: "The request failed validation" }
) {}

/**
 * Turns request decoding failures into `InvalidRequest` bodies, so every client error has the same
 * `{ _tag, message }` shape and names the failing fields.
 */
export class RequestValidation extends HttpApiMiddleware.Service<RequestValidation>()(
  "@moim/domain/RequestValidation",
  { error: InvalidRequest }
) {}
