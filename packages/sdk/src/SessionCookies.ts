const csrfResponseHeader = "moim-csrf-token"
const csrfCookie = "moim_csrf"

/** `document.cookie` where there is a document (a browser page); undefined elsewhere. */
const documentCookie = (): string | undefined => {
  const document: unknown = Reflect.get(globalThis, "document")
  if (typeof document !== "object" || document === null || !("cookie" in document)) return undefined
  return typeof document.cookie === "string" ? document.cookie : undefined
}

const readCookie = (cookies: string, name: string): string | undefined => {
  for (const part of cookies.split(";")) {
    const [key = "", ...value] = part.trim().split("=")
    if (key === name) return decodeURIComponent(value.join("="))
  }
  return undefined
}

/**
 * Cookie mode on the client side: requests to `/api/v1/auth/...` (sign-ins, refresh, logout) are
 * sent with the browser's cookies and ask for cookie mode; the CSRF token the server hands out is
 * kept from its `Moim-CSRF-Token` header, or read from the `moim_csrf` cookie after a reload.
 */
export interface SessionCookieOptions {
  /**
   * Where the CSRF token is read from after a reload (default: the `moim_csrf` cookie in
   * `document.cookie`), for a page that cannot read that cookie itself.
   */
  readonly csrfToken?: (() => string | undefined) | undefined
}

export const withSessionCookies = (
  fetch: (request: Request) => Promise<Response>,
  baseUrl: string,
  options: SessionCookieOptions = {}
) => {
  const authPath = `${new URL(baseUrl).pathname.replace(/\/+$/, "")}/api/v1/auth/`
  let csrf: string | undefined
  return {
    fetch: async (request: Request): Promise<Response> => {
      const auth = new URL(request.url).pathname.startsWith(authPath)
      const sent = auth
        ? new Request(request, {
            credentials: "include",
            headers: withHeader(request.headers, "moim-session-mode", "cookie")
          })
        : request
      const response = await fetch(sent)
      csrf = response.headers.get(csrfResponseHeader) ?? csrf
      return response
    },
    /** The header a refresh by cookie must carry. */
    csrfHeaders: (): Record<string, string> => {
      const stored =
        options.csrfToken === undefined ? readCookie(documentCookie() ?? "", csrfCookie) : options.csrfToken()
      const token = stored ?? csrf
      return token === undefined ? {} : { "x-csrf-token": token }
    }
  }
}

const withHeader = (headers: Headers, name: string, value: string): Headers => {
  const copy = new Headers(headers)
  copy.set(name, value)
  return copy
}
