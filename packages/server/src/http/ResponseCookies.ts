import { Context, Effect, Option } from "effect"
import { type Cookies, HttpServerResponse } from "effect/http"

/** A cookie an answer sets: name, value and attributes (plain data, so it can be kept and replayed). */
export type CookieSpec = readonly [name: string, value: string, options: Cookies.Cookie["options"]]

export interface ResponseExtras {
  readonly cookies: Array<CookieSpec>
  readonly headers: Record<string, string>
}

/**
 * Per request, the cookies (and headers that go with them) a handler wants on its answer, which a
 * REST handler cannot set itself: it returns a value, not a response. `ServerMiddleware` provides a
 * fresh holder and puts them on the answer; `Idempotency` keeps them (encrypted) with a response it
 * stores, and gives them back with a replay, so a repeated sign-in sets its cookies again.
 */
export class ResponseCookies extends Context.Service<ResponseCookies, ResponseExtras>()(
  "@moim/server/http/ResponseCookies"
) {
  static readonly make = (): ResponseExtras => ({ cookies: [], headers: {} })

  /** Adds cookies and headers to the current request's answer (a no-op outside an HTTP request). */
  static readonly add = (cookies: ReadonlyArray<CookieSpec>, headers: Record<string, string> = {}) =>
    Effect.map(Effect.serviceOption(ResponseCookies), (holder) => {
      if (Option.isNone(holder)) return
      holder.value.cookies.push(...cookies)
      Object.assign(holder.value.headers, headers)
    })

  /** The answer with the cookies and headers of `extras`. */
  static readonly applyTo = (
    response: HttpServerResponse.HttpServerResponse,
    extras: ResponseExtras
  ): HttpServerResponse.HttpServerResponse =>
    extras.cookies.length === 0 && Object.keys(extras.headers).length === 0
      ? response
      : HttpServerResponse.setHeaders(HttpServerResponse.setCookiesUnsafe(response, extras.cookies), extras.headers)
}
