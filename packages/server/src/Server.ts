import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Api } from "@moim/domain/Api"
import { Rpcs } from "@moim/domain/Rpcs"
import { Effect, Layer, Scope } from "effect"
import { HttpRouter } from "effect/http"
import { HttpApiBuilder, HttpApiScalar } from "effect/http-api"
import { RpcSerialization, RpcServer } from "effect/rpc"
import {
  OpenAccessLive,
  RpcAuthenticationLive,
  RpcOpenAccessLive,
  RpcOptionalAuthenticationLive,
  RpcPublicRateLimitLive
} from "./Access/AccessLive.ts"
import { FeatureHttp, FeatureRoutes, FeatureRpc } from "./Features.ts"
import { createHttpServer } from "./http/ClientErrors.ts"
import { HealthRoutes } from "./http/Health.ts"
import { RequestValidationLive } from "./http/RequestValidationLive.ts"
import { layerValidatingProtocol, RpcRequestValidationLive } from "./http/RpcRequestValidationLive.ts"
import { CorsLive, MaxBodySizeLive, ServerMiddleware } from "./http/ServerMiddleware.ts"
import { StorageRoutes } from "./platform/StorageRoutes.ts"

export const openApiPath = "/api/v1/openapi.json"

/** REST under `/api/v1` with its OpenAPI document, built from the domain's `Api`. */
const ApiRoutes = HttpApiBuilder.layer(Api, { openapiPath: openApiPath }).pipe(
  Layer.provide(FeatureHttp),
  Layer.provide(OpenAccessLive),
  Layer.provide(RequestValidationLive)
)

/**
 * The API reference page, with Scalar's script bundled and no web fonts, so it works offline. The
 * script is 3 MB, and loading it at start cost 34 MB of resident memory for a page most servers never
 * serve: the page's own router is built at its first request, and kept.
 */
const DocsRoute = HttpRouter.use((router) =>
  Effect.gen(function* () {
    const scope = yield* Scope.Scope
    const page = yield* Effect.cached(
      HttpRouter.toHttpEffect(HttpApiScalar.layer(Api, { path: "/docs", scalar: { withDefaultFonts: false } })).pipe(
        Effect.provideService(Scope.Scope, scope)
      )
    )
    yield* router.add(
      "GET",
      "/docs",
      Effect.flatMap(page, (serve) => serve)
    )
  })
)

/**
 * The same RPC group over HTTP (`/rpc`, NDJSON so streams work) and WebSocket (`/rpc/ws`). Each
 * protocol answers payloads that do not decode with a typed `InvalidRequest`, as REST does.
 */
const RpcRoutes = Layer.mergeAll(
  RpcServer.layer(Rpcs).pipe(
    Layer.provide(layerValidatingProtocol(RpcServer.layerProtocolHttp({ path: "/rpc" }))),
    Layer.provide(RpcSerialization.layerNdjson)
  ),
  RpcServer.layer(Rpcs).pipe(
    Layer.provide(layerValidatingProtocol(RpcServer.layerProtocolWebsocket({ path: "/rpc/ws" }))),
    Layer.provide(RpcSerialization.layerJson)
  )
).pipe(
  Layer.provide([
    FeatureRpc,
    RpcAuthenticationLive,
    RpcOptionalAuthenticationLive,
    RpcPublicRateLimitLive,
    RpcOpenAccessLive,
    RpcRequestValidationLive
  ])
)

/**
 * Every route and the middleware around them; needs the platform services (see `Platform.ts`).
 * Global middleware registered first runs outermost: CORS wraps everything, so a browser can read
 * even the answers `ServerMiddleware` gives before routing (413, 415, 404).
 */
export const Routes = Layer.mergeAll(
  CorsLive,
  ServerMiddleware,
  ApiRoutes,
  DocsRoute,
  RpcRoutes,
  HealthRoutes,
  FeatureRoutes,
  StorageRoutes
)

/** The HTTP server on `host:port`; port 0 picks a free one (tests read it from `HttpServer`). */
export const layer = (options: { readonly host: string; readonly port: number }) =>
  HttpRouter.serve(Routes, { disableLogger: true, disableListenLog: true }).pipe(
    Layer.provide(MaxBodySizeLive),
    Layer.provideMerge(NodeHttpServer.layer(createHttpServer, { host: options.host, port: options.port }))
  )
