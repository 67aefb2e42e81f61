import { assert, layer } from "@effect/vitest"
import { MediaId, maxFileBytes, maxMediaBytes } from "@moim/domain/Media/Media"
import { Effect, Option, Ref, Schema } from "effect"
import { MediaKeys } from "../src/Media/MediaKeys.ts"
import { Storage } from "../src/platform/Storage.ts"
import { signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
}

const Upload = Schema.Struct({
  mediaId: Schema.String,
  url: Schema.String,
  method: Schema.Literal("PUT"),
  headers: Schema.Record(Schema.String, Schema.String),
  maxBytes: Schema.Int,
  expiresAt: Schema.String
})

const start = (user: TestUser, size: number) =>
  Effect.gen(function* () {
    const response = yield* call("POST", "/api/v1/media", {
      token: user.token,
      body: { contentType: "image/png", size }
    })
    expectStatus(response, 201)
    return Schema.decodeUnknownSync(Upload)(response.json)
  })

const send = (upload: typeof Upload.Type, bytes: Uint8Array) =>
  Effect.promise(() =>
    fetch(upload.url, { method: upload.method, headers: upload.headers, body: new Uint8Array(bytes) })
  )

/** The same frame another RPC client would write, for payloads the typed client refuses to build. */
const rawRpc = (user: TestUser, tag: string, payload: unknown) =>
  Effect.map(
    call("POST", "/rpc", {
      body: `${JSON.stringify({ _tag: "Request", id: "1", tag, payload, headers: [] })}\n`,
      headers: { "content-type": "application/ndjson", authorization: `Bearer ${user.token}` }
    }),
    (response) => response.text.split("\n")[0] ?? ""
  )

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Media API", (it) => {
  it.effect("an upload is signed for its exact size and type, then finalised once its bytes are there", () =>
    Effect.gen(function* () {
      const ada = yield* signUp("Ada")
      const upload = yield* start(ada, 100)
      assert.strictEqual(upload.maxBytes, maxMediaBytes)
      assert.deepStrictEqual(upload.headers, { "Content-Type": "image/png", "Content-Length": "100" })
      const expiresIn = Date.parse(upload.expiresAt) - Date.now()
      assert.isTrue(expiresIn > 14 * 60_000 && expiresIn <= 15 * 60_000, upload.expiresAt)

      // Not finalised, it is not a photo yet; nothing uploaded, it cannot be finalised.
      expectStatus(yield* call("GET", `/api/v1/media/${upload.mediaId}`, { token: ada.token }), 404, "MediaNotFound")
      expectStatus(
        yield* call("POST", `/api/v1/media/${upload.mediaId}/finalize`, { token: ada.token }),
        409,
        "MediaNotUploaded"
      )

      assert.strictEqual((yield* send(upload, new Uint8Array(100))).status, 200)
      const finalised = yield* call("POST", `/api/v1/media/${upload.mediaId}/finalize`, { token: ada.token })
      expectStatus(finalised, 200)
      assert.deepInclude(finalised.body, {
        id: upload.mediaId,
        status: "processing",
        failure: null,
        width: null,
        height: null,
        placeholder: null,
        renditions: []
      })
      const read = yield* call("GET", `/api/v1/media/${upload.mediaId}`, { token: ada.token })
      expectStatus(read, 200)
      assert.deepStrictEqual(read.json, finalised.json)
    })
  )

  it.effect("a stored file of another size than declared is discarded at finalising", () =>
    Effect.gen(function* () {
      const ada = yield* signUp("Ada")
      const upload = yield* start(ada, 100)
      // As a store that does not check the signed length would have let it through.
      const storage = yield* Storage
      const key = MediaKeys.upload(MediaId.make(upload.mediaId))
      yield* storage.put(key, new Uint8Array(5000), { contentType: "image/png" })
      expectStatus(
        yield* call("POST", `/api/v1/media/${upload.mediaId}/finalize`, { token: ada.token }),
        422,
        "MediaSizeMismatch"
      )
      assert.isTrue(Option.isNone(yield* storage.head(key)))
      // Uploaded again, as declared, within the URL's life, it is accepted.
      assert.strictEqual((yield* send(upload, new Uint8Array(100))).status, 200)
      expectStatus(yield* call("POST", `/api/v1/media/${upload.mediaId}/finalize`, { token: ada.token }), 200)
    })
  )

  it.effect("bad input is a typed 400 on REST and RPC, never a 500", () =>
    Effect.gen(function* () {
      const ada = yield* signUp("Ada")
      const invalid: ReadonlyArray<readonly [unknown, string]> = [
        [{ contentType: "image/svg+xml", size: 100 }, "payload.contentType"],
        [{ contentType: "text/plain", size: 100 }, "payload.contentType"],
        [{ contentType: "image/jpeg", size: 0 }, "payload.size"],
        [{ contentType: "image/jpeg", size: -1 }, "payload.size"],
        [{ contentType: "image/jpeg", size: 1.5 }, "payload.size"],
        [{ contentType: "image/jpeg", size: "100" }, "payload.size"],
        [{ contentType: "image/jpeg", size: maxMediaBytes + 1 }, "payload.size"],
        [{ contentType: "image/jpeg" }, "payload.size"],
        [{ contentType: "image/jpeg", size: 100, key: "media/other/upload" }, "payload.key"],
        [{ kind: "file", name: "a.pdf", contentType: "application/pdf", size: maxFileBytes + 1 }, "payload.size"],
        [{ kind: "file", contentType: "application/pdf", size: 100 }, "payload.name"],
        [{ kind: "file", name: "a/b.pdf", contentType: "application/pdf", size: 100 }, "payload.name"],
        [{ kind: "file", name: "a\u0007.pdf", contentType: "application/pdf", size: 100 }, "payload.name"],
        [{ kind: "file", name: "a.png", contentType: "image/png", size: 100 }, "payload.contentType"],
        [{ kind: "file", name: "a.html", contentType: "text/html", size: 100 }, "payload.contentType"],
        [{ kind: "folder", name: "a.pdf", contentType: "application/pdf", size: 100 }, "payload.kind"]
      ]
      for (const [body, path] of invalid) {
        const response = yield* call("POST", "/api/v1/media", { token: ada.token, body })
        expectStatus(response, 400, "InvalidRequest")
        const issues = response.body.issues as ReadonlyArray<{ readonly path: ReadonlyArray<string> }>
        assert.isTrue(
          issues.some((issue) => issue.path.join(".") === path),
          `${path} in ${response.text}`
        )
        assert.include(yield* rawRpc(ada, "StartMediaUpload", body), '"_tag":"InvalidRequest"', JSON.stringify(body))
      }
      expectStatus(yield* call("POST", "/api/v1/media", { token: ada.token }), 400, "InvalidRequest")
      for (const id of ["nope", "1", "00000000-0000-0000-0000-00000000000g"]) {
        expectStatus(yield* call("GET", `/api/v1/media/${id}`, { token: ada.token }), 400, "InvalidRequest")
        expectStatus(yield* call("POST", `/api/v1/media/${id}/finalize`, { token: ada.token }), 400, "InvalidRequest")
        expectStatus(yield* call("DELETE", `/api/v1/media/${id}`, { token: ada.token }), 400, "InvalidRequest")
        assert.include(yield* rawRpc(ada, "GetMedia", { id }), '"_tag":"InvalidRequest"')
      }
      const unknown = crypto.randomUUID()
      expectStatus(yield* call("GET", `/api/v1/media/${unknown}`, { token: ada.token }), 404, "MediaNotFound")
      expectStatus(yield* call("DELETE", `/api/v1/media/${unknown}`, { token: ada.token }), 404, "MediaNotFound")
    })
  )

  it.effect("over RPC: start, upload, finalise, read and delete", () =>
    Effect.gen(function* () {
      const ada = yield* signUp("Ada")
      const token = yield* Ref.make(Option.some(ada.token))
      yield* withRpcClient("websocket", Ref.get(token), (client) =>
        Effect.gen(function* () {
          const upload = yield* client.StartMediaUpload({ contentType: "image/webp", size: 32 })
          assert.deepStrictEqual(upload.headers, { "Content-Type": "image/webp", "Content-Length": "32" })
          const early = yield* Effect.flip(client.FinalizeMediaUpload({ id: upload.mediaId }))
          assert.strictEqual(early._tag, "MediaNotUploaded")
          const sent = yield* Effect.promise(() =>
            fetch(upload.url, { method: upload.method, headers: upload.headers, body: new Uint8Array(32) })
          )
          assert.strictEqual(sent.status, 200)
          const finalised = yield* client.FinalizeMediaUpload({ id: upload.mediaId })
          assert.strictEqual(finalised.status, "processing")
          assert.strictEqual((yield* client.GetMedia({ id: upload.mediaId })).id, upload.mediaId)
          yield* client.DeleteMedia({ id: upload.mediaId })
          const gone = yield* Effect.flip(client.GetMedia({ id: upload.mediaId }))
          assert.strictEqual(gone._tag, "MediaNotFound")
          assert.isTrue(Option.isNone(yield* Storage.use((storage) => storage.head(MediaKeys.upload(upload.mediaId)))))
        })
      )
    })
  )
})
