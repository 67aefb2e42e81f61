import { Schema, SchemaTransformation } from "effect"

/**
 * An instant in UTC, carried as an ISO-8601 string on the wire (`format: date-time` in OpenAPI so
 * generated SDK types and the docs page say what it is) and as `DateTime.Utc` in code.
 */
export const Timestamp = Schema.String.annotate({
  format: "date-time",
  description: "ISO-8601 timestamp in UTC",
  examples: ["2026-01-01T12:00:00.000Z"]
}).pipe(Schema.decodeTo(Schema.DateTimeUtc, SchemaTransformation.dateTimeUtcFromString))
