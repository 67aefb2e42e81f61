/**
 * What the server does for every operation but HttpApi cannot say per endpoint, written into the
 * OpenAPI document so it tells the truth: optional request bodies and optional authentication,
 * the rate-limit headers, the `Idempotency-Key` of unsafe operations and its 409 and 422, the `ETag`
 * of reads and versioned edits with `If-None-Match` and 304, the errors
 * any request may meet before reaching its endpoint (413, 415,
 * 500), servers, contact and licence; and a tidy-up of the generated schemas.
 */

type JsonRecord = Record<string, unknown>

const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

/** The security scheme name `OptionalAuthentication` declares, rewritten to "anonymous or bearer". */
export const optionalBearerScheme = "optionalBearer"

const errorBody = (tag: string, description: string) => ({
  type: "object",
  description,
  properties: {
    _tag: { type: "string", enum: [tag] },
    message: { type: "string", maxLength: 1000, pattern: "^[^\\u0000]*$" }
  },
  required: ["_tag", "message"],
  additionalProperties: false
})

const errorResponse = (tag: string, description: string) => ({
  description,
  headers: { "Access-Control-Allow-Origin": { $ref: "#/components/headers/Access-Control-Allow-Origin" } },
  content: { "application/json": { schema: { $ref: `#/components/schemas/${tag}` } } }
})

const integerHeader = (description: string) => ({
  description,
  schema: { type: "integer", format: "int32", minimum: 0, maximum: 2_147_483_647 }
})

const components = {
  schemas: {
    IdempotencyKeyReused: errorBody(
      "IdempotencyKeyReused",
      "The Idempotency-Key was already used for a different request (method, URL or body)"
    ),
    IdempotencyKeyInProgress: errorBody(
      "IdempotencyKeyInProgress",
      "A request with this Idempotency-Key is still running; send it again after Retry-After"
    ),
    PayloadTooLarge: errorBody("PayloadTooLarge", "The request body is larger than the server accepts"),
    UnsupportedMediaType: errorBody("UnsupportedMediaType", "The body's content type or encoding is not accepted"),
    InternalServerError: errorBody("InternalServerError", "The server failed; the request may be retried")
  },
  responses: {
    PayloadTooLarge: errorResponse(
      "PayloadTooLarge",
      "The body is larger than `MAX_BODY_BYTES`; refused from `Content-Length` alone when it announces so"
    ),
    UnsupportedMediaType: errorResponse(
      "UnsupportedMediaType",
      "The body is not JSON, or is compressed (`Content-Encoding` other than `identity`)"
    ),
    InternalServerError: errorResponse("InternalServerError", "Something went wrong on the server's side")
  },
  parameters: {
    "Idempotency-Key": {
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description:
        "Makes the request safe to send again: the first request with a key runs and its successful response is kept for 24 hours; a repeat with the same key and the same method, URL and body gets that response back (with `Idempotent-Replayed: true`) without running again. Keys are per user (or shared by anonymous callers): use a new random value, such as a UUID, for each new request.",
      schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[!-~]+$" }
    },
    "If-None-Match": {
      name: "If-None-Match",
      in: "header",
      required: false,
      description:
        "The `ETag` of the copy you have (or several, comma-separated, or `*`): when it is still current the answer is `304 Not Modified` without a body.",
      schema: {
        type: "string",
        minLength: 1,
        maxLength: 1024,
        pattern: '^\\s*(\\*|(W/)?"[!#-~]*"(\\s*,\\s*(W/)?"[!#-~]*")*)\\s*$'
      }
    }
  },
  headers: {
    "RateLimit-Limit": integerHeader("Requests allowed in the current window"),
    "RateLimit-Remaining": integerHeader("Requests left in the current window"),
    "RateLimit-Reset": integerHeader("Seconds until the window resets"),
    "RateLimit-Policy": {
      description: "The limit and its window, e.g. `100;w=60`",
      schema: { type: "string", maxLength: 100, pattern: "^\\d+;w=\\d+$" }
    },
    "Retry-After": integerHeader("Seconds to wait before trying again"),
    ETag: {
      description:
        'A weak validator of this answer: send it in `If-None-Match` to revalidate a copy. For a group, post or event it starts with the edit version (`W/"7-…"`), and may be sent back in `If-Match` to edit that version only.',
      schema: { type: "string", maxLength: 100, pattern: '^W/"([0-9]+-)?[A-Za-z0-9_-]+"$' }
    },
    "Access-Control-Allow-Origin": {
      description: "Sent to browsers whose `Origin` is allowed by `CORS_ORIGINS` (`*` by default)",
      schema: { type: "string", maxLength: 2048, pattern: "^(\\*|https?://[^\\s]+)$" }
    }
  }
}

