import { GroupId } from "@moim/domain/Group"
import { Effect, Option, Schema } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { Groups } from "./Groups.ts"

const decodeGroupId = Schema.decodeUnknownOption(GroupId)

/** `GET /api/v1/groups/:id/image`: a stable URL of a public group's image, redirecting to storage. */
export const GroupImageRoute = HttpRouter.use(
  Effect.fn(function* (router) {
    const groups = yield* Groups
    yield* router.add(
      "GET",
      "/api/v1/groups/:id/image",
      Effect.gen(function* () {
        const params = yield* HttpRouter.params
        const id = decodeGroupId(params.id)
        const url = Option.isNone(id) ? Option.none<string>() : yield* groups.imageDownloadUrl(id.value)
        if (Option.isNone(url)) {
          return HttpServerResponse.jsonUnsafe(
            { _tag: "GroupNotFound", message: "No such public group, or it has no image" },
            { status: 404 }
          )
        }
        return HttpServerResponse.redirect(url.value, {
          status: 302,
          headers: { "cache-control": "public, max-age=300" }
        })
      })
    )
  })
)
