import { Schema } from "effect"

export interface IntegerQueryParameter {
  readonly minimum: number
  readonly maximum: number
  readonly description: string
}

/** An integer query parameter: checked with these bounds, and typed with them in OpenAPI. */
export const integerQuery = (parameter: IntegerQueryParameter) =>
  Schema.optional(
    Schema.Int.check(Schema.isBetween({ minimum: parameter.minimum, maximum: parameter.maximum })).annotate({
      description: parameter.description
    })
  )

export const pageLimit: IntegerQueryParameter = {
  minimum: 1,
  maximum: 100,
  description: "Items per page (1–100, default 20)"
}

export const failedLimit: IntegerQueryParameter = {
  minimum: 1,
  maximum: 200,
  description: "How many recent failed jobs to list (1–200, default 50)"
}

const byName: Record<string, IntegerQueryParameter> = { limit: pageLimit, failedLimit }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * HttpApi documents an integer query parameter as the string its codec parses, without its bounds
 * or description, so generated clients would make integrators pass `"20"`. Query strings are text
 * either way; OpenAPI's `type: integer` says which text, and lets clients pass numbers.
 */
export const typeIntegerQueryParameters = (spec: Record<string, unknown>): Record<string, unknown> => {
  const paths = isRecord(spec.paths) ? spec.paths : {}
  for (const item of Object.values(paths)) {
    if (!isRecord(item)) continue
    for (const operation of Object.values(item)) {
      const parameters = isRecord(operation) && Array.isArray(operation.parameters) ? operation.parameters : []
      for (const parameter of parameters) {
        if (!isRecord(parameter) || parameter.in !== "query" || typeof parameter.name !== "string") continue
        const known = byName[parameter.name]
        if (known === undefined || !isRecord(parameter.schema) || parameter.schema.type !== "string") continue
        parameter.schema = {
          type: "integer",
          minimum: known.minimum,
          maximum: known.maximum,
          description: known.description
        }
      }
    }
  }
  return spec
}
