import { isJsonObject, type Json, type JsonObject } from "./OpenApiDocument.ts"

/** One difference between two versions of the OpenAPI document that a client can notice. */
export interface ApiChange {
  /** Breaking: code written against the old document may stop compiling or working. */
  readonly breaking: boolean
  /** Where, e.g. `POST /api/v1/auth/login request body .email`. */
  readonly where: string
  readonly message: string
}

/**
 * Which way values flow: clients send `input` (parameters, request bodies), so the new schema must
 * accept everything the old one did; they receive `output` (responses), so the new schema must
 * produce nothing the old one did not describe. Either way, removing a field or an enum value
 * breaks code that names it.
 */
type Direction = "input" | "output"

interface Alternative {
  readonly schema: JsonObject
  /** The `$ref` the schema was reached through, if any. */
  readonly ref: string | undefined
  readonly kind: string
}

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
const refPrefix = "#/components/schemas/"

const objectAt = (node: Json | undefined, key: string): JsonObject => {
  const value = isJsonObject(node) ? node[key] : undefined
  return isJsonObject(value) ? value : {}
}

const arrayAt = (node: Json | undefined, key: string): ReadonlyArray<Json> => {
  const value = isJsonObject(node) ? node[key] : undefined
  return Array.isArray(value) ? value : []
}

const numberAt = (node: JsonObject, key: string): number | undefined => {
  const value = node[key]
  return typeof value === "number" ? value : undefined
}

const show = (value: Json | undefined) => JSON.stringify(value)

/**
 * Compares two OpenAPI 3.1 documents operation by operation and lists every change a client can
 * notice, breaking or not: removed operations, parameters, fields and enum values; types narrowed
 * where clients send them or widened where they receive them; fields made required in requests or
 * optional in responses; new authentication. Additions that old clients can ignore are listed as
 * not breaking.
 */
