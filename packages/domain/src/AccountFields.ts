import { Schema, SchemaTransformation } from "effect"

/** Trimmed, lower-cased email; one account per address, compared case-insensitively. */
export const Email = Schema.String.pipe(
  Schema.decodeTo(
    Schema.String,
    SchemaTransformation.transform({ decode: (value) => value.trim().toLowerCase(), encode: (value) => value })
  ),
  Schema.check(
    Schema.isMaxLength(254),
    Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { expected: "an email address" })
  )
).annotate({ description: "Email address", format: "email", examples: ["ada@example.com"] })

/** NIST 800-63B: 10 to 128 characters, no composition rules. */
export const Password = Schema.String.check(
  Schema.makeFilter((value: string) => {
    const length = [...value].length
    return (length >= 10 && length <= 128) || "a password of 10 to 128 characters"
  })
).annotate({ description: "10 to 128 characters; any characters, no composition rules", format: "password" })

export const Nickname = Schema.String.pipe(
  Schema.decodeTo(Schema.String, SchemaTransformation.trim()),
  Schema.check(Schema.isMinLength(2), Schema.isMaxLength(40))
).annotate({ description: "Public display name, 2 to 40 characters" })

export const Bio = Schema.String.check(Schema.isMaxLength(500)).annotate({ description: "Up to 500 characters" })

export const Interest = Schema.String.check(
  Schema.isMinLength(1),
  Schema.isMaxLength(40),
  Schema.isPattern(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, { expected: "letters, digits, spaces, _ or -" })
)

export const Interests = Schema.Array(Interest)
  .check(Schema.isMaxLength(20))
  .annotate({ description: "Up to 20 interest tags (e.g. hiking, board games)" })

export const DeviceName = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(100)).annotate({
  description: "A name for this device, shown in the session list"
})
