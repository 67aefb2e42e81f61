const suffix = "Encoded"
const refPrefix = "#/components/schemas/"

/**
 * HttpApi names the wire form of a class schema `<Name>Encoded`. Clients only ever see the wire
 * form, so the OpenAPI document (and the SDK types generated from it) use the plain `<Name>`
 * wherever that name is free.
 */
export const stableComponentNames = (spec: Record<string, unknown>): Record<string, unknown> => {
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
  if (renames.size === 0) return spec
  return JSON.parse(JSON.stringify(spec), (key, value: unknown) => {
    if (key === "$ref" && typeof value === "string" && value.startsWith(refPrefix)) {
      const renamed = renames.get(value.slice(refPrefix.length))
      return renamed === undefined ? value : `${refPrefix}${renamed}`
    }
    if (key === "schemas" && typeof value === "object" && value !== null && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([name, schema]) => [renames.get(name) ?? name, schema]))
    }
    return value
  })
}