const rateLimitHeaders = {
  "RateLimit-Limit": { $ref: "#/components/headers/RateLimit-Limit" },
  "RateLimit-Remaining": { $ref: "#/components/headers/RateLimit-Remaining" },
  "RateLimit-Reset": { $ref: "#/components/headers/RateLimit-Reset" },
  "RateLimit-Policy": { $ref: "#/components/headers/RateLimit-Policy" }
}

const license = { name: "MIT", identifier: "MIT" }

const corsHeaders = { "Access-Control-Allow-Origin": { $ref: "#/components/headers/Access-Control-Allow-Origin" } }

const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` })

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` })

const unsafeMethods = new Set(["post", "put", "patch", "delete"])

/**
 * Adds `schema` as one more body a response of `status` may have, beside those the endpoint
 * declares (a 409 of the operation's own conflict and the key's 409 share one response).
 */
const addErrorBody = (
  responses: JsonRecord,
  status: string,
  schema: JsonRecord,
  description: string,
  headers: JsonRecord = {}
) => {
  const existing = responses[status]
  if (!isRecord(existing)) {
    responses[status] = {
      description,
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
      content: { "application/json": { schema } }
    }
    return
  }
  const content = isRecord(existing.content) ? existing.content : {}
  const media = isRecord(content["application/json"]) ? content["application/json"] : {}
  const current = media.schema
  const members: Array<unknown> = isRecord(current) && Array.isArray(current.anyOf) ? current.anyOf : [current]
  media.schema = { anyOf: [...members.filter((member) => member !== undefined), schema] }
  content["application/json"] = media
  existing.content = content
  // The added body's headers come with it only: the operation's own errors of this status lack them.
  const optional = Object.fromEntries(
    Object.entries(headers).map(([name]) => [
      name,
      {
        description: `Sent with ${String(schema.$ref).split("/").pop()}: seconds to wait before sending the request again`,
        required: false,
        schema: { type: "integer", format: "int32", minimum: 0, maximum: 2_147_483_647 }
      }
    ])
  )
  existing.headers = { ...(isRecord(existing.headers) ? existing.headers : {}), ...optional }
}

/** Unsafe operations take an `Idempotency-Key`, and may answer 400, 409 and 422 because of it. */
const idempotencyKey = (method: string, operation: JsonRecord) => {
  if (!unsafeMethods.has(method)) return
  const parameters: Array<unknown> = Array.isArray(operation.parameters) ? operation.parameters : []
  operation.parameters = [...parameters, { $ref: "#/components/parameters/Idempotency-Key" }]
  const responses = isRecord(operation.responses) ? operation.responses : {}
  operation.responses = responses
  if (responses["400"] === undefined) {
    addErrorBody(responses, "400", schemaRef("InvalidRequest"), "The request failed validation")
  }
  addErrorBody(
    responses,
    "409",
    schemaRef("IdempotencyKeyInProgress"),
    "A request with the same Idempotency-Key is still running",
    { "Retry-After": { $ref: "#/components/headers/Retry-After" } }
  )
  addErrorBody(
    responses,
    "422",
    schemaRef("IdempotencyKeyReused"),
    "The Idempotency-Key was already used for a different request"
  )
}

const answersJson = (response: unknown) =>
  isRecord(response) && isRecord(response.content) && response.content["application/json"] !== undefined

const takesIfMatch = (operation: JsonRecord) =>
  Array.isArray(operation.parameters) &&
  operation.parameters.some(
    (parameter) =>
      isRecord(parameter) && parameter.in === "header" && String(parameter.name).toLowerCase() === "if-match"
  )

/**
 * A read answering JSON carries an `ETag`, takes `If-None-Match` and may answer 304; an edit that
 * takes `If-Match` (a group, post or event) answers with the new version's `ETag`.
 */
const entityTags = (method: string, operation: JsonRecord) => {
  const responses = isRecord(operation.responses) ? operation.responses : {}
  const ok = responses["200"]
  if (!isRecord(ok) || !answersJson(ok)) return
  const read = method === "get"
  if (!read && !takesIfMatch(operation)) return
  ok.headers = { ...(isRecord(ok.headers) ? ok.headers : {}), ETag: { $ref: "#/components/headers/ETag" } }
  if (!read) return
  const parameters: Array<unknown> = Array.isArray(operation.parameters) ? operation.parameters : []
  operation.parameters = [...parameters, { $ref: "#/components/parameters/If-None-Match" }]
  // Inline, so that the CORS and rate-limit headers every answer carries are added to it as well.
  responses["304"] = {
    description: "The answer named in `If-None-Match` is still current: use the copy you have (no body is sent)",
    headers: { ETag: { $ref: "#/components/headers/ETag" } }
  }
}

