import { Schema, SchemaIssue } from "effect"
import { HttpApiMiddleware } from "effect/http-api"
import { RpcMiddleware } from "effect/rpc"

export const RequestIssue = Schema.Struct({
  path: Schema.Array(Schema.Union([Schema.String, Schema.Int])).annotate({
    description: "Where the bad value is: the request part (`payload`, `query`, `params`, `headers`) then its keys"
  }),
  message: Schema.String
}).annotate({ identifier: "RequestIssue", description: "One value in a request that failed validation" })

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

const toPathSegment = (segment: PropertyKey | { readonly key: PropertyKey }): string | number => {
  const key = typeof segment === "object" ? segment.key : segment
  return typeof key === "number" ? key : String(key)
}

/** The request did not match the endpoint's schema; `issues` names each failing field. */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()(
  "InvalidRequest",
  {
    message: Schema.String,
    issues: Schema.Array(RequestIssue)
  },
  { httpApiStatus: 400, identifier: "InvalidRequest", description: "The request failed validation" }
) {
  /**
   * The error for a schema issue in one part of a request. REST, the RPC server and the RPC client
   * all build it here, so a bad value gets the same answer whichever way it was sent.
   */
  static fromIssue(part: "payload" | "query" | "params" | "headers", issue: SchemaIssue.Issue): InvalidRequest {
    const issues = formatIssues(issue).issues.map((item) => ({
      path: [part, ...(item.path ?? []).map(toPathSegment)],
      message: item.message
    }))
    const summary = issues.map((item) => `${item.path.join(".")}: ${item.message}`).join("; ")
    return new InvalidRequest({ message: `Invalid request: ${summary}`, issues })
  }
}

/**
 * Turns request decoding failures into `InvalidRequest` bodies, so every client error has the same
 * `{ _tag, message }` shape and names the failing fields.
 */
export class RequestValidation extends HttpApiMiddleware.Service<RequestValidation>()(
  "@moim/domain/RequestValidation",
  { error: InvalidRequest }
) {}

/**
 * The same for RPC: every RPC may fail with `InvalidRequest`. The server answers a payload that does
 * not decode with it (rather than a defect), and the client side (`layerRpcClientMiddleware`) refuses
 * a payload that does not encode with it before sending, so both surfaces agree.
 */
export class RpcRequestValidation extends RpcMiddleware.Service<RpcRequestValidation>()(
  "@moim/domain/RpcRequestValidation",
  { error: InvalidRequest, requiredForClient: true }
) {}
