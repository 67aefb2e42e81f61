import { isJsonObject, type Json, type JsonObject } from "./OpenApiDocument.ts"

/** What the SDK's runtime needs to know about one operation (its types come from openapi-typescript). */
export interface OperationEntry {
  readonly method: string
  readonly path: string
  /** Names of the security schemes the operation accepts. */
  readonly security: ReadonlyArray<string>
  /** The `_tag`s of the errors the operation declares, by HTTP status. */
  readonly errors: Readonly<Record<string, ReadonlyArray<string>>>
  /** Answers `{ items, nextCursor }` and takes `?cursor=`. */
  readonly paginated: boolean
  /** Answers a token pair (`accessToken` and `refreshToken`), which the SDK stores. */
  readonly issuesSession: boolean
  /** Answers Server-Sent Events: the client opens a stream instead of awaiting one body. */
  readonly events: boolean
}

export interface OperationTable {
  readonly operations: Readonly<Record<string, OperationEntry>>
  readonly securitySchemes: ReadonlyArray<string>
  /** The scheme of the signed-in user's access token: the one guarding `me.get`. */
  readonly sessionScheme: string | null
}

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

/** Names the client object itself uses; a group of the same name would hide them. */
export const reservedGroupNames = new Set(["raw", "session", "then", "constructor", "prototype", "__proto__"])

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/

const refPrefix = "#/components/schemas/"

const resolve = (document: JsonObject, node: Json | undefined, seen: Set<string> = new Set()): JsonObject => {
  if (!isJsonObject(node)) return {}
  const ref = node.$ref
  if (typeof ref !== "string") return node
  if (!ref.startsWith(refPrefix) || seen.has(ref)) return {}
  const components = document.components
  const schemas = isJsonObject(components) ? components.schemas : undefined
  const target = isJsonObject(schemas) ? schemas[ref.slice(refPrefix.length)] : undefined
  return resolve(document, target, new Set([...seen, ref]))
}

const alternatives = (document: JsonObject, node: Json | undefined): ReadonlyArray<JsonObject> => {
  const schema = resolve(document, node)
  const union = schema.anyOf ?? schema.oneOf
  return Array.isArray(union) ? union.flatMap((member) => alternatives(document, member)) : [schema]
}

const tagsOf = (document: JsonObject, node: Json | undefined): ReadonlyArray<string> =>
  alternatives(document, node).flatMap((schema) => {
    const properties = schema.properties
    const tag = isJsonObject(properties) ? resolve(document, properties._tag) : {}
    const values = Array.isArray(tag.enum) ? tag.enum : tag.const === undefined ? [] : [tag.const]
    return values.filter((value): value is string => typeof value === "string")
  })

const jsonSchemaOf = (response: Json | undefined): Json | undefined => {
  const content = isJsonObject(response) ? response.content : undefined
  const media = isJsonObject(content) ? content["application/json"] : undefined
  return isJsonObject(media) ? media.schema : undefined
}

const propertiesOf = (document: JsonObject, node: Json | undefined): JsonObject => {
  const properties = resolve(document, node).properties
  return isJsonObject(properties) ? properties : {}
}

const securityOf = (operation: JsonObject): ReadonlyArray<string> => {
  const requirements = Array.isArray(operation.security) ? operation.security : []
  return [
    ...new Set(requirements.flatMap((requirement) => (isJsonObject(requirement) ? Object.keys(requirement) : [])))
  ]
}

/**
 * Reads every operation of the document into the table the SDK's runtime uses. Fails on an
 * operationId the client could not turn into `client.<group>.<method>`.
 */
export const makeOperationTable = (document: JsonObject): OperationTable => {
  const operations: Record<string, OperationEntry> = {}
  const paths = isJsonObject(document.paths) ? document.paths : {}
  for (const [path, item] of Object.entries(paths)) {
    if (!isJsonObject(item)) continue
    for (const method of methods) {
      const operation = item[method]
      if (!isJsonObject(operation)) continue
      const id = operation.operationId
      if (typeof id !== "string") throw new Error(`${method.toUpperCase()} ${path} has no operationId`)
      const parts = id.split(".")
      const [group, name] = parts
      if (parts.length !== 2 || group === undefined || name === undefined) {
        throw new Error(`operationId "${id}" is not "<group>.<name>"`)
      }
      if (!identifier.test(group) || !identifier.test(name)) {
        throw new Error(`operationId "${id}" is not made of two JavaScript identifiers`)
      }
      if (reservedGroupNames.has(group)) throw new Error(`operationId "${id}": the client reserves "${group}"`)
      if (Object.hasOwn(operations, id)) throw new Error(`operationId "${id}" is used twice`)

      const responses = isJsonObject(operation.responses) ? operation.responses : {}
      const errors: Record<string, ReadonlyArray<string>> = {}
      let success: Json | undefined
      let events = false
      for (const [status, response] of Object.entries(responses)) {
        if (status.startsWith("2")) {
          success ??= jsonSchemaOf(response)
          const content = isJsonObject(response) ? response.content : undefined
          events ||= isJsonObject(content) && "text/event-stream" in content
          continue
        }
        const tags = tagsOf(document, jsonSchemaOf(response))
        if (tags.length > 0) errors[status] = tags
      }
      const parameters = Array.isArray(operation.parameters) ? operation.parameters : []
      const takesCursor = parameters.some(
        (parameter) => isJsonObject(parameter) && parameter.in === "query" && parameter.name === "cursor"
      )
      const successProperties = propertiesOf(document, success)
      const items = resolve(document, successProperties.items)
      operations[id] = {
        method,
        path,
        security: securityOf(operation),
        errors,
        paginated: takesCursor && items.type === "array" && "nextCursor" in successProperties,
        // A union answers a session in one of its members (sign-in: the session, or a second-factor challenge).
        issuesSession: alternatives(document, success).some((member) => {
          const required = Array.isArray(member.required) ? member.required : []
          return required.includes("accessToken") && required.includes("refreshToken")
        }),
        events
      }
    }
  }
  const components = isJsonObject(document.components) ? document.components : {}
  const schemes = isJsonObject(components.securitySchemes) ? Object.keys(components.securitySchemes) : []
  const me = operations["me.get"]
  return { operations, securitySchemes: schemes, sessionScheme: me?.security[0] ?? null }
}

/** The TypeScript module `src/generated/operations.ts`. */
export const renderOperationTable = (table: OperationTable): string =>
  [
    "/**",
    " * Generated by `npm run generate` from the domain's `Api`: do not edit.",
    " * How the SDK calls each operation; the request and response types are in `schema.ts`.",
    " */",
    "",
    "export const operations = {",
    ...Object.entries(table.operations).map(([id, entry]) => `  ${JSON.stringify(id)}: ${JSON.stringify(entry)},`),
    "} as const",
    "",
    `export const securitySchemes = ${JSON.stringify(table.securitySchemes)} as const`,
    "",
    "/** The scheme of the signed-in user's access token. */",
    `export const sessionScheme = ${JSON.stringify(table.sessionScheme)}`,
    ""
  ].join("\n")
