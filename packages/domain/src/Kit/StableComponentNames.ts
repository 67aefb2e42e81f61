const suffix = "Encoded"
const refPrefix = "#/components/schemas/"

/**
 * HttpApi names the wire form of a class schema `<Name>Encoded`. Clients only ever see the wire
 * form, so the OpenAPI document (and the SDK types generated from it) use the plain `<Name>`
 * wherever that name is free.
 */
export const stableComponentNames = (input: Record<string, unknown>): Record<string, unknown> => {
  const spec = inlineJsonStrings(input)
  const components = spec.components
  if (typeof components !== "object" || components === null || !("schemas" in components)) return spec
  const schemas = components.schemas
  if (typeof schemas !== "object" || schemas === null) return spec
  const names = new Set(Object.keys(schemas))
  const renames = new Map<string, string>()
  for (const name of names) {
    const plain = name.slice(0, -suffix.length)
    if (name.endsWith(suffix) && plain.length > 0 && !names.has(plain)) renames.set(name, plain)
  }
  const renamed: Record<string, unknown> = JSON.parse(JSON.stringify(spec), (key, value: unknown) => {
    if (key === "$ref" && typeof value === "string" && value.startsWith(refPrefix)) {
      const renamed = renames.get(value.slice(refPrefix.length))
      return renamed === undefined ? value : `${refPrefix}${renamed}`
    }
    if (key === "schemas" && typeof value === "object" && value !== null && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([name, schema]) => [renames.get(name) ?? name, schema]))
    }
    return value
  })
  return describeComponents(renamed)
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * A class's description reaches the responses that return it but not its component schema; copy
 * it there, so every named type in the document (and the SDK's types) carries its description.
 */
const describeComponents = (spec: Record<string, unknown>): Record<string, unknown> => {
  const schemas = isRecord(spec.components) && isRecord(spec.components.schemas) ? spec.components.schemas : {}
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit)
      return
    }
    if (!isRecord(node)) return
    if (typeof node.description === "string" && isRecord(node.content)) {
      for (const media of Object.values(node.content)) {
        const schema = isRecord(media) && isRecord(media.schema) ? media.schema : {}
        // A response of several types describes them as "A | B | C", in the order of `anyOf`.
        const members = Array.isArray(schema.anyOf) ? schema.anyOf : [schema]
        const descriptions = members.length === 1 ? [node.description] : node.description.split(" | ")
        if (descriptions.length !== members.length) continue
        members.forEach((member, index) => {
          const ref = isRecord(member) ? member.$ref : undefined
          const target = typeof ref === "string" ? schemas[ref.slice(refPrefix.length)] : undefined
          if (isRecord(target) && target.description === undefined) target.description = descriptions[index]
        })
      }
    }
    Object.values(node).forEach(visit)
  }
  visit(spec.paths)
  return spec
}

/**
 * A JSON string carrying a named type (the `data` of an SSE event: `Schema.fromJsonString(X)`) is
 * named `<X>Encoded` by HttpApi beside `X` itself. It is no type of its own: inline it where it is
 * used, a `string` whose `contentSchema` is `X`.
 */
const inlineJsonStrings = (spec: Record<string, unknown>): Record<string, unknown> => {
  const schemas = isRecord(spec.components) && isRecord(spec.components.schemas) ? spec.components.schemas : {}
  const inlined = new Map<string, unknown>()
  for (const [name, schema] of Object.entries(schemas)) {
    if (name.endsWith(suffix) && isRecord(schema) && schema.type === "string" && "contentSchema" in schema) {
      inlined.set(`${refPrefix}${name}`, schema)
    }
  }
  if (inlined.size === 0) return spec
  const result: Record<string, unknown> = JSON.parse(JSON.stringify(spec), (key, value: unknown) => {
    if (isRecord(value) && typeof value.$ref === "string" && inlined.has(value.$ref)) return inlined.get(value.$ref)
    if (key === "schemas" && isRecord(value)) {
      return Object.fromEntries(Object.entries(value).filter(([name]) => !inlined.has(`${refPrefix}${name}`)))
    }
    return value
  })
  return result
}
