import { crc32 } from "node:zlib"
import { assert, describe, layer } from "@effect/vitest"
import { MediaId, maxFileBytes, maxMediaBytes } from "@moim/domain/Media/Media"
import { MediaKeys } from "@moim/server/Media/MediaKeys"
import { Storage } from "@moim/server/platform/Storage"
import { Effect, type Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import { PurgeUnusedMediaHandler } from "../src/Media/PurgeUnusedMedia.ts"
import { OnDisk, OnS3 } from "./support/MediaServers.ts"

const FileJson = Schema.Struct({
  name: Schema.String,
  contentType: Schema.String,
  size: Schema.Int,
  url: Schema.NullOr(Schema.String)
})
const AttachmentJson = Schema.Struct({
  id: Schema.String,
  kind: Schema.Literals(["photo", "file"]),
  status: Schema.Literals(["processing", "ready", "failed"]),
  failure: Schema.NullOr(Schema.String),
  renditions: Schema.Array(Schema.Unknown),
  file: Schema.NullOr(FileJson)
})
type AttachmentJson = typeof AttachmentJson.Type
const decodeAttachment = Schema.decodeUnknownSync(AttachmentJson)

const UploadJson = Schema.Struct({
  mediaId: Schema.String,
  url: Schema.String,
  method: Schema.Literal("PUT"),
  headers: Schema.Record(Schema.String, Schema.String),
  maxBytes: Schema.Int
})
const decodeUpload = Schema.decodeUnknownSync(UploadJson)

const MessageJson = Schema.Struct({ id: Schema.String, attachments: Schema.Array(AttachmentJson) })
const decodeMessage = Schema.decodeUnknownSync(MessageJson)

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const fetchBytes = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) }
  })

const text = (value: string) => new TextEncoder().encode(value)

