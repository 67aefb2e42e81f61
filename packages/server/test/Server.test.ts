import { randomUUID } from "node:crypto"
import { NodeSocket } from "@effect/platform-node"
import { assert, layer } from "@effect/vitest"
import { Api } from "@moim/domain/Api"
import { layerRpcClientMiddleware } from "@moim/domain/Kit/RpcClientMiddleware"
import { Rpcs } from "@moim/domain/Rpcs"
import { Effect, Layer, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { RpcClient, RpcSerialization } from "effect/rpc"
import { plainRoutes } from "../src/Features.ts"
import * as TestDatabase from "./support/TestDatabase.ts"
import * as TestServer from "./support/TestServer.ts"

const request = (path: string, init?: RequestInit) =>
  Effect.flatMap(TestServer.baseUrl, (base) => Effect.promise(() => fetch(`${base}${path}`, init)))

const json = (response: Response) => Effect.promise((): Promise<Record<string, unknown>> => response.json())

const expectedDatabase = TestDatabase.source().kind
const expectedRedis = process.env.REDIS_URL ? "redis" : "memory"

layer(TestServer.layer(), { excludeTestServices: true })("Server over real HTTP", (it) => {
  it.effect("answers liveness and readiness", () =>
    Effect.gen(function* () {
      const live = yield* request("/health/live")
      assert.strictEqual(live.status, 200)
      const ready = yield* request("/health/ready")
      const body = yield* json(ready)
      assert.strictEqual(ready.status, 200, JSON.stringify(body))
      assert.strictEqual(body.status, "ready")
      assert.deepStrictEqual(
        Object.keys(body.checks as object).sort(),
        expectedRedis === "redis" ? ["database", "redis"] : ["database"]
      )
    })
  )

  it.effect("reports its version and active adapters through the typed REST client", () =>
    Effect.gen(function* () {
      const baseUrl = yield* TestServer.baseUrl
      const client = yield* HttpApiClient.make(Api, { baseUrl })
      const meta = yield* client.system.meta()
      assert.strictEqual(meta.name, "moim")
      assert.strictEqual(meta.apiVersion, "v1")
      assert.strictEqual(meta.adapters.database, expectedDatabase)
      assert.strictEqual(meta.adapters.redis, expectedRedis)
      assert.strictEqual(meta.adapters.storage, "disk")
      assert.strictEqual(meta.adapters.mailer, "outbox")
      assert.strictEqual(meta.adapters.sms, "outbox")
    }).pipe(Effect.provide(FetchHttpClient.layer))
  )

  it.effect("serves the OpenAPI 3.1 document with stable component names", () =>
    Effect.gen(function* () {
      const response = yield* request("/api/v1/openapi.json")
      assert.strictEqual(response.status, 200)
      const document = yield* json(response)
      assert.strictEqual(document.openapi, "3.1.0")
      const paths = Object.keys(document.paths as object)
      assert.include(paths, "/api/v1/meta")
      assert.include(paths, "/api/v1/ops/workers")
      const schemas = Object.keys((document.components as { schemas: object }).schemas)
      assert.includeMembers(schemas, ["InvalidRequest", "Meta", "OpsReport", "WorkerStatus"])
      assert.isFalse(schemas.some((name) => name.endsWith("Encoded")))
      const undescribed = Object.entries(
        (document.components as { schemas: Record<string, { description?: string }> }).schemas
      )
        .filter(([, schema]) => schema.description === undefined)
        .map(([name]) => name)
      assert.deepStrictEqual(undescribed, [], "every component schema has a description")
    })
  )

  it.effect("serves a docs page that needs no network", () =>
    Effect.gen(function* () {
      const response = yield* request("/docs")
      assert.strictEqual(response.status, 200)
      const html = yield* Effect.promise(() => response.text())
      assert.include(html, "<script>")
      assert.notMatch(html, /<script[^>]+src=/)
      assert.include(html, '"withDefaultFonts":false')
      assert.include(response.headers.get("content-security-policy") ?? "", "script-src 'self' 'unsafe-inline'")
    })
  )

  it.effect("serves every plain route the features declare (redirects, metrics), each with its reason", () =>
    Effect.gen(function* () {
      assert.isAbove(plainRoutes.length, 0)
      for (const { route, why } of plainRoutes) {
        assert.isAbove(why.length, 20, `${route} says why it is not an API operation`)
        const [method, path] = route.split(" ")
        const response = yield* request((path ?? "").replace(":id", randomUUID()), { method: method ?? "GET" })
        const body = yield* json(response)
        assert.notStrictEqual(body._tag, "NotFound", `${route} is served`)
      }
      const unknown = yield* json(yield* request(`/api/v1/users/${randomUUID()}/portrait`))
      assert.strictEqual(unknown._tag, "NotFound", "an undeclared route is the router's 404")
    })
  )

  it.effect("answers unknown routes with a JSON 404 and tags every response with a request id", () =>
    Effect.gen(function* () {
      const response = yield* request("/api/v1/nope", { headers: { "x-request-id": "abc-123" } })
      assert.strictEqual(response.status, 404)
      assert.strictEqual(response.headers.get("x-request-id"), "abc-123")
      assert.strictEqual(response.headers.get("x-content-type-options"), "nosniff")
      const body = yield* json(response)
      assert.strictEqual(body._tag, "NotFound")
      assert.include(String(body.message), "/api/v1/nope")

      const other = yield* request("/health/live", { headers: { "x-request-id": "bad id with spaces" } })
      assert.match(other.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/)
    })
  )

  it.effect("refuses invalid input with a 400 naming the field", () =>
    Effect.gen(function* () {
      const response = yield* request("/api/v1/ops/workers?failedLimit=5000", {
        headers: { authorization: `Bearer ${TestServer.opsToken}` }
      })
      assert.strictEqual(response.status, 400)
      const body = yield* json(response)
      assert.strictEqual(body._tag, "InvalidRequest")
      const issues = body.issues as ReadonlyArray<{ path: ReadonlyArray<string> }>
      assert.deepStrictEqual(issues[0]?.path, ["query", "failedLimit"])
    })
  )

  it.effect("refuses bodies over the size limit with a JSON 413", () =>
    Effect.gen(function* () {
      const response = yield* request("/rpc", {
        method: "POST",
        headers: { "content-type": "application/ndjson" },
        body: "x".repeat(2 * 1024 * 1024)
      })
      assert.strictEqual(response.status, 413)
      const body = yield* json(response)
      assert.strictEqual(body._tag, "PayloadTooLarge")
    })
  )

  it.effect("answers CORS preflight requests", () =>
    Effect.gen(function* () {
      const response = yield* request("/api/v1/meta", {
        method: "OPTIONS",
        headers: {
          origin: "https://app.example.com",
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization"
        }
      })
      assert.isTrue(response.status === 204 || response.status === 200)
      assert.strictEqual(response.headers.get("access-control-allow-origin"), "*")
    })
  )

  it.effect("serves the RPC group over HTTP, streams included", () =>
    Effect.gen(function* () {
      const client = yield* RpcClient.make(Rpcs)
      const meta = yield* client.GetMeta()
      assert.strictEqual(meta.adapters.database, expectedDatabase)
      const pongs = yield* client.Heartbeat({ intervalMillis: 100, count: 3 }).pipe(Stream.runCollect)
      assert.deepStrictEqual(
        pongs.map((pong) => pong.sequence),
        [0, 1, 2]
      )
    }).pipe(
      Effect.provide(
        Layer.unwrap(
          Effect.map(TestServer.baseUrl, (base) =>
            RpcClient.layerProtocolHttp({ url: `${base}/rpc` }).pipe(
              Layer.provide([FetchHttpClient.layer, RpcSerialization.layerNdjson]),
              Layer.merge(layerRpcClientMiddleware(Effect.succeedNone))
            )
          )
        )
      ),
      Effect.scoped
    )
  )

  it.effect("serves the RPC group over WebSocket, streams included", () =>
    Effect.gen(function* () {
      const client = yield* RpcClient.make(Rpcs)
      const meta = yield* client.GetMeta()
      assert.strictEqual(meta.name, "moim")
      const pongs = yield* client.Heartbeat({ intervalMillis: 100, count: 3 }).pipe(Stream.runCollect)
      assert.strictEqual(pongs.length, 3)
    }).pipe(
      Effect.provide(
        Layer.unwrap(
          Effect.map(TestServer.baseUrl, (base) =>
            RpcClient.layerProtocolSocket().pipe(
              Layer.provide([
                NodeSocket.layerWebSocket(`${base.replace("http", "ws")}/rpc/ws`),
                RpcSerialization.layerJson
              ]),
              Layer.merge(layerRpcClientMiddleware(Effect.succeedNone))
            )
          )
        )
      ),
      Effect.scoped
    )
  )
})
