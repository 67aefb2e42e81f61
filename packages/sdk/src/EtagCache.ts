/** Conditional GETs: what `createMoimClient({ cache })` keeps. */
export interface CacheOptions {
  /** How many answers are kept, the least recently used dropped first (default 100). */
  readonly maxEntries?: number | undefined
}

interface Entry {
  readonly etag: string
  readonly body: ArrayBuffer
  readonly status: number
  readonly headers: Array<[string, string]>
}

/**
 * Wraps `fetch` with a client-side cache of `GET` answers that carry an `ETag`: a repeat sends
 * `If-None-Match`, and a `304 Not Modified` is answered from the copy kept, as a `200` with the
 * copy's body and headers (plus `x-moim-cache: revalidated`), so a caller sees no difference but
 * the bytes not sent. Entries are per URL and `Authorization` (one user's copy is never another's),
 * in memory, for as long as the client lives. A request that sets `If-None-Match` itself is passed
 * through untouched.
 */
export const withEtagCache = (
  fetch: (request: Request) => Promise<Response>,
  options: CacheOptions = {}
): ((request: Request) => Promise<Response>) => {
  const maxEntries = Math.max(1, options.maxEntries ?? 100)
  const entries = new Map<string, Entry>()
  return async (request) => {
    if (request.method !== "GET" || request.headers.has("if-none-match")) return fetch(request)
    const key = `${request.headers.get("authorization") ?? ""}\n${request.url}`
    const kept = entries.get(key)
    const sent =
      kept === undefined
        ? request
        : new Request(request, { headers: withHeader(request.headers, "if-none-match", kept.etag) })
    const response = await fetch(sent)
    if (response.status === 304 && kept !== undefined) {
      // Most recently used last: the first entry is the one to drop.
      entries.delete(key)
      entries.set(key, kept)
      await response.body?.cancel().catch(() => undefined)
      const headers = new Headers(kept.headers)
      headers.set("x-moim-cache", "revalidated")
      return new Response(kept.body.slice(0), { status: kept.status, headers })
    }
    const etag = response.headers.get("etag")
    entries.delete(key)
    if (response.status !== 200 || etag === null) return response
    entries.set(key, {
      etag,
      body: await response.clone().arrayBuffer(),
      status: response.status,
      // The body kept is decoded: the headers that described the bytes on the wire do not apply.
      headers: [...response.headers].filter(([name]) => !wireHeaders.has(name))
    })
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break
      entries.delete(oldest)
    }
    return response
  }
}

const wireHeaders = new Set(["content-encoding", "content-length", "transfer-encoding"])

const withHeader = (headers: Headers, name: string, value: string): Headers => {
  const copy = new Headers(headers)
  copy.set(name, value)
  return copy
}
