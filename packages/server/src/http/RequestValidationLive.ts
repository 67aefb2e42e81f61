import { InvalidRequest, RequestValidation } from "@moim/domain/InvalidRequest"
import { Effect, SchemaIssue } from "effect"
import { HttpApiMiddleware } from "effect/http-api"

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

const toPathSegment = (segment: PropertyKey | { readonly key: PropertyKey }): string | number => {
  const key = typeof segment === "object" ? segment.key : segment
  return typeof key === "number" ? key : String(key)
}

/**
 * Request decoding failures become `InvalidRequest` (400) naming each failing field. A response that
 * fails to encode is our bug, not the client's: it stays a 500 and is reported.
 */
export const RequestValidationLive = HttpApiMiddleware.layerSchemaErrorTransform(RequestValidation, (error) => {
  if (error.kind === "Body" || error.kind === "ResponseHeaders") return Effect.die(error)
  const slot = error.kind.toLowerCase()
  const issues = formatIssues(error.cause.issue).issues.map((issue) => ({
    path: [slot, ...(issue.path ?? []).map(toPathSegment)],
    message: issue.message
  }))
  const summary = issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")
  return Effect.fail(new InvalidRequest({ message: `Invalid request: ${summary}`, issues }))
})
