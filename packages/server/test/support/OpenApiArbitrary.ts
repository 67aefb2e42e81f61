import fc from "fast-check"

/**
 * fast-check arbitraries from the JSON Schemas of an OpenAPI document, for the property test over
 * every operation. `valid` aims at values the schema accepts (most are; a few may miss a pattern,
 * which only means the server answers 400); `invalid` makes values the schema refuses.
 */

export type JsonValue = null | boolean | number | string | ReadonlyArray<JsonValue> | { [key: string]: JsonValue }
export type Schema = { readonly [key: string]: unknown }

const isSchema = (value: unknown): value is Schema =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const numberOr = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback)

const patternsOf = (schema: Schema): ReadonlyArray<string> => {
  const own = typeof schema.pattern === "string" ? [schema.pattern] : []
  const nested = Array.isArray(schema.allOf)
    ? schema.allOf.flatMap((member) => (isSchema(member) && typeof member.pattern === "string" ? [member.pattern] : []))
    : []
  return [...own, ...nested]
}

const codePoints = (value: string) => [...value].length

/** Characters Postgres cannot store or JSON carries only as escapes: what the server must refuse cleanly. */
const hostileText = fc.constantFrom("a\u0000b", "\u0000", "half \ud800 pair", "\udfff", "x".repeat(5000))

export class OpenApiArbitraries {
  readonly #components: Schema

  constructor(document: Schema) {
    const components = isSchema(document.components) ? document.components : {}
    this.#components = isSchema(components.schemas) ? components.schemas : {}
  }

  resolve(schema: unknown): Schema {
    if (!isSchema(schema)) return {}
    const ref = schema.$ref
    if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
      return this.resolve(this.#components[ref.slice("#/components/schemas/".length)])
    }
    return schema
  }

  /** Values the schema accepts, near its limits as often as in the middle. */
  valid(input: unknown, depth = 0): fc.Arbitrary<JsonValue> {
    const schema = this.resolve(input)
    if (Array.isArray(schema.anyOf) && schema.anyOf.length > 0) {
      return fc.oneof(
        ...schema.anyOf.map((member) => this.valid({ ...schema, anyOf: undefined, ...this.resolve(member) }, depth))
      )
    }
    if (Array.isArray(schema.enum) && schema.enum.length > 0)
      return fc.constantFrom(...(schema.enum as Array<JsonValue>))
    if ("const" in schema) return fc.constant(schema.const as JsonValue)
    switch (schema.type) {
      case "null":
        return fc.constant(null)
      case "boolean":
        return fc.boolean()
      case "integer":
        return fc.integer({
          min: numberOr(schema.minimum, -1_000_000),
          max: numberOr(schema.maximum, 1_000_000)
        })
      case "number":
        return fc.double({ noNaN: true, noDefaultInfinity: true })
      case "string":
        return this.validString(schema)
      case "array":
        return depth > 4
          ? fc.constant([])
          : fc.array(this.valid(schema.items, depth + 1), { maxLength: Math.min(numberOr(schema.maxItems, 5), 5) })
      default:
        return this.validObject(schema, depth)
    }
  }

  validString(schema: Schema): fc.Arbitrary<string> {
    const minLength = numberOr(schema.minLength, 0)
    const maxLength = numberOr(schema.maxLength, 200)
    const fits = (value: string) => codePoints(value) >= minLength && codePoints(value) <= maxLength
    if (schema.format === "uuid") return fc.uuid()
    if (schema.format === "date-time") return fc.date({ noInvalidDate: true }).map((date) => date.toISOString())
    if (schema.format === "email") return fc.emailAddress().filter(fits)
    const specific = patternsOf(schema).filter((pattern) => pattern !== "^[^\\u0000]*$")
    const candidates: Array<fc.Arbitrary<string>> = [
      fc.string({ minLength, maxLength: Math.min(maxLength, 60) }),
      fc.string({ unit: "grapheme", minLength, maxLength: Math.min(maxLength, 30) }).filter(fits)
    ]
    const last = specific.at(-1)
    if (last !== undefined) {
      candidates.push(
        fc
          .stringMatching(new RegExp(last, "u"))
          .map((value) => [...value].slice(0, maxLength).join(""))
          .filter(fits)
      )
    }
    if (Array.isArray(schema.examples)) candidates.push(fc.constantFrom(...(schema.examples as Array<string>)))
    return fc.oneof(...candidates)
  }

