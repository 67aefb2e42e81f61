import { request as httpRequest } from "node:http"
import { brotliDecompressSync, gunzipSync } from "node:zlib"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { chooseEncoding } from "../src/http/Compression.ts"
import * as TestServer from "./support/TestServer.ts"

interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: Buffer
}

/** One GET as raw bytes: `fetch` would undo the compression this test looks at. */
const rawGet = (path: string, headers: Record<string, string> = {}) =>
  Effect.flatMap(TestServer.baseUrl, (base) =>
    Effect.callback<RawResponse>((resume) => {
      const outgoing = httpRequest(`${base}${path}`, { headers }, (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () =>
          resume(
            Effect.succeed({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) })
          )
        )
      })
      outgoing.on("error", (error) => resume(Effect.die(error)))
      outgoing.end()
    })
  )

const decode = (response: RawResponse): Buffer =>
  response.headers["content-encoding"] === "br"
    ? brotliDecompressSync(response.body)
    : response.headers["content-encoding"] === "gzip"
      ? gunzipSync(response.body)
      : response.body

describe("Accept-Encoding", () => {
  it("prefers Brotli, then gzip, among what the client accepts", () => {
    assert.strictEqual(chooseEncoding("gzip, deflate, br, zstd"), "br")
    assert.strictEqual(chooseEncoding("gzip"), "gzip")
    assert.strictEqual(chooseEncoding("br;q=0, gzip"), "gzip")
    assert.strictEqual(chooseEncoding("gzip;q=1.0, br;q=0.5"), "gzip")
    assert.strictEqual(chooseEncoding("*"), "br")
    assert.strictEqual(chooseEncoding("*;q=0, gzip;q=0.2"), "gzip")
    assert.isUndefined(chooseEncoding("identity"))
    assert.isUndefined(chooseEncoding("deflate, zstd"))
    assert.isUndefined(chooseEncoding("gzip;q=0, br;q=0"))
    assert.isUndefined(chooseEncoding(""))
    assert.isUndefined(chooseEncoding(undefined))
  })
})

layer(TestServer.layer(), { excludeTestServices: true })("Compressed responses", (it) => {
  it.effect("the OpenAPI document comes in Brotli or gzip as asked, the same bytes once decoded", () =>
    Effect.gen(function* () {
      const plain = yield* rawGet("/api/v1/openapi.json")
      assert.strictEqual(plain.status, 200)
      assert.isUndefined(plain.headers["content-encoding"])
      assert.include(String(plain.headers.vary), "accept-encoding")
      for (const [accept, encoding] of [
        ["gzip, deflate, br", "br"],
        ["gzip", "gzip"],
        ["br;q=0, gzip;q=0.8", "gzip"]
      ] as const) {
        const response = yield* rawGet("/api/v1/openapi.json", { "accept-encoding": accept })
        assert.strictEqual(response.status, 200)
        assert.strictEqual(response.headers["content-encoding"], encoding, accept)
        assert.include(String(response.headers.vary), "accept-encoding")
        assert.strictEqual(response.headers["content-type"], plain.headers["content-type"])
        assert.strictEqual(Number(response.headers["content-length"]), response.body.byteLength)
        assert.isBelow(response.body.byteLength, plain.body.byteLength / 5)
        assert.isTrue(decode(response).equals(plain.body), accept)
      }
      // Served again from the kept compressed form: the same bytes.
      const first = yield* rawGet("/api/v1/openapi.json", { "accept-encoding": "br" })
      const again = yield* rawGet("/api/v1/openapi.json", { "accept-encoding": "br" })
      assert.isTrue(again.body.equals(first.body))
    })
  )

  it.effect("the docs page is served compressed", () =>
    Effect.gen(function* () {
      const plain = yield* rawGet("/docs")
      const response = yield* rawGet("/docs", { "accept-encoding": "br" })
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers["content-encoding"], "br")
      assert.isBelow(response.body.byteLength, plain.body.byteLength / 3)
      assert.isTrue(decode(response).equals(plain.body))
    })
  )

  it.effect("small answers, errors and unaccepted encodings are sent as they are", () =>
    Effect.gen(function* () {
      const meta = yield* rawGet("/api/v1/meta", { "accept-encoding": "br, gzip" })
      assert.strictEqual(meta.status, 200)
      assert.isUndefined(meta.headers["content-encoding"])
      const identity = yield* rawGet("/api/v1/openapi.json", { "accept-encoding": "identity" })
      assert.isUndefined(identity.headers["content-encoding"])
      const deflateOnly = yield* rawGet("/api/v1/openapi.json", { "accept-encoding": "deflate" })
      assert.isUndefined(deflateOnly.headers["content-encoding"])
      JSON.parse(deflateOnly.body.toString("utf8"))
      const notFound = yield* rawGet("/api/v1/nowhere", { "accept-encoding": "br" })
      assert.strictEqual(notFound.status, 404)
      assert.isUndefined(notFound.headers["content-encoding"])
    })
  )
})
