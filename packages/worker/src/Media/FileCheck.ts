import type { FileContentType } from "@moim/domain/Media/Media"
import { Effect, Schema, Semaphore } from "effect"
import { fileTypeFromBuffer } from "file-type"

/** Why an upload is not a file this server takes; shown to its owner as the file's `failure`. */
export class FileRefused extends Schema.TaggedError<FileRefused>()("FileRefused", { reason: Schema.String }) {}

type Family = "pdf" | "text" | "zip" | "mp3" | "mp4" | "webm"

/** Which family each accepted type is of: the bytes must be of the declared type's family. */
const families: Readonly<Record<FileContentType, Family>> = {
  "application/pdf": "pdf",
  "text/plain": "text",
  "text/csv": "text",
  "text/markdown": "text",
  // OOXML and OpenDocument files are ZIP archives: one declared as any of them may be any of them.
  "application/zip": "zip",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "zip",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "zip",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "zip",
  "application/vnd.oasis.opendocument.text": "zip",
  "application/vnd.oasis.opendocument.spreadsheet": "zip",
  "application/vnd.oasis.opendocument.presentation": "zip",
  "audio/mpeg": "mp3",
  // An MP4 file holds audio, video or both, whatever its brand says.
  "audio/mp4": "mp4",
  "video/mp4": "mp4",
  "video/webm": "webm"
}

/** What `file-type` may find in the bytes, as the accepted type it is served as. */
const recognised: Readonly<Record<string, FileContentType>> = {
  "application/pdf": "application/pdf",
  "application/zip": "application/zip",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation":
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.oasis.opendocument.text": "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet": "application/vnd.oasis.opendocument.spreadsheet",
  "application/vnd.oasis.opendocument.presentation": "application/vnd.oasis.opendocument.presentation",
  "audio/mpeg": "audio/mpeg",
  "audio/mp4": "audio/mp4",
  "audio/x-m4a": "audio/mp4",
  "video/mp4": "video/mp4",
  "video/webm": "video/webm",
  "audio/webm": "video/webm"
}

const isFamilyType = (value: string): value is FileContentType => Object.hasOwn(families, value)

/**
 * How a browser sniffing the bytes would take them for HTML or XML (the WHATWG MIME sniffing
 * patterns, after leading whitespace), and SVG: refused as text, whatever was declared.
 */
const markupTags = [
  "!doctype html",
  "html",
  "head",
  "script",
  "iframe",
  "h1",
  "div",
  "font",
  "table",
  "a",
  "style",
  "title",
  "b",
  "body",
  "br",
  "p",
  "svg"
]

const looksLikeMarkup = (text: string) => {
  const start = text
    .replace(/^\uFEFF/, "")
    .trimStart()
    .slice(0, 32)
    .toLowerCase()
  if (start.startsWith("<!--") || start.startsWith("<?xml")) return true
  return markupTags.some((tag) => {
    if (!start.startsWith(`<${tag}`)) return false
    const after = start.charAt(tag.length + 1)
    return after === " " || after === ">" || after === "\t" || after === "\n" || after === "\r" || after === "/"
  })
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

// A file is held whole while it is checked (up to 100 MiB): at most two at once in this process.
const checking = Semaphore.makeUnsafe(2)

const refuse = (reason: string) => new FileRefused({ reason })

const checkText = (bytes: Uint8Array, declared: FileContentType) =>
  Effect.gen(function* () {
    if (bytes.includes(0)) return yield* refuse(`The file is not ${declared} text: it holds NUL bytes`)
    const text = yield* Effect.try({
      try: () => utf8.decode(bytes),
      catch: () => refuse(`The file is not ${declared} text: it is not valid UTF-8`)
    })
    const sniffed = yield* Effect.promise(() => fileTypeFromBuffer(bytes))
    if (sniffed !== undefined) {
      return yield* refuse(`The file is not ${declared} text (it is ${sniffed.mime})`)
    }
    if (looksLikeMarkup(text)) {
      return yield* refuse(`The file is not ${declared} text: it is HTML, XML or SVG, which are not accepted`)
    }
    if (text.replace(/^\uFEFF/, "").startsWith("#!")) {
      return yield* refuse(`The file is not ${declared} text: it is a script (#!), which is not accepted`)
    }
    return declared
  })

const checkBinary = (bytes: Uint8Array, declared: FileContentType) =>
  Effect.gen(function* () {
    const sniffed = yield* Effect.promise(() => fileTypeFromBuffer(bytes))
    if (sniffed === undefined) {
      return yield* refuse(`The file is not ${declared}: its type could not be recognised from its bytes`)
    }
    const found = recognised[sniffed.mime]
    if (found === undefined) {
      return yield* refuse(`The file is not ${declared} (it is ${sniffed.mime}, which is not accepted)`)
    }
    if (families[found] !== families[declared]) {
      return yield* refuse(`The file was declared ${declared}, but it is ${sniffed.mime}`)
    }
    return found
  })

/**
 * Checks a file (not a photo) by its bytes, never by its name or the declared type alone: the type
 * `file-type` reads from the magic numbers must be an accepted one of the declared type's family
 * (a PDF declared as a PDF, any OOXML, OpenDocument or ZIP archive as one of those, MP4 audio or
 * video as MP4). Text types have no magic number: the bytes must be UTF-8 without NUL, not anything
 * `file-type` recognises, not HTML, XML or SVG, and not a `#!` script. Answers the type the file is
 * served as; executables and markup are refused whatever they were declared as.
 */
export const FileCheck = {
  check: Effect.fn("FileCheck.check")(function* (bytes: Uint8Array, declaredType: string) {
    if (!isFamilyType(declaredType)) {
      return yield* refuse(`The declared type ${declaredType} is not one of the accepted file types`)
    }
    return families[declaredType] === "text"
      ? yield* checkText(bytes, declaredType)
      : yield* checkBinary(bytes, declaredType)
  }, checking.withPermits(1))
}
