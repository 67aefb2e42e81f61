import { hash } from "node:crypto"
import { versionedEntityTag } from "@moim/domain/Kit/ConditionalRequests"
import { type HttpServerRequest, HttpServerResponse } from "effect/http"

/** From this size a body's digest is kept while the body lives (the docs page, the OpenAPI document). */
const cachedFromBytes = 64 * 1024
const digests = new WeakMap<Uint8Array, string>()

/** 128 bits of SHA-1 over the body: a validator, not a signature (nothing secret depends on it). */
const digestOf = (body: Uint8Array): string => {
  if (body.byteLength < cachedFromBytes) return hash("sha1", body, "base64url").slice(0, 22)
  const known = digests.get(body)
  if (known !== undefined) return known
  const digest = hash("sha1", body, "base64url").slice(0, 22)
  digests.set(body, digest)
  return digest
}

const opaque = (tag: string) => tag.trim().replace(/^W\//, "")

/** `If-None-Match` (RFC 9110 §13.1.2): `*`, or a list of tags compared weakly (`W/` ignored). */
const noneMatch = (header: string, etag: string): boolean => {
  if (header.trim() === "*") return true
  const ours = opaque(etag)
  return header.split(",").some((tag) => opaque(tag) === ours)
}

/** Headers a 304 must repeat from the 200 it stands for (RFC 9110 §15.4.5), and those that describe no body. */
const bodyHeaders = new Set(["content-type", "content-length", "content-encoding"])

/**
 * Conditional requests on every answer that can be revalidated: a `200` with a body held in memory
 * (JSON, the docs page, the OpenAPI document) to a `GET` or `HEAD`, and the `200` of an edit of a
 * versioned resource. Its `ETag` is weak (the same tag stands for the compressed and plain forms):
 * `W/"<version>-<digest>"` where the resource has an edit version, so the tag read can be sent back
 * in `If-Match`, else `W/"<digest>"`. The digest covers the body because the body also says what
 * the version does not (counters, the viewer's own state, signed image URLs). A `GET` whose
 * `If-None-Match` names the tag gets `304 Not Modified` without the body. Without a
 * `Cache-Control` of its own, such an answer says `private, no-cache`: a browser may keep it for its
 * user, and asks each time whether it is still current.
 */
export const conditional = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse,
  version: number | undefined
): HttpServerResponse.HttpServerResponse => {
  const body = response.body
  const read = request.method === "GET" || request.method === "HEAD"
  if (
    response.status !== 200 ||
    body._tag !== "Uint8Array" ||
    (!read && version === undefined) ||
    response.headers.etag !== undefined ||
    response.headers["cache-control"]?.includes("no-store") === true
  ) {
    return response
  }
  const digest = digestOf(body.body)
  const etag = version === undefined ? `W/"${digest}"` : versionedEntityTag(version, digest)
  const cacheControl = response.headers["cache-control"] ?? "private, no-cache"
  const ifNoneMatch = request.headers["if-none-match"]
  if (read && ifNoneMatch !== undefined && noneMatch(ifNoneMatch, etag)) {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(response.headers)) {
      if (!bodyHeaders.has(name)) headers[name] = value
    }
    return HttpServerResponse.empty({ status: 304, headers: { ...headers, etag, "cache-control": cacheControl } })
  }
  return HttpServerResponse.setHeaders(response, { etag, "cache-control": cacheControl })
}
