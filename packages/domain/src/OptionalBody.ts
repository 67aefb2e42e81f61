import { Schema } from "effect"

/**
 * A request body the client may leave out: the struct, or nothing. Declared as the pair of payload
 * schemas `[struct, null]`, because HttpApi reads an empty body as JSON `null` only when `null` is one
 * of an endpoint's payloads. The handler sees the struct or `null`; the OpenAPI document marks the
 * body `required: false` with the struct's schema (see `OpenApiContract.ts`).
 */
export const OptionalBody = <S extends Schema.Top>(schema: S) => [schema, Schema.Null] as const
