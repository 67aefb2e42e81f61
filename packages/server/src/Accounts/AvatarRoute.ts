import { UserId } from "@moim/domain/User"
import { Effect, Option, Schema } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { Accounts } from "./Accounts.ts"

const decodeUserId = Schema.decodeUnknownOption(UserId)

/**
 * `GET /api/v1/users/:id/avatar`: a stable address for a user's avatar that redirects to a
 * short-lived download URL of the object store, so profiles can carry a cacheable avatar URL
 * whatever the storage adapter.
 */
export const AvatarRoute = HttpRouter.use(
  Effect.fn(function* (router) {
    const accounts = yield* Accounts
    yield* router.add(
      "GET",
      "/api/v1/users/:id/avatar",
      Effect.gen(function* () {
        const params = yield* HttpRouter.params
        const id = decodeUserId(params.id)
        const url = Option.isNone(id) ? Option.none<string>() : yield* accounts.avatarDownloadUrl(id.value)
        if (Option.isNone(url)) {
          return HttpServerResponse.jsonUnsafe(
            { _tag: "UserNotFound", message: "No such user, or the user has no avatar" },
            { status: 404 }
          )
        }
        return HttpServerResponse.redirect(url.value, {
          status: 302,
          headers: { "cache-control": "private, max-age=300" }
        })
      })
    )
  })
)
