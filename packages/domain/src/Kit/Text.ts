import { Schema, SchemaTransformation } from "effect"

/**
 * Text Postgres can store as it was sent: no NUL character (Postgres refuses it in `text`) and no
 * unpaired UTF-16 surrogate (it cannot be encoded as UTF-8, so it would be stored altered).
 * Every string a client sends goes through this check, on REST and RPC alike; the OpenAPI document
 * shows it as a `pattern`.
 */
export const isStorableText = Schema.makeFilter((value: string) => !value.includes("\u0000") && value.isWellFormed(), {
  expected: "text without NUL characters or unpaired surrogates",
  toJsonSchema: () => ({ pattern: "^[^\\u0000]*$" })
})

const codePoints = (value: string) => {
  let count = 0
  for (const _ of value) count++
  return count
}

/**
 * A length in characters (Unicode code points), as JSON Schema counts `minLength` and `maxLength`,
 * so that what the document says and what the server checks agree for emoji and other characters
 * outside the Basic Multilingual Plane.
 */
export const isLengthBetween = (minLength: number, maxLength: number) =>
  Schema.makeFilter(
    (value: string) => {
      const length = value.length <= maxLength && value.length >= minLength * 2 ? value.length : codePoints(value)
      return length >= minLength && length <= maxLength
    },
    {
      expected: minLength === 0 ? `at most ${maxLength} characters` : `${minLength} to ${maxLength} characters`,
      toJsonSchema: () => (minLength === 0 ? { maxLength } : { minLength, maxLength })
    }
  )

export interface TextOptions {
  readonly maxLength: number
  readonly minLength?: number | undefined
  /** Documentation of the field (description, format, examples); it reaches the OpenAPI document. */
  readonly annotations?: Schema.Annotations.Documentation<string> | undefined
}

// Annotations go on the string itself, before its checks: annotating a checked schema annotates its
// last check, which the OpenAPI document then shows inside an `allOf`, or not at all.
const base = (options: TextOptions) =>
  options.annotations === undefined ? Schema.String : Schema.String.annotate(options.annotations)

/** Client text of `minLength` (default 0) to `maxLength` characters, stored as sent. */
export const Text = (options: TextOptions) =>
  base(options).check(isLengthBetween(options.minLength ?? 0, options.maxLength), isStorableText)

/** At least `minLength` characters once leading and trailing whitespace is removed. */
const hasTrimmedLength = (minLength: number) =>
  Schema.isPattern(minLength <= 1 ? /\S/u : new RegExp(`\\S[\\s\\S]{${minLength - 2},}\\S`, "u"), {
    expected: `at least ${minLength} characters besides leading and trailing spaces`
  })

/**
 * Client text stored trimmed, optionally lower-cased. Every check applies to the text as the client
 * sends it, so the checks appear in the OpenAPI document, and an RPC client may pass untrimmed or
 * capitalised text exactly as a REST client may: the server normalises both the same way.
 * `minLength` counts the characters left after trimming; `maxLength` the characters sent.
 */
export const TrimmedText = (options: TextOptions & { readonly lowerCase?: boolean; readonly pattern?: RegExp }) => {
  const minLength = options.minLength ?? 1
  const checks = [isLengthBetween(minLength, options.maxLength), isStorableText, hasTrimmedLength(minLength)] as const
  const encoded =
    options.pattern === undefined
      ? base(options).check(...checks)
      : base(options).check(...checks, Schema.isPattern(options.pattern))
  const normalise =
    options.lowerCase === true ? (value: string) => value.trim().toLowerCase() : (value: string) => value.trim()
  return encoded.pipe(
    Schema.decodeTo(Schema.String, SchemaTransformation.transform({ decode: normalise, encode: (value) => value }))
  )
}

/** Words to search for: 1 to 100 characters. */
export const SearchText = Text({ minLength: 1, maxLength: 100 })

/** A short free-text note from a client (a join message, a ban reason): up to 500 characters. */
export const NoteText = Text({ maxLength: 500 })

/** The `key` a finished upload was given, passed back to attach it. */
export const UploadKey = Text({ maxLength: 512 })