/** A ZIP archive of one stored (uncompressed) entry, as `zip` writes it. */
const zipOf = (name: string, content: Uint8Array) => {
  const fileName = text(name)
  const crc = crc32(content)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt32LE(crc, 14)
  local.writeUInt32LE(content.byteLength, 18)
  local.writeUInt32LE(content.byteLength, 22)
  local.writeUInt16LE(fileName.byteLength, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt32LE(crc, 16)
  central.writeUInt32LE(content.byteLength, 20)
  central.writeUInt32LE(content.byteLength, 24)
  central.writeUInt16LE(fileName.byteLength, 28)
  const centralOffset = local.byteLength + fileName.byteLength + content.byteLength
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(central.byteLength + fileName.byteLength, 12)
  end.writeUInt32LE(centralOffset, 16)
  return new Uint8Array(Buffer.concat([local, fileName, content, central, fileName, end]))
}

const pdf = text("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
const csv = text("name,amount\nRené,12\nJosé,30\n")
/** A Windows executable's first bytes: the DOS header (`MZ`, then zeros) and its stub's message. */
const executable = new Uint8Array([
  ...text("MZ"),
  ...new Uint8Array(58),
  0x80,
  0,
  0,
  0,
  ...text("This program cannot be run in DOS mode.")
])
const html = text("<!DOCTYPE html>\n<html><body><script>document.cookie</script></body></html>\n")

interface FileUpload {
  readonly name: string
  readonly contentType: string
  readonly bytes: Uint8Array
}

const startFile = (user: TestUser, file: FileUpload, size = file.bytes.byteLength) =>
  Effect.gen(function* () {
    const started = yield* call("POST", "/api/v1/media", {
      token: user.token,
      body: { kind: "file", name: file.name, contentType: file.contentType, size }
    })
    expectStatus(started, 201)
    return decodeUpload(started.json)
  })

/** Starts, sends and finalises a file; answers it as finalising left it (`processing`). */
const uploadFile = (user: TestUser, file: FileUpload) =>
  Effect.gen(function* () {
    const upload = yield* startFile(user, file)
    const sent = yield* fetchBytes(upload.url, {
      method: upload.method,
      headers: upload.headers,
      body: new Uint8Array(file.bytes)
    })
    assert.strictEqual(sent.status, 200, new TextDecoder().decode(sent.body))
    const finalized = expectStatus(
      yield* call("POST", `/api/v1/media/${upload.mediaId}/finalize`, { token: user.token }),
      200
    )
    return decodeAttachment(finalized.json)
  })

const getMedia = (user: TestUser, mediaId: string) => call("GET", `/api/v1/media/${mediaId}`, { token: user.token })

/** Waits (bounded) for the worker to settle the upload, ready or failed. */
const settled = (user: TestUser, mediaId: string) =>
  eventually(
    Effect.gen(function* () {
      const attachment = decodeAttachment(expectStatus(yield* getMedia(user, mediaId), 200).json)
      return attachment.status === "processing" ? yield* Effect.fail(attachment) : attachment
    }),
    { interval: "50 millis", timeout: "30 seconds" }
  ).pipe(Effect.catch((last) => Effect.die(new Error(`still processing: ${JSON.stringify(last)}`))))

const uploaded = (user: TestUser, file: FileUpload) =>
  Effect.flatMap(uploadFile(user, file), (attachment) => settled(user, attachment.id))

const storedAt = (key: string) => Storage.use((storage) => storage.head(key)).pipe(Effect.orDie)

const uploadKey = (attachment: AttachmentJson) => MediaKeys.upload(MediaId.make(attachment.id))

/** Downloads a ready file and checks it comes as an attachment of its name, with its bytes. */
const expectDownload = (attachment: AttachmentJson, file: FileUpload, contentType: string) =>
  Effect.gen(function* () {
    const url = attachment.file?.url ?? ""
    assert.notInclude(new URL(url).pathname, file.name.slice(0, 4), "the key holds nothing of the file's name")
    const download = yield* fetchBytes(url)
    assert.strictEqual(download.status, 200)
    assert.deepStrictEqual(download.body, file.bytes)
    assert.strictEqual(download.headers.get("content-type"), contentType)
    const disposition = download.headers.get("content-disposition") ?? ""
    assert.match(disposition, /^attachment;/)
    // RFC 5987: UTF-8, percent-encoded, parentheses too.
    const encoded = encodeURIComponent(file.name).replace(/[()]/g, (char) => `%${char.charCodeAt(0).toString(16)}`)
    assert.include(disposition.toLowerCase(), `filename*=utf-8''${encoded.toLowerCase()}`)
    if ((yield* Storage).kind === "disk") {
      assert.strictEqual(download.headers.get("x-content-type-options"), "nosniff")
    }
  })

/** Moves an upload's start and last change back by `hours`, as if that much time had passed. */
const age = (mediaId: string, hours: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`
      UPDATE media SET created_at = created_at - make_interval(hours => ${hours}),
        updated_at = updated_at - make_interval(hours => ${hours})
      WHERE id = ${mediaId}`.pipe(Effect.orDie)
  })

const channelsOf = (user: TestUser, groupId: string) =>
  Effect.map(
    call("GET", `/api/v1/groups/${groupId}/channels`, { token: user.token }),
    (response) => expectStatus(response, 200).body.items as ReadonlyArray<{ readonly id: string }>
  )

const createChannel = (user: TestUser, groupId: string, name: string) =>
  Effect.map(
    call("POST", `/api/v1/groups/${groupId}/channels`, { token: user.token, body: { name, kind: "private" } }),
    (response) => String(expectStatus(response, 201).body.id)
  )

const searchWithFiles = (user: TestUser, q: string) =>
  Effect.map(
    call("GET", `/api/v1/me/chat/search?${new URLSearchParams({ q, hasFile: "true" }).toString()}`, {
      token: user.token
    }),
    (response) =>
      (expectStatus(response, 200).body.items as ReadonlyArray<{ readonly message: { readonly id: string } }>).map(
        (hit) => hit.message.id
      )
  )

const files = <E>(name: string, services: Layer.Layer<Layer.Success<typeof OnDisk>, E>) =>
  layer(services, { excludeTestServices: true, timeout: "300 seconds" })(name, (it) => {
    it.effect("a PDF and a CSV are checked by their bytes, kept as uploaded, and download as attachments", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const report = { name: "Résumé 2026 (final).pdf", contentType: "application/pdf", bytes: pdf }
        const started = yield* uploadFile(ada, report)
        assert.deepInclude(started, { kind: "file", status: "processing" })
        assert.deepStrictEqual(started.file, {
          name: report.name,
          contentType: "application/pdf",
          size: pdf.byteLength,
          url: null
        })
        const ready = yield* settled(ada, started.id)
        assert.strictEqual(ready.status, "ready", ready.failure ?? "")
        assert.deepStrictEqual(ready.renditions, [])
        assert.strictEqual(ready.file?.contentType, "application/pdf")
        yield* expectDownload(ready, report, "application/pdf")
        // The upload is the file: kept, not re-encoded.
        assert.isTrue(Option.isSome(yield* storedAt(uploadKey(ready))))

        const table = { name: "amounts.csv", contentType: "text/csv", bytes: csv }
        const sheet = yield* uploaded(ada, table)
        assert.strictEqual(sheet.status, "ready", sheet.failure ?? "")
        assert.strictEqual(sheet.file?.contentType, "text/csv")
        yield* expectDownload(sheet, table, "text/csv; charset=utf-8")

        // An OOXML or OpenDocument file is a ZIP: a plain archive declared as a ZIP is one.
        const archive = { name: "notes.zip", contentType: "application/zip", bytes: zipOf("notes.txt", csv) }
        const zipped = yield* uploaded(ada, archive)
        assert.strictEqual(zipped.status, "ready", zipped.failure ?? "")
        yield* expectDownload(zipped, archive, "application/zip")
      })
    )

    it.effect("a file whose bytes are not of the declared type's family, an executable or HTML fails", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const failure = (file: FileUpload) =>
          Effect.gen(function* () {
            const settledFile = yield* uploaded(ada, file)
            assert.strictEqual(settledFile.status, "failed", `${file.name} was accepted`)
            assert.isNull(settledFile.file?.url)
            // A refused file's bytes are not kept.
            assert.isTrue(Option.isNone(yield* storedAt(uploadKey(settledFile))))
            return settledFile.failure
          })
        const zip = zipOf("notes.txt", csv)
        assert.strictEqual(
          yield* failure({ name: "report.pdf", contentType: "application/pdf", bytes: zip }),
          "The file was declared application/pdf, but it is application/zip"
        )
        assert.strictEqual(
          yield* failure({ name: "report.pdf", contentType: "application/pdf", bytes: executable }),
          "The file is not application/pdf (it is application/x-msdownload, which is not accepted)"
        )
        assert.strictEqual(
          yield* failure({ name: "readme.txt", contentType: "text/plain", bytes: executable }),
          "The file is not text/plain text: it holds NUL bytes"
        )
        assert.strictEqual(
          yield* failure({ name: "page.pdf", contentType: "application/pdf", bytes: html }),
          "The file is not application/pdf: its type could not be recognised from its bytes"
        )
        assert.strictEqual(
          yield* failure({ name: "page.txt", contentType: "text/plain", bytes: html }),
          "The file is not text/plain text: it is HTML, XML or SVG, which are not accepted"
        )
        const svg = text('  <svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
        assert.strictEqual(
          yield* failure({ name: "drawing.md", contentType: "text/markdown", bytes: svg }),
          "The file is not text/markdown text: it is HTML, XML or SVG, which are not accepted"
        )
        assert.strictEqual(
          yield* failure({ name: "run.txt", contentType: "text/plain", bytes: text("#!/bin/sh\nrm -rf ~\n") }),
          "The file is not text/plain text: it is a script (#!), which is not accepted"
        )
        const latin1 = new Uint8Array([...text("name,city\nRen"), 0xe9, ...text(",Paris\n")])
        assert.strictEqual(
          yield* failure({ name: "latin1.csv", contentType: "text/csv", bytes: latin1 }),
          "The file is not text/csv text: it is not valid UTF-8"
        )
        assert.strictEqual(
          yield* failure({ name: "report.txt", contentType: "text/plain", bytes: pdf }),
          "The file is not text/plain text (it is application/pdf)"
        )
      })
    )

    it.effect("the API refuses at start a file over 100 MiB, a photo over 20 MiB and mismatched kinds", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const start = (body: Record<string, unknown>) => call("POST", "/api/v1/media", { token: ada.token, body })
        const file = { kind: "file", name: "video.mp4", contentType: "video/mp4" }
        const large = decodeUpload(expectStatus(yield* start({ ...file, size: maxFileBytes }), 201).json)
        assert.strictEqual(large.maxBytes, maxFileBytes)
        assert.strictEqual(large.headers["Content-Length"], String(maxFileBytes))
        expectStatus(yield* start({ ...file, size: maxFileBytes + 1 }), 400, "InvalidRequest")
        // Existing requests stay valid: no kind is a photo, limited to 20 MiB.
        const photo = decodeUpload(
          expectStatus(yield* start({ contentType: "image/jpeg", size: maxMediaBytes }), 201).json
        )
        assert.strictEqual(photo.maxBytes, maxMediaBytes)
        expectStatus(yield* start({ contentType: "image/jpeg", size: maxMediaBytes + 1 }), 400, "InvalidRequest")
        expectStatus(yield* start({ contentType: "application/pdf", size: 100 }), 400, "InvalidRequest")
        expectStatus(yield* start({ ...file, contentType: "image/png", size: 100 }), 400, "InvalidRequest")
        expectStatus(yield* start({ kind: "file", contentType: "application/pdf", size: 100 }), 400, "InvalidRequest")
        for (const name of ["../etc/passwd", "a\\b.pdf", "line\nbreak.pdf", "", "..", "x".repeat(256)]) {
          expectStatus(yield* start({ ...file, name, size: 100 }), 400, "InvalidRequest")
        }
        for (const contentType of [
          "text/html",
          "image/svg+xml",
          "application/x-msdownload",
          "application/octet-stream"
        ]) {
          expectStatus(yield* start({ ...file, contentType, size: 100 }), 400, "InvalidRequest")
        }
      })
    )

    it.effect("files go on chat messages (not posts), only to who may read the channel; the purge removes them", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const bob = yield* signUp("Bob")
        const carol = yield* signUp("Carol")
        const groupId = yield* createGroup(ada, { name: "Accounts" })
        for (const member of [bob, carol]) {
          const joined = yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: member.token, body: {} })
          assert.isTrue(joined.status >= 200 && joined.status < 300, joined.text)
        }
        const room = yield* createChannel(ada, groupId, "books")
        expectStatus(yield* call("PUT", `/api/v1/channels/${room}/members/${bob.userId}`, { token: ada.token }), 200)
        const carols = yield* createChannel(carol, groupId, "carols")

        const report = { name: "Q3 report.pdf", contentType: "application/pdf", bytes: pdf }
        const table = { name: "Q3 amounts.csv", contentType: "text/csv", bytes: csv }
        const [reportFile, tableFile] = yield* Effect.all([uploaded(ada, report), uploaded(ada, table)])

        const message = decodeMessage(
          expectStatus(
            yield* call("POST", `/api/v1/channels/${room}/messages`, {
              token: ada.token,
              body: { body: "Quarterly figures attached", attachmentIds: [reportFile.id, tableFile.id] }
            }),
            201
          ).json
        )
        assert.deepStrictEqual(
          message.attachments.map((attachment) => [attachment.kind, attachment.file?.name]),
          [
            ["file", report.name],
            ["file", table.name]
          ]
        )
        // Bob, in the channel, downloads them from the message.
        const history = expectStatus(yield* call("GET", `/api/v1/channels/${room}/messages`, { token: bob.token }), 200)
        const seen = decodeMessage((history.body.items as ReadonlyArray<unknown>).at(-1))
        const [seenReport, seenTable] = seen.attachments
        assert.isDefined(seenReport)
        assert.isDefined(seenTable)
        if (seenReport !== undefined && seenTable !== undefined) {
          yield* expectDownload(seenReport, report, "application/pdf")
          yield* expectDownload(seenTable, table, "text/csv; charset=utf-8")
        }
        // Only its uploader reads a file through /media.
        expectStatus(yield* getMedia(bob, reportFile.id), 404, "MediaNotFound")
        expectStatus(yield* getMedia(carol, reportFile.id), 404, "MediaNotFound")
        // Carol, in the group and in a private channel of her own, never sees the message or its files.
        expectStatus(yield* call("GET", `/api/v1/messages/${message.id}`, { token: carol.token }), 404)
        expectStatus(yield* call("GET", `/api/v1/channels/${room}/messages`, { token: carol.token }), 404)
        assert.notInclude(
          (yield* channelsOf(carol, groupId)).map((channel) => channel.id),
          room
        )
        assert.include(
          (yield* channelsOf(carol, groupId)).map((channel) => channel.id),
          carols
        )
        assert.deepStrictEqual(yield* searchWithFiles(carol, "quarterly"), [])
        // Search's `hasFile` covers files.
        assert.deepStrictEqual(yield* searchWithFiles(bob, "quarterly"), [message.id])

        // A post takes photos only.
        const loose = yield* uploaded(ada, { ...report, name: "loose.pdf" })
        const post = yield* call("POST", "/api/v1/me/posts", {
          token: ada.token,
          body: { body: "Figures", attachmentIds: [loose.id] }
        })
        expectStatus(post, 422, "MediaNotAPhoto")
        assert.strictEqual(post.body.mediaId, loose.id)
        expectStatus(yield* call("DELETE", `/api/v1/media/${loose.id}`, { token: ada.token }), 204)
        assert.isTrue(Option.isNone(yield* storedAt(uploadKey(loose))))

        // Deleting the message releases its files; a day later the purge removes their originals.
        expectStatus(yield* call("DELETE", `/api/v1/messages/${message.id}`, { token: ada.token }), 204)
        yield* PurgeUnusedMediaHandler.run({})
        assert.isTrue(Option.isSome(yield* storedAt(uploadKey(reportFile))), "kept through the grace period")
        yield* age(reportFile.id, 25)
        yield* age(tableFile.id, 25)
        yield* PurgeUnusedMediaHandler.run({})
        for (const gone of [reportFile, tableFile]) {
          expectStatus(yield* getMedia(ada, gone.id), 404, "MediaNotFound")
          assert.isTrue(Option.isNone(yield* storedAt(uploadKey(gone))))
        }
      })
    )
  })

describe("Media files", () => {
  files("on the disk storage adapter", OnDisk)
  files("on the S3 storage adapter", OnS3)
})