export const compareDocuments = (before: JsonObject, after: JsonObject): ReadonlyArray<ApiChange> => {
  const changes: Array<ApiChange> = []
  const report = (breaking: boolean, where: string, message: string) => changes.push({ breaking, where, message })

  const resolve = (document: JsonObject, node: Json | undefined): { schema: JsonObject; ref: string | undefined } => {
    let current = node
    let ref: string | undefined
    for (let depth = 0; depth < 32 && isJsonObject(current) && typeof current.$ref === "string"; depth++) {
      ref = current.$ref
      current = ref.startsWith(refPrefix) ? objectAt(document.components, "schemas")[ref.slice(refPrefix.length)] : {}
    }
    return { schema: isJsonObject(current) ? current : {}, ref }
  }

  /** The alternatives of a union (or the schema itself), each with the `$ref` it was reached through. */
  const alternativesOf = (document: JsonObject, node: Json | undefined, via?: string): ReadonlyArray<Alternative> => {
    const { schema, ref } = resolve(document, node)
    const reachedVia = ref ?? via
    const union = schema.anyOf ?? schema.oneOf
    if (Array.isArray(union)) return union.flatMap((member) => alternativesOf(document, member, reachedVia))
    if (Array.isArray(schema.type)) {
      return schema.type.map((type) => ({
        schema: type === "null" ? { type } : { ...schema, type },
        ref: reachedVia,
        kind: kindOf(document, type === "null" ? { type } : { ...schema, type })
      }))
    }
    return [{ schema, ref: reachedVia, kind: kindOf(document, schema) }]
  }

  const kindOf = (document: JsonObject, schema: JsonObject): string => {
    const values = enumOf(schema)
    if (schema.type === "null" || values?.every((value) => value === null)) return "null"
    if (typeof schema.type === "string" && schema.type !== "object") return schema.type
    if (schema.type === "object" || isJsonObject(schema.properties) || isJsonObject(schema.additionalProperties)) {
      const tag = enumOf(resolve(document, objectAt(schema, "properties")._tag).schema)
      return tag?.length === 1 ? `object ${String(tag[0])}` : "object"
    }
    if (values !== undefined) return typeof values[0]
    return "any"
  }

  const enumOf = (schema: JsonObject): ReadonlyArray<Json> | undefined =>
    Array.isArray(schema.enum) ? schema.enum : "const" in schema ? [schema.const ?? null] : undefined

  const kindsMatch = (beforeKind: string, afterKind: string, direction: Direction) =>
    beforeKind === afterKind ||
    (direction === "input"
      ? afterKind === "any" || (beforeKind === "integer" && afterKind === "number")
      : beforeKind === "any" || (beforeKind === "number" && afterKind === "integer"))

  /** The alternative of `candidates` to compare `old` with: an identical one, else one alike in having an enum. */
  const counterpart = (old: Alternative, candidates: ReadonlyArray<Alternative>, direction: Direction) => {
    const matching = candidates.filter((candidate) => kindsMatch(old.kind, candidate.kind, direction))
    const same = (candidate: Alternative) => JSON.stringify(candidate.schema) === JSON.stringify(old.schema)
    const alike = (candidate: Alternative) =>
      (enumOf(candidate.schema) === undefined) === (enumOf(old.schema) === undefined)
    return matching.find(same) ?? matching.find(alike) ?? matching[0]
  }

  const compareSchemas = (
    beforeNode: Json | undefined,
    afterNode: Json | undefined,
    direction: Direction,
    where: string,
    seen: ReadonlySet<string>
  ): void => {
    const olds = alternativesOf(before, beforeNode)
    const news = alternativesOf(after, afterNode)
    for (const old of olds) {
      const match = counterpart(old, news, direction)
      if (match !== undefined) {
        // Recursive schemas (a thing with a parent thing) are compared once per pair of references.
        const pair = `${old.ref}|${match.ref}|${direction}`
        if (old.ref !== undefined && match.ref !== undefined && seen.has(pair)) continue
        const inside = old.ref !== undefined && match.ref !== undefined ? new Set([...seen, pair]) : seen
        compareAlternatives(old.schema, match.schema, direction, where, inside)
      } else if (direction === "input") {
        report(true, where, `type narrowed: no longer accepts ${old.kind}`)
      } else if (old.kind.startsWith("object ")) {
        report(true, where, `no longer returns ${old.kind.slice("object ".length)}`)
      } else {
        report(false, where, `no longer returns ${old.kind}`)
      }
    }
    if (direction === "output") {
      for (const added of news) {
        if (!olds.some((old) => kindsMatch(old.kind, added.kind, direction))) {
          report(true, where, `type widened: may now return ${added.kind}`)
        }
      }
    }
  }

  const compareAlternatives = (
    old: JsonObject,
    next: JsonObject,
    direction: Direction,
    where: string,
    seen: ReadonlySet<string>
  ): void => {
    const oldValues = enumOf(old)
    const newValues = enumOf(next)
    if (oldValues !== undefined && newValues !== undefined) {
      for (const value of oldValues) {
        if (!newValues.includes(value)) report(true, where, `enum value ${show(value)} removed`)
      }
      for (const value of newValues) {
        if (!oldValues.includes(value)) report(false, where, `enum value ${show(value)} added`)
      }
    } else if (oldValues !== undefined && direction === "output") {
      report(true, where, `type widened: was one of ${show(oldValues)}, now any ${kindOf(after, next)}`)
    } else if (newValues !== undefined && direction === "input") {
      report(true, where, `type narrowed: now only ${show(newValues)}`)
    }

    if (direction === "input") compareBounds(old, next, where)

    if (old.items !== undefined || next.items !== undefined) {
      compareSchemas(old.items, next.items, direction, `${where}[]`, seen)
    }
    if (isJsonObject(old.properties) || isJsonObject(next.properties)) compareObjects(old, next, direction, where, seen)
    if (isJsonObject(old.additionalProperties) && isJsonObject(next.additionalProperties)) {
      compareSchemas(old.additionalProperties, next.additionalProperties, direction, `${where}{}`, seen)
    } else if (
      direction === "input" &&
      old.type === "object" &&
      old.additionalProperties !== false &&
      next.additionalProperties === false
    ) {
      report(true, where, "no longer accepts fields it does not declare")
    }
  }

  const compareBounds = (old: JsonObject, next: JsonObject, where: string) => {
    const lower = [
      ["minimum", "minimum"],
      ["exclusiveMinimum", "exclusive minimum"],
      ["minLength", "minimum length"],
      ["minItems", "minimum item count"]
    ] as const
    const upper = [
      ["maximum", "maximum"],
      ["exclusiveMaximum", "exclusive maximum"],
      ["maxLength", "maximum length"],
      ["maxItems", "maximum item count"]
    ] as const
    for (const [key, label] of lower) {
      const was = numberAt(old, key)
      const now = numberAt(next, key)
      if (now !== undefined && (was === undefined || now > was)) {
        report(true, where, `type narrowed: ${label} raised from ${was ?? "none"} to ${now}`)
      }
    }
    for (const [key, label] of upper) {
      const was = numberAt(old, key)
      const now = numberAt(next, key)
      if (now !== undefined && (was === undefined || now < was)) {
        report(true, where, `type narrowed: ${label} lowered from ${was ?? "none"} to ${now}`)
      }
    }
    for (const key of ["pattern", "format"] as const) {
      if (next[key] !== undefined && next[key] !== old[key]) {
        report(true, where, `type narrowed: ${key} ${old[key] === undefined ? "added" : "changed"}: ${show(next[key])}`)
      }
    }
  }

  const compareObjects = (
    old: JsonObject,
    next: JsonObject,
    direction: Direction,
    where: string,
    seen: ReadonlySet<string>
  ) => {
    const oldProperties = objectAt(old, "properties")
    const newProperties = objectAt(next, "properties")
    const oldRequired = new Set(arrayAt(old, "required"))
    const newRequired = new Set(arrayAt(next, "required"))
    for (const [name, schema] of Object.entries(oldProperties)) {
      const field = `${where}.${name}`
      if (!(name in newProperties)) {
        report(true, field, "field removed")
        continue
      }
      if (direction === "input" && !oldRequired.has(name) && newRequired.has(name)) {
        report(true, field, "field made required")
      }
      if (direction === "output" && oldRequired.has(name) && !newRequired.has(name)) {
        report(true, field, "field made optional: responses may now leave it out")
      }
      compareSchemas(schema, newProperties[name], direction, field, seen)
    }
    for (const name of Object.keys(newProperties)) {
      if (name in oldProperties) continue
      const required = newRequired.has(name)
      report(direction === "input" && required, `${where}.${name}`, `${required ? "required" : "optional"} field added`)
    }
  }

  const tagged = (document: JsonObject, response: Json | undefined) => {
    const schema = objectAt(objectAt(objectAt(response, "content"), "application/json"), "schema")
    const byTag = new Map<string, JsonObject>()
    for (const alternative of alternativesOf(document, schema)) {
      if (alternative.kind.startsWith("object "))
        byTag.set(alternative.kind.slice("object ".length), alternative.schema)
    }
    return byTag
  }

  const operationsOf = (document: JsonObject) => {
    const operations = new Map<string, JsonObject>()
    for (const [path, item] of Object.entries(objectAt(document, "paths"))) {
      for (const method of methods) {
        const operation = objectAt(item, method)
        if (Object.keys(operation).length > 0) operations.set(`${method.toUpperCase()} ${path}`, operation)
      }
    }
    return operations
  }

  const schemesOf = (operation: JsonObject) =>
    new Set(
      arrayAt(operation, "security").flatMap((requirement) => Object.keys(isJsonObject(requirement) ? requirement : {}))
    )

  const oldOperations = operationsOf(before)
  const newOperations = operationsOf(after)
  for (const [key, old] of oldOperations) {
    const next = newOperations.get(key)
    if (next === undefined) {
      report(true, key, `operation ${show(old.operationId)} removed`)
      continue
    }
    if (old.operationId !== next.operationId) {
      report(true, key, `operationId changed from ${show(old.operationId)} to ${show(next.operationId)}`)
    }
    const oldSchemes = schemesOf(old)
    const newSchemes = [...schemesOf(next)]
    if (newSchemes.length > 0 && newSchemes.some((scheme) => !oldSchemes.has(scheme))) {
      report(true, key, `now requires authentication (${newSchemes.join(" or ")})`)
    }

    // A parameter shared by many operations (`Idempotency-Key`) is a `$ref` into `components.parameters`.
    const parameters = (operation: JsonObject, document: JsonObject) =>
      new Map(
        arrayAt(operation, "parameters").flatMap((reference) => {
          const parameter =
            isJsonObject(reference) && typeof reference.$ref === "string"
              ? objectAt(document.components, "parameters")[reference.$ref.split("/").pop() ?? ""]
              : reference
          return isJsonObject(parameter)
            ? [[`${String(parameter.in)} parameter ${String(parameter.name)}`, parameter] as const]
            : []
        })
      )
    const oldParameters = parameters(old, before)
    const newParameters = parameters(next, after)
    for (const [name, parameter] of oldParameters) {
      const replacement = newParameters.get(name)
      if (replacement === undefined) {
        report(true, `${key} ${name}`, "parameter removed")
        continue
      }
      if (parameter.required !== true && replacement.required === true) {
        report(true, `${key} ${name}`, "parameter made required")
      }
      compareSchemas(parameter.schema, replacement.schema, "input", `${key} ${name}`, new Set())
    }
    for (const [name, parameter] of newParameters) {
      if (oldParameters.has(name)) continue
      const required = parameter.required === true
      report(required, `${key} ${name}`, `${required ? "required" : "optional"} parameter added`)
    }

    const oldBody = objectAt(old, "requestBody")
    const newBody = objectAt(next, "requestBody")
    const oldMedia = objectAt(oldBody, "content")
    const newMedia = objectAt(newBody, "content")
    if (Object.keys(oldMedia).length === 0 && Object.keys(newMedia).length > 0 && newBody.required === true) {
      report(true, `${key} request body`, "request body now required")
    } else if (oldBody.required !== true && newBody.required === true && Object.keys(oldMedia).length > 0) {
      report(true, `${key} request body`, "request body made required")
    }
    for (const [mediaType, media] of Object.entries(oldMedia)) {
      const replacement = newMedia[mediaType]
      if (replacement === undefined) {
        report(true, `${key} request body`, `${mediaType} no longer accepted`)
        continue
      }
      compareSchemas(
        objectAt(media, "schema"),
        objectAt(replacement, "schema"),
        "input",
        `${key} request body`,
        new Set()
      )
    }

    const oldResponses = objectAt(old, "responses")
    const newResponses = objectAt(next, "responses")
    for (const [status, response] of Object.entries(oldResponses)) {
      const where = `${key} ${status}`
      const replacement = newResponses[status]
      if (replacement === undefined) {
        report(true, where, "response removed")
        continue
      }
      if (status.startsWith("2")) {
        for (const [mediaType, media] of Object.entries(objectAt(response, "content"))) {
          const newMedia = objectAt(replacement, "content")[mediaType]
          if (newMedia === undefined) report(true, where, `${mediaType} no longer returned`)
          else compareSchemas(objectAt(media, "schema"), objectAt(newMedia, "schema"), "output", where, new Set())
        }
        continue
      }
      const oldErrors = tagged(before, response)
      const newErrors = tagged(after, replacement)
      for (const [tag, schema] of oldErrors) {
        const newSchema = newErrors.get(tag)
        if (newSchema === undefined) report(true, where, `error ${tag} removed`)
        else compareAlternatives(schema, newSchema, "output", `${where} ${tag}`, new Set())
      }
      for (const tag of newErrors.keys()) {
        if (!oldErrors.has(tag)) report(false, where, `error ${tag} added`)
      }
    }
    for (const status of Object.keys(newResponses)) {
      if (status in oldResponses) continue
      const tags = [...tagged(after, newResponses[status]).keys()]
      report(false, `${key} ${status}`, `response added${tags.length > 0 ? `: ${tags.join(", ")}` : ""}`)
    }
  }
  for (const [key, operation] of newOperations) {
    if (!oldOperations.has(key)) report(false, key, `operation ${show(operation.operationId)} added`)
  }
  return changes
}
