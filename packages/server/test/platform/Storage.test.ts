/** @module-tag no-database */
import { randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { createServer } from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, layer } from "@effect/vitest"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { TestClock } from "effect/testing"
import { ServerSecret } from "../../src/platform/ServerSecret.ts"
import { Storage } from "../../src/platform/Storage.ts"
import { StorageRoutes } from "../../src/platform/StorageRoutes.ts"

/** Where the test HTTP server serving `StorageRoutes` listens. */
class RoutesUrl extends Context.Service<RoutesUrl, string>()("test/platform/Storage/RoutesUrl") {}

const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), prefix))),
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )

interface S3rverInstance {
  run(): Promise<AddressInfo>
  close(): Promise<void>
}
type S3rverConstructor = new (options: {
  readonly address: string
  readonly port: number
  readonly silent: boolean
  readonly directory: string
  readonly configureBuckets: ReadonlyArray<{ readonly name: string }>
}) => S3rverInstance

// s3rver ships no type declarations; this is the part of its API the tests use.
const isS3rver = (module: unknown): module is S3rverConstructor => typeof module === "function"

const bucket = "moim-test"

const S3Live = Layer.unwrap(
  Effect.gen(function* () {
    const loaded: unknown = createRequire(import.meta.url)("s3rver")
    if (!isS3rver(loaded)) return yield* Effect.die(new Error("s3rver did not export its server class"))
    const directory = yield* tempDir("moim-s3rver-")
    const server = new loaded({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: bucket }]
    })
    const address = yield* Effect.acquireRelease(
      Effect.promise(() => server.run()),
      () => Effect.promise(() => server.close())
    )
    return Storage.layerS3({
      bucket,
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${address.port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: Redacted.make("S3RVER") }
    })
  })
)

const serverUrl = HttpServer.HttpServer.useSync((server) => HttpServer.formatAddress(server.address))

const DiskLive = Layer.unwrap(
  Effect.gen(function* () {
    return Storage.layerDisk({ directory: yield* tempDir("moim-storage-"), publicUrl: yield* serverUrl })
  })
)

/** The storage adapter plus `StorageRoutes` served over real HTTP on 127.0.0.1, as in the server. */
const withRoutes = <E>(storage: Layer.Layer<Storage, E, HttpServer.HttpServer | ServerSecret>) =>
  HttpRouter.serve(StorageRoutes, { disableLogger: true, disableListenLog: true }).pipe(
    Layer.provideMerge(storage),
    Layer.provideMerge(Layer.effect(RoutesUrl, serverUrl)),
    Layer.provide(
      Layer.succeed(ServerSecret, ServerSecret.make(Redacted.make("storage-test-secret-0123456789abcdef")))
    ),
    Layer.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
  )

const fetchBytes = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { response, body: new Uint8Array(await response.arrayBuffer()) }
  })

const fetchJson = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const body: unknown = await response.json()
    return { status: response.status, body }
  })

const text = (value: string) => new TextEncoder().encode(value)

const invalidKeys = [
  "",
  "/avatars/a.png",
  "../secret",
  "avatars/../../secret",
  "avatars/./a.png",
  "avatars//a.png",
  "avatars/",
  ".hidden",
  "avatars\\a.png",
  "with space.png",
  "ümlaut.png",
  "a?b",
  "x".repeat(513)
]

