import { ByteSize, Clock, Effect, Option } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { attachmentDisposition, Storage, StorageSignatureInvalid } from "./Storage.ts"

const path = "/storage/*"

const errorResponse = (status: number, _tag: string, message: string) =>
  HttpServerResponse.jsonUnsafe({ _tag, message }, { status })

const notFound = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.succeed(errorResponse(404, "NotFound", `No route for ${request.method} ${request.url.split("?")[0]}`))

const tooLarge = (maxBytes: Option.Option<number>) =>
  errorResponse(
    413,
    "PayloadTooLarge",
    Option.match(maxBytes, {
      onNone: () => "The upload is larger than this server accepts",
      onSome: (maxBytes) => `This upload URL accepts at most ${maxBytes} bytes`
    })
  )

/** The body, or `None` when it is larger than allowed. */
const readBody = (request: HttpServerRequest.HttpServerRequest, maxBytes: Option.Option<number>) =>
  Option.match(maxBytes, {
    onNone: () => request.arrayBuffer,
    // The signed limit replaces the server-wide body limit: uploads may be larger than API calls.
    onSome: (maxBytes) =>
      Effect.provideService(request.arrayBuffer, HttpIncomingMessage.MaxBodySize, ByteSize.bytes(maxBytes))
  }).pipe(
    Effect.map((buffer) => Option.some(new Uint8Array(buffer))),
    Effect.catchTag("HttpServerError", (error) =>
      error.reason._tag === "RequestParseError" && error.reason.reason === "BodyTooLarge"
        ? Effect.succeed(Option.none())
        : Effect.fail(error)
    )
  )

const routeKey = Effect.map(HttpRouter.params, (params) => params["*"] ?? "")

const sameMediaType = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

/**
 * `GET` and `PUT /storage/<key>`: the presigned URLs of the disk storage adapter, checked and served
 * here. With S3 the clients talk to the bucket itself and these paths answer 404.
 */
export const StorageRoutes = HttpRouter.use(
  Effect.fn("StorageRoutes")(function* (router) {
    const storage = yield* Storage
    if (storage.kind !== "disk") {
      yield* router.add("GET", path, notFound)
      yield* router.add("PUT", path, notFound)
      return
    }
    const verify = yield* Storage.diskUrlVerifier

    const download = Effect.gen(function* () {
      const key = yield* routeKey
      const query = yield* HttpServerRequest.ParsedSearchParams
      const grant = yield* verify({ method: "GET", key, query })
      const object = yield* storage.get(key)
      const now = yield* Clock.currentTimeMillis
      // Caches may keep the object only as long as the URL that fetched it stays valid.
      const maxAge = Math.max(0, grant.expiresAt - Math.floor(now / 1000))
      // A URL signed as a download answers an attachment, of the type it was signed with, whatever the
      // object was stored as: the browser saves it rather than shows it.
      const download = Option.isSome(grant.fileName)
        ? { "content-disposition": attachmentDisposition(grant.fileName.value) }
        : {}
      return HttpServerResponse.uint8Array(object.body, {
        contentType: Option.isSome(grant.fileName)
          ? Option.getOrElse(grant.contentType, () => "application/octet-stream")
          : object.contentType,
        headers: {
          "cache-control": `private, max-age=${maxAge}`,
          "x-content-type-options": "nosniff",
          // Uploaded HTML or SVG opened from this origin must not run scripts in it.
          "content-security-policy": "sandbox",
          ...download
        }
      })
    })

    const upload = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const key = yield* routeKey
      const query = yield* HttpServerRequest.ParsedSearchParams
      const grant = yield* verify({ method: "PUT", key, query })
      const sentType = request.headers["content-type"] ?? ""
      const contentType = Option.getOrElse(grant.contentType, () => sentType || "application/octet-stream")
      if (!sameMediaType(sentType, contentType)) {
        return yield* new StorageSignatureInvalid({
          message: `This upload URL is signed for Content-Type ${contentType}, not ${sentType || "none"}`
        })
      }
      // An exact length signed is also the most the upload may have.
      const limit = Option.isSome(grant.contentLength)
        ? Option.some(
            Math.min(
              grant.contentLength.value,
              Option.getOrElse(grant.maxBytes, () => Infinity)
            )
          )
        : grant.maxBytes
      const declaredBytes = Number(request.headers["content-length"] ?? 0)
      if (Option.isSome(limit) && declaredBytes > limit.value) return tooLarge(limit)
      const body = yield* readBody(request, limit)
      if (Option.isNone(body)) return tooLarge(limit)
      if (Option.isSome(grant.contentLength) && body.value.byteLength !== grant.contentLength.value) {
        return yield* new StorageSignatureInvalid({
          message: `This upload URL is signed for a body of exactly ${grant.contentLength.value} bytes, not ${body.value.byteLength}`
        })
      }
      yield* storage.put(key, body.value, { contentType })
      return HttpServerResponse.empty({ status: 200 })
    })

    yield* router.add(
      "GET",
      path,
      download.pipe(
        Effect.catchTags({
          StorageSignatureInvalid: (error) => Effect.succeed(errorResponse(403, error._tag, error.message)),
          StorageObjectNotFound: (error) => Effect.succeed(errorResponse(404, error._tag, error.message)),
          StorageKeyInvalid: (error) => Effect.succeed(errorResponse(400, error._tag, error.message))
        })
      )
    )
    yield* router.add(
      "PUT",
      path,
      upload.pipe(
        Effect.catchTags({
          StorageSignatureInvalid: (error) => Effect.succeed(errorResponse(403, error._tag, error.message)),
          StorageKeyInvalid: (error) => Effect.succeed(errorResponse(400, error._tag, error.message))
        })
      )
    )
  })
)
