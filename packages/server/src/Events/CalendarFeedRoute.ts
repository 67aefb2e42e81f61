import { Effect, Option } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { ClientInfo } from "../Access/ClientInfo.ts"
import { RequestRateLimits } from "../Access/RequestRateLimits.ts"
import { CalendarFeeds } from "./CalendarFeeds.ts"

const notFound = () =>
  HttpServerResponse.jsonUnsafe({ _tag: "CalendarFeedNotFound", message: "No such calendar feed" }, { status: 404 })

/** A token as `OpaqueToken.generate` makes them: 43 base64url characters. */
const tokenPattern = /^([A-Za-z0-9_-]{43})\.ics$/

/**
 * `GET /api/v1/calendar/:token.ics`: a calendar feed for calendar apps, which send no credentials;
 * the secret token in the address is the credential. `text/calendar`; 404 for an unknown, rotated or
 * revoked token and for a feed that no longer answers; the per-address limit of public reads.
 */
export const CalendarFeedRoute = HttpRouter.use((router) =>
  router.add(
    "GET",
    "/api/v1/calendar/:file",
    Effect.gen(function* () {
      const client = yield* ClientInfo.current
      const limits = yield* RequestRateLimits
      const limited = yield* limits.general({ ip: client.ip }).pipe(Effect.flip, Effect.option)
      if (Option.isSome(limited)) {
        return HttpServerResponse.jsonUnsafe(
          { _tag: "RateLimited", message: limited.value.message, retryAfterSeconds: limited.value.retryAfterSeconds },
          { status: 429, headers: { "retry-after": String(limited.value.retryAfterSeconds) } }
        )
      }
      const params = yield* HttpRouter.params
      const token = tokenPattern.exec(params.file ?? "")?.[1]
      if (token === undefined) return notFound()
      const ics = yield* CalendarFeeds.use((feeds) => feeds.read(token))
      if (Option.isNone(ics)) return notFound()
      return HttpServerResponse.text(ics.value, {
        contentType: "text/calendar; charset=utf-8",
        headers: { "cache-control": "private, max-age=300" }
      })
    })
  )
)