/** An optional body is declared `[struct, null]` (see `OptionalBody.ts`): document it as not required. */
const optionalBody = (operation: JsonRecord) => {
  const body = operation.requestBody
  if (!isRecord(body) || !isRecord(body.content)) return
  for (const media of Object.values(body.content)) {
    if (!isRecord(media) || !isRecord(media.schema) || !Array.isArray(media.schema.anyOf)) continue
    const members: Array<unknown> = media.schema.anyOf
    const withoutNull = members.filter((member) => !(isRecord(member) && member.type === "null"))
    if (withoutNull.length === members.length) continue
    media.schema = withoutNull.length === 1 ? withoutNull[0] : { ...media.schema, anyOf: withoutNull }
    body.required = false
  }
}

const optionalSecurity = (operation: JsonRecord) => {
  const security = operation.security
  if (!Array.isArray(security)) return
  if (security.some((requirement) => isRecord(requirement) && optionalBearerScheme in requirement)) {
    operation.security = [{}, { bearer: [] }]
  }
}

const standardResponses = (operation: JsonRecord) => {
  const responses = isRecord(operation.responses) ? operation.responses : {}
  operation.responses = responses
  if (operation.requestBody !== undefined) {
    responses["413"] ??= responseRef("PayloadTooLarge")
    responses["415"] ??= responseRef("UnsupportedMediaType")
  }
  responses["500"] ??= responseRef("InternalServerError")
  const limited = responses["429"] !== undefined
  for (const [status, response] of Object.entries(responses)) {
    if (!isRecord(response) || response.$ref !== undefined) continue
    response.headers = {
      ...(isRecord(response.headers) ? response.headers : {}),
      ...corsHeaders,
      ...(limited ? rateLimitHeaders : {}),
      ...(status === "429" ? { "Retry-After": { $ref: "#/components/headers/Retry-After" } } : {})
    }
  }
}

/**
 * Schema tidy-up: identical `anyOf` members once (`NullOr` inside `optional` gives `null` twice),
 * a one-member `anyOf` replaced by its member, and integers given their format (every integer
 * Moim reads or writes fits in 32 bits).
 */
const tidy = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(tidy)
  if (!isRecord(node)) return node
  const out: JsonRecord = {}
  for (const [key, value] of Object.entries(node)) out[key] = tidy(value)
  if (Array.isArray(out.anyOf)) {
    const seen = new Set<string>()
    const members = out.anyOf.filter((member) => {
      const key = JSON.stringify(member)
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    const [only] = members
    if (members.length === 1 && isRecord(only)) {
      delete out.anyOf
      return { ...only, ...out }
    }
    out.anyOf = members
  }
  if (out.type === "integer" && out.format === undefined) out.format = "int32"
  return out
}

export const openApiContract = (spec: Record<string, unknown>): Record<string, unknown> => {
  const paths = isRecord(spec.paths) ? spec.paths : {}
  for (const item of Object.values(paths)) {
    if (!isRecord(item)) continue
    for (const method of methods) {
      const operation = item[method]
      if (!isRecord(operation)) continue
      optionalBody(operation)
      optionalSecurity(operation)
      idempotencyKey(method, operation)
      entityTags(method, operation)
      standardResponses(operation)
    }
  }
  const existing = isRecord(spec.components) ? spec.components : {}
  const schemes = isRecord(existing.securitySchemes) ? { ...existing.securitySchemes } : {}
  delete schemes[optionalBearerScheme]
  const document = tidy({
    ...spec,
    info: { ...(isRecord(spec.info) ? spec.info : {}), contact: { name: "The Moim project" }, license },
    servers: [
      {
        url: "/",
        description:
          "The server this document is served by, in whichever environment it runs (local, staging or production)",
        "x-internal": false
      }
    ],
    components: {
      ...existing,
      securitySchemes: schemes,
      schemas: { ...(isRecord(existing.schemas) ? existing.schemas : {}), ...components.schemas },
      responses: { ...(isRecord(existing.responses) ? existing.responses : {}), ...components.responses },
      parameters: { ...(isRecord(existing.parameters) ? existing.parameters : {}), ...components.parameters },
      headers: { ...(isRecord(existing.headers) ? existing.headers : {}), ...components.headers }
    }
  })
  return isRecord(document) ? document : spec
}
