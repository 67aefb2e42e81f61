import { Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { OidcSignIn } from "./OidcSignIn.ts"

/**
 * `GET /api/v1/auth/oidc/:provider/callback`: where providers send the browser back. It checks the
 * sign-in and redirects (302) to the app's redirect URI with a one-time `code` or an `error`; without
 * a live `state` there is no app to send the browser to, so it answers `OidcStateInvalid` (400).
 */
export const OidcCallbackRoute = HttpRouter.use((router) =>
  router.add(
    "GET",
    "/api/v1/auth/oidc/:provider/callback",
    Effect.gen(function* () {
      const params = yield* HttpRouter.params
      const request = yield* HttpServerRequest.HttpServerRequest
      const query = request.url.includes("?") ? request.url.slice(request.url.indexOf("?") + 1) : ""
      const oidc = yield* OidcSignIn
      return yield* oidc.complete(params.provider ?? "", query).pipe(
        Effect.map((location) =>
          HttpServerResponse.redirect(location, {
            status: 302,
            headers: { "cache-control": "no-store", "referrer-policy": "no-referrer" }
          })
        ),
        Effect.catchTag("OidcStateInvalid", (error) =>
          Effect.succeed(
            HttpServerResponse.jsonUnsafe(
              { _tag: error._tag, message: error.message },
              { status: 400, headers: { "cache-control": "no-store" } }
            )
          )
        )
      )
    })
  )
)
