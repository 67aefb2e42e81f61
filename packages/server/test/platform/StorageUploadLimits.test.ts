/** @module-tag no-database */
import { randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, layer } from "@effect/vitest"
import { DateTime, Effect, Layer, Option, Redacted } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { ServerSecret } from "../../src/platform/ServerSecret.ts"
import { Storage } from "../../src/platform/Storage.ts"
import { StorageRoutes } from "../../src/platform/StorageRoutes.ts"
import { S3Server } from "../support/S3Server.ts"

const serverUrl = HttpServer.HttpServer.useSync((server) => HttpServer.formatAddress(server.address))

const DiskLive = Layer.unwrap(
  Effect.gen(function* () {
    const directory = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "moim-storage-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    return Storage.layerDisk({ directory, publicUrl: yield* serverUrl })
  })
)

/** The S3 adapter on s3rver behind a proxy that checks SigV4 signatures as S3 does. */
const S3Live = Layer.unwrap(
  Effect.gen(function* () {
    const s3 = yield* S3Server
    return Storage.layerS3({
      bucket: s3.bucket,
      region: "us-east-1",
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: Redacted.make("S3RVER") }
    })
  })
).pipe(Layer.provide(S3Server.layer))

/** The adapter plus `StorageRoutes` served over real HTTP, as in the server. */
const withRoutes = <E>(storage: Layer.Layer<Storage, E, HttpServer.HttpServer | ServerSecret>) =>
  HttpRouter.serve(StorageRoutes, { disableLogger: true, disableListenLog: true }).pipe(
    Layer.provideMerge(storage),
    Layer.provide(
      Layer.succeed(ServerSecret, ServerSecret.make(Redacted.make("storage-test-secret-0123456789abcdef")))
    ),
    Layer.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
  )

const put = (url: string, headers: Readonly<Record<string, string>>, body: Uint8Array) =>
  Effect.promise(async () => {
    const response = await fetch(url, { method: "PUT", headers, body: new Uint8Array(body) })
    return { status: response.status, text: await response.text() }
  })

/** The signed headers without `Content-Length`: `fetch` sends the body's real length, as a client would. */
const withoutLength = (headers: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== "content-length"))

const contract = <E>(name: string, storageLayer: Layer.Layer<Storage, E, HttpServer.HttpServer | ServerSecret>) =>
  layer(withRoutes(storageLayer), { excludeTestServices: true, timeout: "60 seconds" })(name, (it) => {
    const presign = (key: string, contentLength: number) =>
      Storage.use((storage) =>
        storage.presignUpload(key, {
          contentType: "image/jpeg",
          contentLength,
          maxBytes: 1024 * 1024,
          expiresIn: "5 minutes"
        })
      )

    it.effect("an upload signed for an exact length takes that length, with the headers as given", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const upload = yield* presign("media/exact/upload", 2048)
        assert.deepStrictEqual(upload.headers, { "Content-Type": "image/jpeg", "Content-Length": "2048" })
        const body = randomBytes(2048)
        const sent = yield* put(upload.url, upload.headers, body)
        assert.strictEqual(sent.status, 200, sent.text)
        assert.deepStrictEqual(
          yield* storage.head("media/exact/upload"),
          Option.some({ size: 2048, contentType: "image/jpeg" })
        )
      })
    )

    it.effect("the storage itself refuses a larger or smaller body, or another type, than signed", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const larger = yield* presign("media/larger/upload", 1000)
        const tooLarge = yield* put(larger.url, withoutLength(larger.headers), randomBytes(5000))
        // The disk adapter answers 413; S3 finds the signed Content-Length does not match (403).
        assert.include([403, 413], tooLarge.status, tooLarge.text)
        assert.isTrue(Option.isNone(yield* storage.head("media/larger/upload")))

        const smaller = yield* presign("media/smaller/upload", 1000)
        const tooSmall = yield* put(smaller.url, withoutLength(smaller.headers), randomBytes(10))
        assert.strictEqual(tooSmall.status, 403, tooSmall.text)
        assert.isTrue(Option.isNone(yield* storage.head("media/smaller/upload")))

        const typed = yield* presign("media/typed/upload", 12)
        const otherType = yield* put(typed.url, { ...typed.headers, "Content-Type": "text/html" }, randomBytes(12))
        assert.strictEqual(otherType.status, 403, otherType.text)
        assert.isTrue(Option.isNone(yield* storage.head("media/typed/upload")))
      })
    )

    it.effect("a download signed as of a given time is the same URL, cacheable privately until it expires", () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        yield* storage.put("media/cached/w320.webp", randomBytes(64), { contentType: "image/webp" })
        const signedAt = DateTime.makeUnsafe(Math.floor(Date.now() / 86_400_000) * 86_400_000)
        const sign = storage.presignDownload("media/cached/w320.webp", { expiresIn: "7 days", signedAt })
        const first = yield* sign
        assert.strictEqual(yield* sign, first)
        const response = yield* Effect.promise(() => fetch(first))
        assert.strictEqual(response.status, 200)
        assert.strictEqual(response.headers.get("content-type"), "image/webp")
        const cacheControl = response.headers.get("cache-control") ?? ""
        assert.match(cacheControl, /^private/)
        const expiresAt = DateTime.toEpochMillis(signedAt) + 7 * 86_400_000
        const cachedUntil = cacheControl.includes("max-age=")
          ? Date.now() + Number(/max-age=(\d+)/.exec(cacheControl)?.[1]) * 1000
          : Date.parse(response.headers.get("expires") ?? "")
        assert.isTrue(Math.abs(cachedUntil - expiresAt) < 5_000, `${cacheControl} ${response.headers.get("expires")}`)
      })
    )
  })

describe("Storage upload limits and cacheable downloads", () => {
  contract("disk adapter", DiskLive)
  contract("S3 adapter (s3rver behind a SigV4 check)", S3Live)
})
