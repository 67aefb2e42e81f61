import { Schema } from "effect"
import { Text, TrimmedText } from "../Kit/Text.ts"

/** Trimmed, lower-cased email; one account per address, compared case-insensitively. */
export const Email = TrimmedText({
  maxLength: 254,
  lowerCase: true,
  pattern: /^\s*[^\s@]+@[^\s@]+\.[^\s@]+\s*$/u,
  annotations: { description: "Email address", format: "email", examples: ["ada@example.com"] }
})

/** NIST 800-63B: 10 to 128 characters, no composition rules. */
export const Password = Text({
  minLength: 10,
  maxLength: 128,
  annotations: { description: "10 to 128 characters; any characters, no composition rules", format: "password" }
})

/** A password as typed at sign-in: checked against the stored hash, so only its size is limited. */
export const PasswordAttempt = Text({ maxLength: 1024, annotations: { format: "password" } })

export const Nickname = TrimmedText({
  minLength: 2,
  maxLength: 40,
  annotations: { description: "Public display name, 2 to 40 characters" }
})

export const Bio = Text({ maxLength: 500, annotations: { description: "Up to 500 characters" } })

export const Interest = TrimmedText({
  maxLength: 40,
  pattern: /^\s*[\p{L}\p{N}][\p{L}\p{N} _-]*$/u,
  annotations: { description: "Letters, digits, spaces, _ or -; up to 40 characters" }
})

export const Interests = Schema.Array(Interest)
  .check(Schema.isMaxLength(20))
  .annotate({ annotations: { description: "Up to 20 interest tags (e.g. hiking, board games)" } })

export const DeviceName = TrimmedText({
  maxLength: 100,
  annotations: { description: "A name for this device, shown in the session list" }
})

/** An opaque token from an emailed link or a sign-in. */
export const OpaqueTokenText = Text({ maxLength: 512 })
