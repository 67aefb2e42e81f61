import { assert, describe, layer } from "@effect/vitest"
import { UserId } from "@moim/domain/Accounts/User"
import { MediaId } from "@moim/domain/Media/Media"
import { Groups } from "@moim/server/Groups/Groups"
import { MediaKeys } from "@moim/server/Media/MediaKeys"
import { MediaLibrary } from "@moim/server/Media/MediaLibrary"
import { Storage } from "@moim/server/platform/Storage"
import { Transaction } from "@moim/server/platform/Transaction"
import { Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import sharp from "sharp"
import { thumbHashToApproximateAspectRatio } from "thumbhash"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { PurgeUnusedMediaHandler } from "../src/Media/PurgeUnusedMedia.ts"
import { WorkerLive } from "../src/Worker.ts"
import { mediaEnv as env, OnDisk, OnS3 } from "./support/MediaServers.ts"
import {
  exifTags,
  gpsPointerTag,
  heicHeaderOnly,
  orientationTag,
  phonePhoto,
  pixelAt,
  pixelBomb,
  smallPng
} from "./support/TestImages.ts"

const cdnUrl = "https://cdn.example.com/moim"

/** On disk, with renditions served from a CDN in front of the storage. */
const OnDiskBehindCdn = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(env({ MEDIA_CDN_URL: `${cdnUrl}/` }))))

const Rendition = Schema.Struct({ width: Schema.Int, height: Schema.Int, url: Schema.String })
const AttachmentJson = Schema.Struct({
  id: Schema.String,
  status: Schema.Literals(["processing", "ready", "failed"]),
  failure: Schema.NullOr(Schema.String),
  width: Schema.NullOr(Schema.Int),
  height: Schema.NullOr(Schema.Int),
  placeholder: Schema.NullOr(Schema.String),
  renditions: Schema.Array(Rendition),
  createdAt: Schema.String
})
const decodeAttachment = Schema.decodeUnknownSync(AttachmentJson)

const UploadJson = Schema.Struct({
  mediaId: Schema.String,
  url: Schema.String,
  method: Schema.Literal("PUT"),
  headers: Schema.Record(Schema.String, Schema.String),
  maxBytes: Schema.Int,
  expiresAt: Schema.String
})
const decodeUpload = Schema.decodeUnknownSync(UploadJson)

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
}

const fetchBytes = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) }
  })

/** Starts an upload of `bytes` declared as `contentType` (and `size`, the real one unless given). */
const start = (user: TestUser, bytes: Uint8Array, contentType: string, size = bytes.byteLength) =>
  Effect.gen(function* () {
    const started = yield* call("POST", "/api/v1/media", { token: user.token, body: { contentType, size } })
    expectStatus(started, 201)
    return decodeUpload(started.json)
  })

/** Sends the bytes to the signed URL as a client does: the headers given, the body as it is. */
const send = (upload: typeof UploadJson.Type, bytes: Uint8Array) =>
  fetchBytes(upload.url, { method: upload.method, headers: upload.headers, body: new Uint8Array(bytes) })

const finalize = (user: TestUser, mediaId: string) =>
  call("POST", `/api/v1/media/${mediaId}/finalize`, { token: user.token })

/** Uploads and finalises a file; answers the photo as finalising left it (`processing`). */
const uploadPhoto = (user: TestUser, bytes: Uint8Array, contentType: string) =>
  Effect.gen(function* () {
    const upload = yield* start(user, bytes, contentType)
    const sent = yield* send(upload, bytes)
    assert.strictEqual(sent.status, 200, new TextDecoder().decode(sent.body))
    const finalized = yield* finalize(user, upload.mediaId)
    expectStatus(finalized, 200)
    return decodeAttachment(finalized.json)
  })

const getPhoto = (user: TestUser, mediaId: string) => call("GET", `/api/v1/media/${mediaId}`, { token: user.token })