const storageContract = <E>(
  name: string,
  storageLayer: Layer.Layer<Storage, E, HttpServer.HttpServer | ServerSecret>
) =>
  layer(withRoutes(storageLayer), { excludeTestServices: true, timeout: "60 seconds" })(name, (it) => {
    it.effect("stores, reads, describes and deletes an object", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const key = "avatars/roundtrip.txt"
        yield* storage.put(key, text("hello"), { contentType: "text/plain" })

        const object = yield* storage.get(key)
        assert.deepStrictEqual(object.body, text("hello"))
        assert.strictEqual(object.contentType, "text/plain")
        assert.deepStrictEqual(yield* storage.head(key), Option.some({ size: 5, contentType: "text/plain" }))

        yield* storage.put(key, text("replaced"), { contentType: "text/markdown" })
        assert.deepStrictEqual((yield* storage.get(key)).body, text("replaced"))
        assert.deepStrictEqual(yield* storage.head(key), Option.some({ size: 8, contentType: "text/markdown" }))

        yield* storage.delete(key)
        assert.isTrue(Option.isNone(yield* storage.head(key)))
        const error = yield* Effect.flip(storage.get(key))
        assert.strictEqual(error._tag, "StorageObjectNotFound")
        yield* storage.delete(key)
      })
    )

    it.effect("keeps binary content intact", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const body = new Uint8Array([...Array.from({ length: 256 }, (_, byte) => byte), ...randomBytes(256 * 1024)])
        yield* storage.put("media/binary.bin", body, { contentType: "application/octet-stream" })
        const object = yield* storage.get("media/binary.bin")
        assert.strictEqual(object.body.byteLength, body.byteLength)
        assert.isTrue(Buffer.from(object.body).equals(Buffer.from(body)))
        assert.deepStrictEqual(
          yield* storage.head("media/binary.bin"),
          Option.some({ size: body.byteLength, contentType: "application/octet-stream" })
        )
      })
    )

    it.effect("keeps a key beside the longer keys it is a prefix of", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        yield* storage.put("groups/g1/cover.png", text("cover"), { contentType: "image/png" })
        yield* storage.put("groups/g1", text("group"), { contentType: "image/png" })
        assert.deepStrictEqual((yield* storage.get("groups/g1")).body, text("group"))
        assert.deepStrictEqual((yield* storage.get("groups/g1/cover.png")).body, text("cover"))
        yield* storage.delete("groups/g1")
        assert.deepStrictEqual((yield* storage.get("groups/g1/cover.png")).body, text("cover"))
        assert.isTrue(Option.isNone(yield* storage.head("groups/g1")))
      })
    )

    it.effect("reports a missing object with a typed error", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const error = yield* Effect.flip(storage.get("avatars/never-stored.png"))
        assert.strictEqual(error._tag, "StorageObjectNotFound")
        assert.isTrue(Option.isNone(yield* storage.head("avatars/never-stored.png")))
        yield* storage.delete("avatars/never-stored.png")
      })
    )

    it.effect("refuses invalid keys", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        for (const key of invalidKeys) {
          const errors = yield* Effect.all(
            [
              Effect.flip(storage.put(key, text("x"), { contentType: "text/plain" })),
              Effect.flip(storage.get(key)),
              Effect.flip(storage.head(key)),
              Effect.flip(storage.delete(key)),
              Effect.flip(storage.presignUpload(key, { contentType: "text/plain", expiresIn: "5 minutes" })),
              Effect.flip(storage.presignDownload(key, { expiresIn: "5 minutes" }))
            ],
            { concurrency: 1 }
          )
          for (const error of errors) assert.strictEqual(error._tag, "StorageKeyInvalid", `key ${JSON.stringify(key)}`)
        }
      })
    )

    it.effect("accepts an upload through a presigned URL", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const key = "groups/upload.png"
        const body = randomBytes(4096)
        const upload = yield* storage.presignUpload(key, {
          contentType: "image/png",
          maxBytes: 1024 * 1024,
          expiresIn: "5 minutes"
        })
        assert.strictEqual(upload.method, "PUT")
        const { response } = yield* fetchBytes(upload.url, { method: upload.method, headers: upload.headers, body })
        assert.strictEqual(response.status, 200)

        const object = yield* storage.get(key)
        assert.isTrue(Buffer.from(object.body).equals(body))
        assert.strictEqual(object.contentType, "image/png")
      })
    )

    it.effect("serves a download through a presigned URL", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const key = "media/download.jpg"
        const body = randomBytes(2048)
        yield* storage.put(key, body, { contentType: "image/jpeg" })
        const url = yield* storage.presignDownload(key, { expiresIn: "5 minutes" })
        const download = yield* fetchBytes(url)
        assert.strictEqual(download.response.status, 200)
        assert.strictEqual(download.response.headers.get("content-type"), "image/jpeg")
        assert.isTrue(Buffer.from(download.body).equals(body))
      })
    )
  })

