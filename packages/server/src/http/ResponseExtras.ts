import { Context, Effect, Option } from "effect"
import { type Cookies, HttpServerResponse } from "effect/http"
import type { ClientInfo } from "../Access/ClientInfo.ts"

/** A cookie an answer sets: name, value and attributes (plain data, so it can be kept and replayed). */
export type CookieSpec = readonly [name: string, value: string, options: Cookies.Cookie["options"]]

/** The cookies, and the headers that go with them, a request wants on its answer. */
export interface AnswerCookies {
  readonly cookies: Array<CookieSpec>
  readonly headers: Record<string, string>
}

/**
 * Per request, what a REST handler wants on its answer but cannot set itself (it returns a value,
 * not a response): the edit version of the resource it shows, for the `ETag`
 * (`ConditionalRequests.ts`), and cookies with their headers. `ServerMiddleware` provides a fresh
 * one and puts them on the answer; `Idempotency` keeps the cookies (encrypted) with a response it
 * stores, and gives them back with a replay, so a repeated sign-in sets its cookies again. It also
 * carries the caller's `ClientInfo` (read through `ClientInfo.current`), so that a request adds one
 * service to its context for both.
 */
export class ResponseExtras extends Context.Service<
  ResponseExtras,
  AnswerCookies & { version: number | undefined; readonly client: ClientInfo }
>()("@moim/server/http/ResponseExtras") {
  static readonly make = (client: ClientInfo): ResponseExtras["Service"] => ({
    cookies: [],
    headers: {},
    version: undefined,
    client
  })

  /** Keeps `value.version` for the answer's `ETag` (a no-op outside an HTTP request). */
  static readonly recordVersion = (value: unknown): Effect.Effect<void> =>
    Effect.map(Effect.serviceOption(ResponseExtras), (holder) => {
      if (Option.isSome(holder) && typeof value === "object" && value !== null && "version" in value) {
        const version = value.version
        if (typeof version === "number") holder.value.version = version
      }
    })

  /** Adds cookies and headers to the current request's answer (a no-op outside an HTTP request). */
  static readonly addCookies = (cookies: ReadonlyArray<CookieSpec>, headers: Record<string, string> = {}) =>
    Effect.map(Effect.serviceOption(ResponseExtras), (holder) => {
      if (Option.isNone(holder)) return
      holder.value.cookies.push(...cookies)
      Object.assign(holder.value.headers, headers)
    })

  /** The answer with the cookies and headers of `extras`. */
  static readonly applyCookies = (
    response: HttpServerResponse.HttpServerResponse,
    extras: AnswerCookies
  ): HttpServerResponse.HttpServerResponse =>
    extras.cookies.length === 0 && Object.keys(extras.headers).length === 0
      ? response
      : HttpServerResponse.setHeaders(HttpServerResponse.setCookiesUnsafe(response, extras.cookies), extras.headers)
}