  validObject(schema: Schema, depth: number): fc.Arbitrary<JsonValue> {
    const properties = isSchema(schema.properties) ? schema.properties : {}
    const required = Array.isArray(schema.required) ? schema.required.filter((key) => typeof key === "string") : []
    const model: Record<string, fc.Arbitrary<JsonValue>> = {}
    for (const [key, property] of Object.entries(properties)) model[key] = this.valid(property, depth + 1)
    return fc.record(model, { requiredKeys: required })
  }

  /** Values the schema refuses: the wrong type, one character too many, text that cannot be stored. */
  invalid(input: unknown): fc.Arbitrary<JsonValue> {
    const schema = this.resolve(input)
    const types = Array.isArray(schema.anyOf) ? schema.anyOf.map((member) => this.resolve(member).type) : [schema.type]
    const wrongTypes: Array<fc.Arbitrary<JsonValue>> = [
      ...(types.includes("string") ? [] : [fc.string({ maxLength: 10 })]),
      ...(types.includes("integer") || types.includes("number") ? [] : [fc.integer()]),
      ...(types.includes("object") || types.includes(undefined) ? [] : [fc.constant({ unexpected: true })]),
      ...(types.includes("null") ? [] : [fc.constant(null)])
    ]
    const stringSchemas = [schema, ...(Array.isArray(schema.anyOf) ? schema.anyOf : [])]
      .map((member) => this.resolve(member))
      .filter((member) => member.type === "string")
    const tooLong = stringSchemas.flatMap((member) =>
      typeof member.maxLength === "number" ? [fc.constant("a".repeat(member.maxLength + 1))] : []
    )
    const outOfRange =
      schema.type === "integer" && typeof schema.maximum === "number"
        ? [fc.constant(schema.maximum + 1), fc.constant(numberOr(schema.minimum, 0) - 1), fc.constant(1.5)]
        : []
    return fc.oneof(...wrongTypes, ...tooLong, ...outOfRange, ...(stringSchemas.length > 0 ? [hostileText] : []))
  }

  /** A body the schema refuses, built from a valid one: a field broken, a key added, a key missing. */
  invalidBody(input: unknown): fc.Arbitrary<JsonValue> {
    const schema = this.resolve(input)
    const properties = isSchema(schema.properties) ? Object.keys(schema.properties) : []
    const required = Array.isArray(schema.required) ? schema.required.filter((key) => typeof key === "string") : []
    const base = this.valid(schema).map((value) => (isSchema(value) ? { ...value } : {}))
    const variants: Array<fc.Arbitrary<JsonValue>> = [
      base.map((value) => ({ ...value, unexpectedKey: "surprise" })),
      this.invalid(schema),
      fc.jsonValue().map((value) => value as JsonValue)
    ]
    if (properties.length > 0) {
      variants.push(
        fc.tuple(base, fc.constantFrom(...properties)).chain(([value, key]) =>
          this.invalid(isSchema(schema.properties) ? schema.properties[key] : {}).map((bad) => ({
            ...value,
            [key]: bad
          }))
        )
      )
    }
    if (required.length > 0) {
      variants.push(
        fc.tuple(base, fc.constantFrom(...required)).map(([value, key]) => {
          const copy: Record<string, JsonValue> = { ...value }
          delete copy[key]
          return copy
        })
      )
    }
    return fc.oneof(...variants)
  }
}