describe("Storage", () => {
  storageContract("disk adapter", DiskLive)
  storageContract("S3 adapter (s3rver)", S3Live)

  layer(withRoutes(DiskLive), { excludeTestServices: true, timeout: "60 seconds" })("disk adapter URLs", (it) => {
    const uploadUrl = (key: string, maxBytes = 64) =>
      Storage.use((storage) =>
        storage.presignUpload(key, { contentType: "image/png", maxBytes, expiresIn: "5 minutes" })
      )

    it.effect("points at this server and sets the download headers", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const routesUrl = yield* RoutesUrl
        yield* storage.put("avatars/headers.png", text("png"), { contentType: "image/png" })
        const url = yield* storage.presignDownload("avatars/headers.png", { expiresIn: "10 minutes" })
        assert.isTrue(url.startsWith(`${routesUrl}/storage/avatars/headers.png?`))

        const { response } = yield* fetchBytes(url)
        assert.strictEqual(response.status, 200)
        assert.strictEqual(response.headers.get("content-length"), "3")
        assert.strictEqual(response.headers.get("x-content-type-options"), "nosniff")
        const cacheControl = response.headers.get("cache-control") ?? ""
        const maxAge = Number(/^private, max-age=(\d+)$/.exec(cacheControl)?.[1])
        assert.isTrue(maxAge > 590 && maxAge <= 601, cacheControl)
      })
    )

    it.effect("refuses an expired URL", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        yield* storage.put("avatars/expired.png", text("png"), { contentType: "image/png" })
        const url = yield* Effect.gen(function* () {
          yield* TestClock.setTime(Date.now() - 60 * 60 * 1000)
          return yield* storage.presignDownload("avatars/expired.png", { expiresIn: "5 minutes" })
        }).pipe(Effect.provide(TestClock.layer()))

        const { status, body } = yield* fetchJson(url)
        assert.strictEqual(status, 403)
        assert.deepInclude(body, { _tag: "StorageSignatureInvalid", message: "The storage URL has expired" })
      })
    )

    it.effect("refuses a tampered URL", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        yield* storage.put("avatars/mine.png", text("mine"), { contentType: "image/png" })
        yield* storage.put("avatars/theirs.png", text("theirs"), { contentType: "image/png" })
        const url = new URL(yield* storage.presignDownload("avatars/mine.png", { expiresIn: "5 minutes" }))

        const otherKey = new URL(url)
        otherKey.pathname = "/storage/avatars/theirs.png"
        const laterExpiry = new URL(url)
        laterExpiry.searchParams.set("expires", String(Number(url.searchParams.get("expires")) + 3600))
        const flippedSignature = new URL(url)
        const signature = url.searchParams.get("sig") ?? ""
        flippedSignature.searchParams.set("sig", `${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`)
        const noSignature = new URL(url)
        noSignature.searchParams.delete("sig")

        for (const tampered of [otherKey, laterExpiry, flippedSignature, noSignature]) {
          const { status, body } = yield* fetchJson(tampered.toString())
          assert.strictEqual(status, 403, tampered.toString())
          assert.deepInclude(body, { _tag: "StorageSignatureInvalid" })
        }
      })
    )

    it.effect("refuses a download URL used for an upload and an upload URL used for a download", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        yield* storage.put("avatars/method.png", text("png"), { contentType: "image/png" })
        const downloadUrl = yield* storage.presignDownload("avatars/method.png", { expiresIn: "5 minutes" })
        const put = yield* fetchJson(downloadUrl, {
          method: "PUT",
          headers: { "Content-Type": "image/png" },
          body: text("overwritten")
        })
        assert.strictEqual(put.status, 403)
        assert.deepStrictEqual((yield* storage.get("avatars/method.png")).body, text("png"))

        const upload = yield* uploadUrl("avatars/method.png")
        const get = yield* fetchJson(upload.url)
        assert.strictEqual(get.status, 403)
      })
    )

    it.effect("refuses an upload with another content type than signed", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const upload = yield* uploadUrl("avatars/typed.png")
        const { status, body } = yield* fetchJson(upload.url, {
          method: "PUT",
          headers: { "Content-Type": "text/html" },
          body: text("<script>alert(1)</script>")
        })
        assert.strictEqual(status, 403)
        assert.deepInclude(body, { _tag: "StorageSignatureInvalid" })
        assert.isTrue(Option.isNone(yield* storage.head("avatars/typed.png")))
      })
    )

    it.effect("refuses an upload larger than signed, declared or streamed", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const declared = yield* uploadUrl("avatars/declared.png", 64)
        const tooLarge = yield* fetchJson(declared.url, {
          method: "PUT",
          headers: declared.headers,
          body: randomBytes(65)
        })
        assert.strictEqual(tooLarge.status, 413)
        assert.deepInclude(tooLarge.body, { _tag: "PayloadTooLarge" })
        assert.isTrue(Option.isNone(yield* storage.head("avatars/declared.png")))

        const streamed = yield* uploadUrl("avatars/streamed.png", 64)
        const chunks = [randomBytes(40), randomBytes(40)]
        // Without a Content-Length the limit can only be applied while reading the body.
        const chunkedUpload = {
          method: "PUT",
          headers: streamed.headers,
          body: new ReadableStream({
            pull(controller) {
              const chunk = chunks.shift()
              if (chunk === undefined) controller.close()
              else controller.enqueue(chunk)
            }
          }),
          duplex: "half"
        }
        const streamedTooLarge = yield* fetchJson(streamed.url, chunkedUpload)
        assert.strictEqual(streamedTooLarge.status, 413)
        assert.isTrue(Option.isNone(yield* storage.head("avatars/streamed.png")))

        const exact = yield* uploadUrl("avatars/exact.png", 64)
        const accepted = yield* fetchBytes(exact.url, { method: "PUT", headers: exact.headers, body: randomBytes(64) })
        assert.strictEqual(accepted.response.status, 200)
        assert.deepStrictEqual(
          yield* storage.head("avatars/exact.png"),
          Option.some({ size: 64, contentType: "image/png" })
        )
      })
    )
  })

  layer(withRoutes(S3Live), { excludeTestServices: true, timeout: "60 seconds" })("S3 adapter routes", (it) => {
    it.effect("leaves /storage to the bucket and answers 404", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const routesUrl = yield* RoutesUrl
        assert.strictEqual(storage.kind, "s3")
        const get = yield* fetchJson(`${routesUrl}/storage/avatars/a.png?expires=1&sig=x`)
        assert.strictEqual(get.status, 404)
        assert.deepInclude(get.body, { _tag: "NotFound" })
        const put = yield* fetchJson(`${routesUrl}/storage/avatars/a.png`, { method: "PUT", body: text("x") })
        assert.strictEqual(put.status, 404)
      })
    )
  })
})
