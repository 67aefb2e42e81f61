import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

/** One part of a message: its headers (names lower-cased, unfolded, encoded words decoded) and its decoded body. */
export interface MimePart {
  readonly headers: ReadonlyMap<string, string>
  readonly body: string
}

/** A message read back from the outbox: its headers, and the text of each leaf part by media type. */
export interface Email {
  readonly headers: ReadonlyMap<string, string>
  readonly text: string | undefined
  readonly html: string | undefined
}

const decodeWords = (value: string) =>
  value.replace(/=\?utf-8\?([qb])\?([^?]*)\?=(\s+(?==\?utf-8\?))?/gi, (_, encoding: string, word: string) =>
    encoding.toLowerCase() === "b"
      ? Buffer.from(word, "base64").toString("utf8")
      : Buffer.from(
          word
            .replace(/_/g, " ")
            .replace(/=([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          "latin1"
        ).toString("utf8")
  )

const decodeBody = (body: string, encoding: string | undefined) => {
  switch (encoding?.toLowerCase()) {
    case "quoted-printable":
      return Buffer.from(
        body
          .replace(/=\n/g, "")
          .replace(/=([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        "latin1"
      ).toString("utf8")
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
    default:
      return body
  }
}

// A small MIME reader, enough to check what nodemailer wrote: unfolded headers, encoded words,
// quoted-printable and base64 bodies, and multipart bodies split on their boundary.
export const parseMime = (raw: string): MimePart => {
  const text = raw.replace(/\r\n/g, "\n")
  const end = text.indexOf("\n\n")
  const headers = new Map<string, string>()
  for (const line of text
    .slice(0, end)
    .replace(/\n[ \t]+/g, " ")
    .split("\n")) {
    const colon = line.indexOf(":")
    headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()))
  }
  return { headers, body: decodeBody(text.slice(end + 2), headers.get("content-transfer-encoding")) }
}

export const leafParts = (part: MimePart): ReadonlyArray<MimePart> => {
  const contentType = part.headers.get("content-type") ?? ""
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1]
  if (!contentType.startsWith("multipart/") || boundary === undefined) return [part]
  return part.body
    .split(`--${boundary}`)
    .slice(1, -1)
    .flatMap((chunk) => leafParts(parseMime(chunk.replace(/^\n/, ""))))
}

const bodyOf = (parts: ReadonlyArray<MimePart>, mediaType: string) =>
  parts.find((part) => part.headers.get("content-type")?.startsWith(mediaType))?.body

/** Every message in an outbox directory, oldest first. */
export const readOutbox = (directory: string): ReadonlyArray<Email> => {
  let names: ReadonlyArray<string> = []
  try {
    names = readdirSync(directory)
      .filter((name) => name.endsWith(".eml"))
      .sort()
  } catch {
    return []
  }
  return names.map((name) => {
    const message = parseMime(readFileSync(join(directory, name), "utf8"))
    const parts = leafParts(message)
    return { headers: message.headers, text: bodyOf(parts, "text/plain"), html: bodyOf(parts, "text/html") }
  })
}
