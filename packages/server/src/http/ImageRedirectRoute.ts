import { Effect, Option, Schema } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

/**
 * `GET <path>` for an entity's image: a stable, cacheable address that redirects to a short-lived
 * download URL of the object store, whatever the storage adapter; 404 JSON when there is none.
 */
export const imageRedirectRoute = <Id, R>(options: {
  readonly path: HttpRouter.PathInput
  readonly id: Schema.Codec<Id, string>
  readonly downloadUrl: (id: Id) => Effect.Effect<Option.Option<string>, never, R>
  readonly notFound: { readonly _tag: string; readonly message: string }
  readonly cacheControl: string
}) =>
  HttpRouter.use((router) =>
    router.add(
      "GET",
      options.path,
      Effect.gen(function* () {
        const params = yield* HttpRouter.params
        const id = Schema.decodeUnknownOption(options.id)(params.id)
        const url = Option.isNone(id) ? Option.none<string>() : yield* options.downloadUrl(id.value)
        if (Option.isNone(url)) return HttpServerResponse.jsonUnsafe(options.notFound, { status: 404 })
        return HttpServerResponse.redirect(url.value, {
          status: 302,
          headers: { "cache-control": options.cacheControl }
        })
      })
    )
  )