/** Waits (bounded) for the worker to settle the photo, ready or failed. */
const settled = (user: TestUser, mediaId: string) =>
  eventually(
    Effect.gen(function* () {
      const response = yield* getPhoto(user, mediaId)
      expectStatus(response, 200)
      const photo = decodeAttachment(response.json)
      return photo.status === "processing" ? yield* Effect.fail(photo) : photo
    }),
    { interval: "50 millis", timeout: "30 seconds" }
  ).pipe(Effect.catch((last) => Effect.die(new Error(`still processing: ${JSON.stringify(last)}`))))

const storedAt = (key: string) => Storage.use((storage) => storage.head(key)).pipe(Effect.orDie)

/** Moves a photo's start and last change back by `hours`, as if that much time had passed. */
const age = (mediaId: string, hours: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`
      UPDATE media SET created_at = created_at - make_interval(hours => ${hours}),
        updated_at = updated_at - make_interval(hours => ${hours})
      WHERE id = ${mediaId}`.pipe(Effect.orDie)
  })

const purge = PurgeUnusedMediaHandler.run({})

/** The media pipeline end to end, on one storage adapter. */
const pipeline = <E>(name: string, services: Layer.Layer<Layer.Success<typeof OnDisk>, E>) =>
  layer(services, { excludeTestServices: true, timeout: "300 seconds" })(name, (it) => {
    it.effect("a phone photo comes out upright, in WebP renditions without its EXIF (GPS), with a placeholder", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const photo = yield* Effect.promise(phonePhoto)
        const original = yield* Effect.promise(() => sharp(photo).metadata())
        const tags = exifTags(original.exif)
        assert.isTrue(tags.has(gpsPointerTag) && tags.has(orientationTag), "the test photo carries GPS and orientation")

        const finalized = yield* uploadPhoto(ada, photo, "image/jpeg")
        assert.strictEqual(finalized.status, "processing")
        assert.deepStrictEqual(finalized.renditions, [])
        const ready = yield* settled(ada, finalized.id)
        assert.strictEqual(ready.status, "ready", ready.failure ?? "")
        assert.strictEqual(ready.failure, null)
        // Upright: the stored 1600x900 turned a quarter clockwise.
        assert.deepStrictEqual([ready.width, ready.height], [900, 1600])
        assert.deepStrictEqual(
          ready.renditions.map((rendition) => [rendition.width, rendition.height]),
          [
            [320, 569],
            [640, 1138],
            [900, 1600]
          ]
        )
        const placeholder = Buffer.from(ready.placeholder ?? "", "base64")
        const ratio = thumbHashToApproximateAspectRatio(placeholder)
        assert.isTrue(ratio > 0.45 && ratio < 0.7, `placeholder aspect ratio ${ratio}`)

        for (const rendition of ready.renditions) {
          const download = yield* fetchBytes(rendition.url)
          assert.strictEqual(download.status, 200)
          assert.strictEqual(download.headers.get("content-type"), "image/webp")
          assert.match(download.headers.get("cache-control") ?? "", /^private/)
          const metadata = yield* Effect.promise(() => sharp(download.body).metadata())
          assert.strictEqual(metadata.format, "webp")
          assert.deepStrictEqual([metadata.width, metadata.height], [rendition.width, rendition.height])
          assert.isUndefined(metadata.exif, "no EXIF in a rendition")
          assert.isUndefined(metadata.xmp, "no XMP in a rendition")
          assert.isUndefined(metadata.orientation, "no orientation left to apply")
          assert.notInclude(Buffer.from(download.body).toString("latin1"), "Moim Test Camera")
          // Red was on top of the stored image: turned clockwise, it is on the right.
          const left = yield* Effect.promise(() => pixelAt(download.body, 0.1, 0.5))
          const right = yield* Effect.promise(() => pixelAt(download.body, 0.9, 0.5))
          assert.isTrue(left.b > 150 && left.r < 80, `left is blue: ${JSON.stringify(left)}`)
          assert.isTrue(right.r > 150 && right.b < 80, `right is red: ${JSON.stringify(right)}`)
        }
        // The upload itself, GPS and all, is not kept.
        assert.isTrue(Option.isNone(yield* storedAt(MediaKeys.upload(MediaId.make(ready.id)))))

        // Finalising again answers the photo as it is; it is processed once.
        const again = yield* finalize(ada, ready.id)
        expectStatus(again, 200)
        assert.deepStrictEqual(decodeAttachment(again.json), ready)
        // Each read within a day gives the same, cacheable URLs.
        assert.deepStrictEqual(decodeAttachment((yield* getPhoto(ada, ready.id)).json).renditions, ready.renditions)
      })
    )

    it.effect("a PNG narrower than every rendition width gets one rendition at its own width", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const finalized = yield* uploadPhoto(ada, yield* Effect.promise(smallPng), "image/png")
        const ready = yield* settled(ada, finalized.id)
        assert.strictEqual(ready.status, "ready", ready.failure ?? "")
        assert.deepStrictEqual([ready.width, ready.height], [200, 100])
        assert.deepStrictEqual(
          ready.renditions.map((rendition) => [rendition.width, rendition.height]),
          [[200, 100]]
        )
        const [rendition] = ready.renditions
        const download = yield* fetchBytes(rendition?.url ?? "")
        const metadata = yield* Effect.promise(() => sharp(download.body).metadata())
        assert.deepStrictEqual([metadata.format, metadata.width, metadata.hasAlpha], ["webp", 200, true])
      })
    )

    it.effect("files that are not accepted images are refused by their bytes, whatever they were declared", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const text = new TextEncoder().encode("These are my holiday notes, not a photo at all.\n")
        const notes = yield* settled(ada, (yield* uploadPhoto(ada, text, "image/jpeg")).id)
        assert.strictEqual(notes.status, "failed")
        assert.strictEqual(notes.failure, "The file is not a JPEG, PNG, WebP, GIF, HEIC or AVIF image")
        assert.deepStrictEqual([notes.width, notes.height, notes.placeholder, notes.renditions], [null, null, null, []])
        assert.isTrue(Option.isNone(yield* storedAt(MediaKeys.upload(MediaId.make(notes.id)))))

        const pdf = new TextEncoder().encode("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
        const document = yield* settled(ada, (yield* uploadPhoto(ada, pdf, "image/png")).id)
        assert.strictEqual(
          document.failure,
          "The file is not a JPEG, PNG, WebP, GIF, HEIC or AVIF image (it is application/pdf)"
        )

        const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
        const drawing = yield* settled(ada, (yield* uploadPhoto(ada, svg, "image/webp")).id)
        assert.strictEqual(drawing.status, "failed")

        const truncated = (yield* Effect.promise(phonePhoto)).subarray(0, 400)
        const broken = yield* settled(ada, (yield* uploadPhoto(ada, truncated, "image/jpeg")).id)
        assert.strictEqual(broken.status, "failed")
        assert.match(broken.failure ?? "", /^The JPEG image could not be decoded/)

        const bomb = yield* settled(ada, (yield* uploadPhoto(ada, pixelBomb(), "image/png")).id)
        assert.deepStrictEqual(
          [bomb.status, bomb.failure],
          ["failed", "The image is 20000x20000 pixels; at most 70 megapixels are accepted"]
        )

        const heic = yield* settled(ada, (yield* uploadPhoto(ada, heicHeaderOnly(), "image/heic")).id)
        assert.strictEqual(heic.status, "failed")
        assert.match(heic.failure ?? "", /^This HEIC photo could not be decoded/)
      })
    )

    it.effect(
      "the storage refuses an upload larger than declared, or of another type; the API one over the limit",
      () =>
        Effect.gen(function* () {
          const ada = yield* signUp("Ada")
          const photo = yield* Effect.promise(phonePhoto)
          const upload = yield* start(ada, photo, "image/jpeg", 1000)
          const { "Content-Length": _declared, ...headers } = upload.headers
          // A client that sends more than it declared (and says so in its own Content-Length).
          const larger = yield* fetchBytes(upload.url, { method: "PUT", headers, body: new Uint8Array(photo) })
          assert.include([403, 413], larger.status)
          const otherType = yield* fetchBytes(upload.url, {
            method: "PUT",
            headers: { ...upload.headers, "Content-Type": "text/html" },
            body: new Uint8Array(1000)
          })
          assert.strictEqual(otherType.status, 403)
          expectStatus(yield* finalize(ada, upload.mediaId), 409, "MediaNotUploaded")

          const huge = yield* call("POST", "/api/v1/media", {
            token: ada.token,
            body: { contentType: "image/jpeg", size: upload.maxBytes + 1 }
          })
          expectStatus(huge, 400, "InvalidRequest")
          const svg = yield* call("POST", "/api/v1/media", {
            token: ada.token,
            body: { contentType: "image/svg+xml", size: 100 }
          })
          expectStatus(svg, 400, "InvalidRequest")
        })
    )

    it.effect("other features attach photos through MediaLibrary; attached ones cannot be deleted", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const bob = yield* signUp("Bob")
        const library = yield* MediaLibrary
        const inTransaction = yield* Transaction.make
        const adaId = UserId.make(ada.userId)
        const post = { kind: "post", id: "post-1" }

        const png = yield* Effect.promise(smallPng)
        const ready = MediaId.make((yield* settled(ada, (yield* uploadPhoto(ada, png, "image/png")).id)).id)
        const text = new TextEncoder().encode("not a photo")
        const failed = MediaId.make((yield* settled(ada, (yield* uploadPhoto(ada, text, "image/jpeg")).id)).id)
        const unfinished = MediaId.make((yield* start(ada, png, "image/png")).mediaId)

        const notOwner = yield* Effect.flip(inTransaction(library.claim(UserId.make(bob.userId), post, [ready])))
        assert.strictEqual(notOwner._tag, "MediaNotFound")
        for (const id of [failed, unfinished]) {
          const refused = yield* Effect.flip(inTransaction(library.claim(adaId, post, [ready, id])))
          assert.deepInclude(refused, { _tag: "MediaNotAttachable", mediaId: id })
        }
        // Nothing was attached by a refused claim.
        expectStatus(yield* call("DELETE", `/api/v1/media/${failed}`, { token: ada.token }), 204)

        yield* inTransaction(library.claim(adaId, post, [ready, ready]))
        yield* inTransaction(library.claim(adaId, post, [ready]))
        const elsewhere = yield* Effect.flip(
          inTransaction(library.claim(adaId, { kind: "post", id: "post-2" }, [ready]))
        )
        assert.deepInclude(elsewhere, { _tag: "MediaNotAttachable", mediaId: ready })

        const shown = yield* library.attachments([ready, unfinished, MediaId.make(crypto.randomUUID())])
        assert.deepStrictEqual([...shown.keys()], [ready])
        const attachment = shown.get(ready)
        assert.strictEqual(attachment?.status, "ready")
        assert.strictEqual((yield* fetchBytes(attachment?.renditions[0]?.url ?? "")).status, 200)

        expectStatus(yield* call("DELETE", `/api/v1/media/${ready}`, { token: ada.token }), 409, "MediaAttached")
        // Attached photos stay whatever their age.
        yield* age(ready, 48)
        yield* purge
        expectStatus(yield* getPhoto(ada, ready), 200)

        yield* inTransaction(library.release(post))
        expectStatus(yield* call("DELETE", `/api/v1/media/${ready}`, { token: ada.token }), 204)
        expectStatus(yield* getPhoto(ada, ready), 404, "MediaNotFound")
        const rendition = MediaKeys.rendition(ready, 200)
        assert.isTrue(Option.isNone(yield* storedAt(rendition)))
      })
    )

    it.effect("photos attached to a post show on it; editing swaps them; deleting the post frees them", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const bob = yield* signUp("Bob")
        const png = yield* Effect.promise(smallPng)
        const first = (yield* settled(ada, (yield* uploadPhoto(ada, png, "image/png")).id)).id
        const second = (yield* settled(ada, (yield* uploadPhoto(ada, png, "image/png")).id)).id
        const bobs = (yield* settled(bob, (yield* uploadPhoto(bob, png, "image/png")).id)).id
        const unfinished = (yield* start(ada, png, "image/png")).mediaId

        const created = yield* call("POST", "/api/v1/me/posts", {
          token: ada.token,
          body: { body: "Holiday", attachmentIds: [first, second] }
        })
        expectStatus(created, 201)
        const postId = String(created.body.id)
        const shown = (created.body.attachments as ReadonlyArray<unknown>).map((photo) => decodeAttachment(photo))
        assert.deepStrictEqual(
          shown.map((photo) => [photo.id, photo.status]),
          [
            [first, "ready"],
            [second, "ready"]
          ]
        )
        assert.strictEqual((yield* fetchBytes(shown[0]?.renditions[0]?.url ?? "")).status, 200)
        expectStatus(yield* call("DELETE", `/api/v1/media/${first}`, { token: ada.token }), 409, "MediaAttached")

        // Someone else's photo does not exist for you; an unfinished one cannot be attached yet.
        const notMine = yield* call("PATCH", `/api/v1/posts/${postId}`, {
          token: ada.token,
          body: { attachmentIds: [bobs] }
        })
        expectStatus(notMine, 404, "MediaNotFound")
        const early = yield* call("PATCH", `/api/v1/posts/${postId}`, {
          token: ada.token,
          body: { attachmentIds: [unfinished] }
        })
        expectStatus(early, 409, "MediaNotAttachable")
        // A refused edit changed nothing.
        const unchanged = yield* call("GET", `/api/v1/posts/${postId}`, { token: ada.token })
        assert.strictEqual((unchanged.body.attachments as ReadonlyArray<unknown>).length, 2)

        const swapped = yield* call("PATCH", `/api/v1/posts/${postId}`, {
          token: ada.token,
          body: { attachmentIds: [second] }
        })
        expectStatus(swapped, 200)
        assert.deepStrictEqual(
          (swapped.body.attachments as ReadonlyArray<unknown>).map((photo) => decodeAttachment(photo).id),
          [second]
        )
        expectStatus(yield* call("DELETE", `/api/v1/media/${first}`, { token: ada.token }), 204)

        expectStatus(yield* call("DELETE", `/api/v1/posts/${postId}`, { token: ada.token }), 204)
        expectStatus(yield* call("DELETE", `/api/v1/media/${second}`, { token: ada.token }), 204)
      })
    )

    it.effect("the hourly purge deletes uploads never finalised or never attached, and fails stuck processing", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const png = yield* Effect.promise(smallPng)
        const unattached = MediaId.make((yield* settled(ada, (yield* uploadPhoto(ada, png, "image/png")).id)).id)
        const recent = MediaId.make((yield* settled(ada, (yield* uploadPhoto(ada, png, "image/png")).id)).id)
        const abandoned = yield* start(ada, png, "image/png")
        const sent = yield* send(abandoned, png)
        assert.strictEqual(sent.status, 200)
        const abandonedId = MediaId.make(abandoned.mediaId)
        const stuck = MediaId.make((yield* start(ada, png, "image/png")).mediaId)
        // Deleted while its upload URL still works, then uploaded all the same.
        const late = yield* start(ada, png, "image/png")
        const lateId = MediaId.make(late.mediaId)
        expectStatus(yield* call("DELETE", `/api/v1/media/${lateId}`, { token: ada.token }), 204)
        assert.strictEqual((yield* send(late, png)).status, 200)
        assert.isTrue(Option.isSome(yield* storedAt(MediaKeys.upload(lateId))))
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE media SET status = 'processing' WHERE id = ${stuck}`.pipe(Effect.orDie)

        yield* age(unattached, 25)
        yield* age(abandonedId, 25)
        yield* age(stuck, 2)
        yield* age(lateId, 1)
        yield* purge

        expectStatus(yield* getPhoto(ada, unattached), 404, "MediaNotFound")
        assert.isTrue(Option.isNone(yield* storedAt(MediaKeys.rendition(unattached, 200))))
        expectStatus(yield* finalize(ada, abandonedId), 404, "MediaNotFound")
        assert.isTrue(Option.isNone(yield* storedAt(MediaKeys.upload(abandonedId))))
        assert.isTrue(Option.isNone(yield* storedAt(MediaKeys.upload(lateId))))
        expectStatus(yield* getPhoto(ada, recent), 200)
        assert.isTrue(Option.isSome(yield* storedAt(MediaKeys.rendition(recent, 200))))
        const failed = decodeAttachment((yield* getPhoto(ada, stuck)).json)
        assert.deepStrictEqual(
          [failed.status, failed.failure],
          ["failed", "Processing did not finish; upload the photo again"]
        )
      })
    )

    it.effect("the photos of a purged group's posts are purged with them; others stay", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const png = yield* Effect.promise(smallPng)
        const groupId = yield* createGroup(ada, { name: "Gone soon" })
        const inGroup = MediaId.make((yield* settled(ada, (yield* uploadPhoto(ada, png, "image/png")).id)).id)
        const onProfile = MediaId.make((yield* settled(ada, (yield* uploadPhoto(ada, png, "image/png")).id)).id)
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/posts`, {
            token: ada.token,
            body: { body: "Trip", attachmentIds: [inGroup] }
          }),
          201
        )
        expectStatus(
          yield* call("POST", "/api/v1/me/posts", {
            token: ada.token,
            body: { body: "Mine", attachmentIds: [onProfile] }
          }),
          201
        )
        expectStatus(yield* call("DELETE", `/api/v1/groups/${groupId}`, { token: ada.token }), 204)
        // The group's retention passes: its purge deletes it, and its posts with it (a cascade).
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE groups SET deleted_at = deleted_at - interval '2 days' WHERE id = ${groupId}`.pipe(
          Effect.orDie
        )
        assert.strictEqual(yield* Groups.use((groups) => groups.purgeDeleted(1)), 1)

        // The next media purge finds the photo's post gone and detaches it; a day later it goes.
        yield* purge
        yield* age(inGroup, 25)
        yield* age(onProfile, 25)
        yield* purge
        expectStatus(yield* getPhoto(ada, inGroup), 404, "MediaNotFound")
        assert.isTrue(Option.isNone(yield* storedAt(MediaKeys.rendition(inGroup, 200))))
        expectStatus(yield* getPhoto(ada, onProfile), 200)
        assert.isTrue(Option.isSome(yield* storedAt(MediaKeys.rendition(onProfile, 200))))
      })
    )
  })

describe("Media pipeline", () => {
  pipeline("on the disk storage adapter", OnDisk)
  pipeline("on the S3 storage adapter", OnS3)

  layer(OnDiskBehindCdn, { excludeTestServices: true, timeout: "120 seconds" })("behind a CDN", (it) => {
    it.effect("renditions are served from MEDIA_CDN_URL, at their storage keys", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const ready = yield* settled(ada, (yield* uploadPhoto(ada, yield* Effect.promise(smallPng), "image/png")).id)
        const key = MediaKeys.rendition(MediaId.make(ready.id), 200)
        assert.deepStrictEqual(
          ready.renditions.map((rendition) => rendition.url),
          [`${cdnUrl}/${key}`]
        )
        assert.isTrue(Option.isSome(yield* storedAt(key)))
      })
    )
  })
})
