import { createHmac, randomUUID, timingSafeEqual } from "node:crypto"
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import type { S3ClientConfig } from "@aws-sdk/client-s3"
import { Clock, Config, Context, DateTime, Duration, Effect, Layer, Option, Predicate, Redacted, Schema } from "effect"
import { AppConfig, optionalSecret } from "./AppConfig.ts"
import { ServerSecret } from "./ServerSecret.ts"

/** A key that is not a relative path of `[A-Za-z0-9._-]` segments, each starting with `[A-Za-z0-9_-]`. */
export class StorageKeyInvalid extends Schema.TaggedError<StorageKeyInvalid>()(
  "StorageKeyInvalid",
  { key: Schema.String, message: Schema.String },
  { httpApiStatus: 400 }
) {}

export class StorageObjectNotFound extends Schema.TaggedError<StorageObjectNotFound>()(
  "StorageObjectNotFound",
  { key: Schema.String, message: Schema.String },
  { httpApiStatus: 404 }
) {}

/** A storage URL served by this server whose signature is wrong, expired, or used outside what it grants. */
export class StorageSignatureInvalid extends Schema.TaggedError<StorageSignatureInvalid>()(
  "StorageSignatureInvalid",
  { message: Schema.String },
  { httpApiStatus: 403 }
) {}

export interface StorageObject {
  readonly body: Uint8Array
  readonly contentType: string
}

export interface StorageObjectInfo {
  readonly size: number
  readonly contentType: string
}

/** What a client needs to upload one object directly, without going through the API. */
export interface PresignedUpload {
  readonly url: string
  readonly method: "PUT"
  /**
   * Headers the client must send exactly as given: the content type, and the content length when the
   * upload was signed for one (both are part of the signature; `fetch` sets the length itself).
   */
  readonly headers: Readonly<Record<string, string>>
}

/** The options of `Storage.presignUpload`. */
export interface UploadOptions {
  readonly contentType: string
  /**
   * The exact size of the upload in bytes. Both adapters refuse a body of any other size: S3 through
   * the signed `Content-Length` header, the disk adapter through its signed URL. With S3 this is the
   * only size limit the store itself enforces.
   */
  readonly contentLength?: number | undefined
  /** The most bytes the upload may have; enforced by the disk adapter only (see `presignUpload`). */
  readonly maxBytes?: number | undefined
  readonly expiresIn: Duration.Input
}

/** The options of `Storage.presignDownload`. */
export interface DownloadOptions {
  readonly expiresIn: Duration.Input
  /**
   * When the URL counts as signed (default: now); it expires `expiresIn` later. Passing the start of a
   * period gives the same URL for every request in that period, so browsers and caches reuse it.
   */
  readonly signedAt?: DateTime.Utc | undefined
  /**
   * Serve the object as a download, never inline: `Content-Disposition: attachment` with this file
   * name (which is only in the URL, never in the key), and this `Content-Type`.
   */
  readonly download?: { readonly fileName: string; readonly contentType: string } | undefined
}

/** What a URL signed by the disk adapter allows, once its signature has been checked. */
export interface DiskUrlGrant {
  /** Unix time in seconds. */
  readonly expiresAt: number
  readonly contentType: Option.Option<string>
  readonly maxBytes: Option.Option<number>
  /** The exact size the upload must have. */
  readonly contentLength: Option.Option<number>
  /** A download's file name: the answer is an attachment of this name, of `contentType`. */
  readonly fileName: Option.Option<string>
}

/** Checks a request made with a URL that `layerDisk` signed. */
export type DiskUrlVerifier = (request: {
  readonly method: "GET" | "PUT"
  readonly key: string
  readonly query: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
}) => Effect.Effect<DiskUrlGrant, StorageSignatureInvalid>

/**
 * User uploads (avatars, group images, media) in S3 or any S3-compatible store, or in a directory
 * served by this server. Clients move the bytes themselves through presigned URLs; the API only
 * hands those out and records keys.
 */
export class Storage extends Context.Service<
  Storage,
  {
    readonly kind: "s3" | "disk"
    readonly put: (
      key: string,
      body: Uint8Array,
      options: { readonly contentType: string }
    ) => Effect.Effect<void, StorageKeyInvalid>
    readonly get: (key: string) => Effect.Effect<StorageObject, StorageKeyInvalid | StorageObjectNotFound>
    readonly head: (key: string) => Effect.Effect<Option.Option<StorageObjectInfo>, StorageKeyInvalid>
    /** Succeeds whether or not the object existed. */
    readonly delete: (key: string) => Effect.Effect<void, StorageKeyInvalid>
    /**
     * `contentLength` is enforced at upload by both adapters. `maxBytes` by the disk adapter only: an
     * S3 presigned PUT cannot carry a size range, so with S3 sign the exact `contentLength` (the
     * client declares it first), or check the size with `head` before accepting the upload.
     */
    readonly presignUpload: (key: string, options: UploadOptions) => Effect.Effect<PresignedUpload, StorageKeyInvalid>
    /**
     * A URL that reads the object until it expires. Its answer may be cached privately (by the
     * browser, not by shared caches) for as long as the URL stays valid. With `download`, the answer
     * is an attachment of that name and type (and `nosniff`), which browsers save rather than show.
     */
    readonly presignDownload: (key: string, options: DownloadOptions) => Effect.Effect<string, StorageKeyInvalid>
  }
>()("@moim/server/platform/Storage") {
  static readonly layerS3 = (options: {
    readonly bucket: string
    readonly region: string
    readonly endpoint?: string | undefined
    readonly forcePathStyle?: boolean | undefined
    /** Without them the AWS default credential chain applies (environment, profile, instance role). */
    readonly credentials?:
      | { readonly accessKeyId: string; readonly secretAccessKey: Redacted.Redacted<string> }
      | undefined
  }): Layer.Layer<Storage> =>
    Layer.effect(
      Storage,
      Effect.gen(function* () {
        // Loaded only where S3 is configured: the SDK is about 8 MB of memory a disk store never uses.
        const {
          DeleteObjectCommand,
          GetObjectCommand,
          HeadObjectCommand,
          PutObjectCommand,
          S3Client,
          S3ServiceException
        } = yield* Effect.promise(() => import("@aws-sdk/client-s3"))
        const { getSignedUrl } = yield* Effect.promise(() => import("@aws-sdk/s3-request-presigner"))
        const config: S3ClientConfig = {
          region: options.region,
          forcePathStyle: options.forcePathStyle ?? false,
          // The SDK's default checksums end up in presigned PUT URLs as the checksum of an empty
          // body, and several S3-compatible stores reject them.
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
          ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
          ...(options.credentials === undefined
            ? {}
            : {
                credentials: {
                  accessKeyId: options.credentials.accessKeyId,
                  secretAccessKey: Redacted.value(options.credentials.secretAccessKey)
                }
              })
        }
        const client = yield* Effect.acquireRelease(
          Effect.sync(() => new S3Client(config)),
          (client) => Effect.sync(() => client.destroy())
        )
        const Bucket = options.bucket

        const call = <A>(operation: string, key: string, run: (signal: AbortSignal) => Promise<A>) =>
          Effect.tryPromise({ try: run, catch: (cause) => cause }).pipe(
            Effect.map(Option.some),
            Effect.catch((cause) =>
              cause instanceof S3ServiceException && cause.$metadata.httpStatusCode === 404
                ? Effect.succeed(Option.none<A>())
                : Effect.die(new Error(`S3 ${operation} of "${key}" in bucket "${Bucket}" failed`, { cause }))
            )
          )

        const put = Effect.fn("Storage.put")(function* (
          key: string,
          body: Uint8Array,
          putOptions: { readonly contentType: string }
        ) {
          yield* validateKey(key)
          yield* call("PutObject", key, (abortSignal) =>
            client.send(
              new PutObjectCommand({
                Bucket,
                Key: key,
                Body: body,
                ContentType: putOptions.contentType,
                ContentLength: body.byteLength
              }),
              { abortSignal }
            )
          )
        })

        const get = Effect.fn("Storage.get")(function* (key: string) {
          yield* validateKey(key)
          const found = yield* call("GetObject", key, async (abortSignal) => {
            const output = await client.send(new GetObjectCommand({ Bucket, Key: key }), { abortSignal })
            const body = output.Body === undefined ? new Uint8Array() : await output.Body.transformToByteArray()
            return { body, contentType: output.ContentType ?? defaultContentType }
          })
          if (Option.isNone(found)) return yield* notFound(key)
          return found.value
        })

        const head = Effect.fn("Storage.head")(function* (key: string) {
          yield* validateKey(key)
          const found = yield* call("HeadObject", key, (abortSignal) =>
            client.send(new HeadObjectCommand({ Bucket, Key: key }), { abortSignal })
          )
          return Option.map(found, (output) => ({
            size: output.ContentLength ?? 0,
            contentType: output.ContentType ?? defaultContentType
          }))
        })

        const remove = Effect.fn("Storage.delete")(function* (key: string) {
          yield* validateKey(key)
          yield* call("DeleteObject", key, (abortSignal) =>
            client.send(new DeleteObjectCommand({ Bucket, Key: key }), { abortSignal })
          )
        })

        const presignUpload = Effect.fn("Storage.presignUpload")(function* (key: string, uploadOptions: UploadOptions) {
          yield* validateKey(key)
          const expiresIn = yield* expirySeconds(uploadOptions.expiresIn)
          const contentLength = yield* byteCount("contentLength", uploadOptions.contentLength)
          const url = yield* Effect.promise(() =>
            getSignedUrl(
              client,
              new PutObjectCommand({
                Bucket,
                Key: key,
                ContentType: uploadOptions.contentType,
                ...(contentLength === undefined ? {} : { ContentLength: contentLength })
              }),
              // Signed headers make S3 refuse an upload sent with another content type or size.
              { expiresIn, signableHeaders: new Set(["content-type", "content-length"]) }
            )
          )
          const upload: PresignedUpload = {
            url,
            method: "PUT",
            headers: uploadHeaders(uploadOptions.contentType, contentLength)
          }
          return upload
        })

        const presignDownload = Effect.fn("Storage.presignDownload")(function* (
          key: string,
          downloadOptions: DownloadOptions
        ) {
          yield* validateKey(key)
          const expiresIn = yield* expirySeconds(downloadOptions.expiresIn)
          const signedAt = downloadOptions.signedAt ?? (yield* DateTime.now)
          const expires = DateTime.toDateUtc(DateTime.add(signedAt, { seconds: expiresIn }))
          return yield* Effect.promise(() =>
            getSignedUrl(
              client,
              // The same caching as the disk adapter's: privately, until the URL expires.
              new GetObjectCommand({
                Bucket,
                Key: key,
                ResponseCacheControl: "private",
                ResponseExpires: expires,
                ...(downloadOptions.download === undefined
                  ? {}
                  : {
                      ResponseContentDisposition: attachmentDisposition(downloadOptions.download.fileName),
                      ResponseContentType: downloadOptions.download.contentType
                    })
              }),
              { expiresIn, signingDate: DateTime.toDateUtc(signedAt) }
            )
          )
        })

        return Storage.of({
          kind: "s3",
          put,
          get,
          head,
          delete: remove,
          presignUpload,
          presignDownload
        })
      })
    )

  /**
   * Objects as files under `directory` (`objects/avatars/@a.png` for the key `avatars/a.png`, with a
   * JSON sidecar `meta/avatars/@a.png.json` holding the content type and size), and
   * presigned URLs pointing at `${publicUrl}/storage/<key>`, which `StorageRoutes` serves.
   */
  static readonly layerDisk = (options: {
    readonly directory: string
    readonly publicUrl: string
  }): Layer.Layer<Storage, never, ServerSecret> =>
    Layer.effect(
      Storage,
      Effect.gen(function* () {
        const signingKey = (yield* ServerSecret).derive(urlSigningPurpose)
        const objectsDir = join(options.directory, "objects")
        const metaDir = join(options.directory, "meta")
        // Temporary files live beside the objects so that the final rename stays on one file system.
        const tmpDir = join(options.directory, "tmp")
        yield* Effect.promise(() =>
          Promise.all([objectsDir, metaDir, tmpDir].map((dir) => mkdir(dir, { recursive: true })))
        )
        // File names start with "@", which no key segment can, so that a key never collides with the
        // directory of a longer key ("a" beside "a/b").
        const fileFor = (root: string, key: string, suffix: string) => {
          const slash = key.lastIndexOf("/")
          return join(root, key.slice(0, slash + 1), `@${key.slice(slash + 1)}${suffix}`)
        }
        const objectPath = (key: string) => fileFor(objectsDir, key, "")
        const metaPath = (key: string) => fileFor(metaDir, key, ".json")
        const publicUrl = options.publicUrl.replace(/\/+$/, "")

        // The sidecar is written last and removed first, so it marks an object as present.
        const readMeta = (key: string) =>
          Effect.promise(() => readFile(metaPath(key), "utf8").catch(whenMissing(undefined))).pipe(
            Effect.flatMap((text) =>
              text === undefined ? Effect.succeed(Option.none()) : Effect.map(decodeMeta(text), Option.some)
            ),
            Effect.orDie
          )

        const put = Effect.fn("Storage.put")(function* (
          key: string,
          body: Uint8Array,
          putOptions: { readonly contentType: string }
        ) {
          yield* validateKey(key)
          const meta: typeof DiskMeta.Type = { contentType: putOptions.contentType, size: body.byteLength }
          yield* Effect.promise(async () => {
            const tmpObject = join(tmpDir, randomUUID())
            const tmpMeta = join(tmpDir, randomUUID())
            try {
              await writeFile(tmpObject, body, { flush: true })
              await writeFile(tmpMeta, JSON.stringify(meta), { flush: true })
              await mkdir(dirname(objectPath(key)), { recursive: true })
              await mkdir(dirname(metaPath(key)), { recursive: true })
              await rename(tmpObject, objectPath(key))
              await rename(tmpMeta, metaPath(key))
            } finally {
              await Promise.all([rm(tmpObject, { force: true }), rm(tmpMeta, { force: true })])
            }
          })
        })

        const get = Effect.fn("Storage.get")(function* (key: string) {
          yield* validateKey(key)
          const meta = yield* readMeta(key)
          if (Option.isNone(meta)) return yield* notFound(key)
          const body = yield* Effect.promise(() => readFile(objectPath(key)).catch(whenMissing(undefined)))
          if (body === undefined) return yield* notFound(key)
          const object: StorageObject = {
            body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
            contentType: meta.value.contentType
          }
          return object
        })

        const head = Effect.fn("Storage.head")(function* (key: string) {
          yield* validateKey(key)
          const meta = yield* readMeta(key)
          return Option.map(meta, (meta): StorageObjectInfo => ({ size: meta.size, contentType: meta.contentType }))
        })

        const remove = Effect.fn("Storage.delete")(function* (key: string) {
          yield* validateKey(key)
          yield* Effect.promise(async () => {
            await rm(metaPath(key), { force: true }).catch(whenMissing(undefined))
            await rm(objectPath(key), { force: true }).catch(whenMissing(undefined))
          })
        })

        const signedUrl = (
          key: string,
          expiresIn: Duration.Input,
          fields: Readonly<Record<string, string>>,
          signedAt?: DateTime.Utc
        ) =>
          Effect.gen(function* () {
            const seconds = yield* expirySeconds(expiresIn)
            const from = signedAt === undefined ? yield* Clock.currentTimeMillis : DateTime.toEpochMillis(signedAt)
            const expires = String(Math.ceil(from / 1000) + seconds)
            return (method: "GET" | "PUT") => {
              const query = new URLSearchParams({ expires, ...fields })
              query.set("sig", sign(signingKey, signedFields(method, key, expires, fields)))
              return `${publicUrl}${routePrefix}${key}?${query.toString()}`
            }
          })

        const presignUpload = Effect.fn("Storage.presignUpload")(function* (key: string, uploadOptions: UploadOptions) {
          yield* validateKey(key)
          const maxBytes = yield* byteCount("maxBytes", uploadOptions.maxBytes)
          const contentLength = yield* byteCount("contentLength", uploadOptions.contentLength)
          const url = yield* signedUrl(key, uploadOptions.expiresIn, {
            type: uploadOptions.contentType,
            ...(maxBytes === undefined ? {} : { max: String(maxBytes) }),
            ...(contentLength === undefined ? {} : { len: String(contentLength) })
          })
          const upload: PresignedUpload = {
            url: url("PUT"),
            method: "PUT",
            headers: uploadHeaders(uploadOptions.contentType, contentLength)
          }
          return upload
        })

        const presignDownload = Effect.fn("Storage.presignDownload")(function* (
          key: string,
          downloadOptions: DownloadOptions
        ) {
          yield* validateKey(key)
          const download = downloadOptions.download
          const url = yield* signedUrl(
            key,
            downloadOptions.expiresIn,
            download === undefined ? {} : { type: download.contentType, name: download.fileName },
            downloadOptions.signedAt
          )
          return url("GET")
        })

        return Storage.of({
          kind: "disk",
          put,
          get,
          head,
          delete: remove,
          presignUpload,
          presignDownload
        })
      })
    )

  /**
   * S3 when `S3_BUCKET` is set (with `S3_REGION`, `S3_ENDPOINT`, `S3_ACCESS_KEY_ID`,
   * `S3_SECRET_ACCESS_KEY`, `S3_FORCE_PATH_STYLE`), otherwise files under `<MOIM_DATA_DIR>/storage`.
   */
  static readonly layerConfig: Layer.Layer<Storage, Config.ConfigError, AppConfig | ServerSecret> = Layer.unwrap(
    Effect.gen(function* () {
      const bucket = yield* Config.option(Config.NonEmptyString("S3_BUCKET"))
      if (Option.isNone(bucket)) {
        const config = yield* AppConfig
        return Storage.layerDisk({ directory: join(config.dataDir, "storage"), publicUrl: config.publicUrl })
      }
      const region = yield* Config.NonEmptyString("S3_REGION").pipe(Config.withDefault("us-east-1"))
      const endpoint = yield* Config.option(Config.URL("S3_ENDPOINT"))
      const forcePathStyle = yield* Config.Boolean("S3_FORCE_PATH_STYLE").pipe(Config.withDefault(false))
      const accessKeyId = yield* Config.option(Config.NonEmptyString("S3_ACCESS_KEY_ID"))
      const secretAccessKey = yield* optionalSecret("S3_SECRET_ACCESS_KEY")
      if (Option.isSome(accessKeyId) !== Option.isSome(secretAccessKey)) {
        return yield* Effect.die(new Error("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together"))
      }
      return Storage.layerS3({
        bucket: bucket.value,
        region,
        forcePathStyle,
        endpoint: Option.getOrUndefined(Option.map(endpoint, (url) => url.href.replace(/\/+$/, ""))),
        credentials:
          Option.isSome(accessKeyId) && Option.isSome(secretAccessKey)
            ? { accessKeyId: accessKeyId.value, secretAccessKey: secretAccessKey.value }
            : undefined
      })
    })
  )

  /**
   * Checks a URL signed by `layerDisk`: the signature, the expiry, and the method it was signed for.
   * `StorageRoutes` uses it to serve those URLs.
   */
  static readonly diskUrlVerifier: Effect.Effect<DiskUrlVerifier, never, ServerSecret> = Effect.gen(function* () {
    const signingKey = (yield* ServerSecret).derive(urlSigningPurpose)
    return Effect.fnUntraced(function* ({ method, key, query }: Parameters<DiskUrlVerifier>[0]) {
      const signed = yield* decodeSignedQuery(query).pipe(
        Effect.mapError(() => new StorageSignatureInvalid({ message: "The storage URL is malformed" }))
      )
      const expected = Buffer.from(sign(signingKey, signedFields(method, key, signed.expires, signed)), "base64url")
      const given = Buffer.from(signed.sig, "base64url")
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return yield* new StorageSignatureInvalid({ message: "The storage URL signature is invalid" })
      }
      const expiresAt = Number(signed.expires)
      const now = yield* Clock.currentTimeMillis
      if (expiresAt * 1000 <= now) {
        return yield* new StorageSignatureInvalid({ message: "The storage URL has expired" })
      }
      return {
        expiresAt,
        contentType: Option.fromUndefinedOr(signed.type),
        maxBytes: Option.map(Option.fromUndefinedOr(signed.max), Number),
        contentLength: Option.map(Option.fromUndefinedOr(signed.len), Number),
        fileName: Option.fromUndefinedOr(signed.name)
      }
    })
  })
}

const urlSigningPurpose = "storage-url"
const routePrefix = "/storage/"
const defaultContentType = "application/octet-stream"
const maxKeyLength = 512
// The longest expiry S3 accepts for a presigned URL; the disk adapter keeps to the same bound.
const maxExpirySeconds = 7 * 24 * 60 * 60

const isValidKey: (key: string) => boolean = Schema.is(
  Schema.String.check(
    Schema.isMaxLength(maxKeyLength),
    Schema.isPattern(/^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/)
  )
)

const validateKey = (key: string): Effect.Effect<void, StorageKeyInvalid> =>
  isValidKey(key)
    ? Effect.void
    : Effect.fail(
        new StorageKeyInvalid({
          key: key.slice(0, maxKeyLength),
          message: `Storage keys are up to ${maxKeyLength} characters of "/"-separated segments of [A-Za-z0-9._-] that do not start with "."`
        })
      )

const notFound = (key: string) => Effect.fail(new StorageObjectNotFound({ key, message: `No stored object "${key}"` }))

const expirySeconds = (expiresIn: Duration.Input): Effect.Effect<number> => {
  const seconds = Math.ceil(Duration.toMillis(expiresIn) / 1000)
  return seconds >= 1 && seconds <= maxExpirySeconds
    ? Effect.succeed(seconds)
    : Effect.die(new Error(`Presigned URLs expire within 1 second to 7 days, got ${seconds} seconds`))
}

const sign = (key: Uint8Array, fields: ReadonlyArray<string>): string =>
  createHmac("sha256", key).update(JSON.stringify(fields)).digest("base64url")

/**
 * What a disk URL's signature covers; the exact length and a download's name only when signed, so
 * older URLs stay valid (the name behind a marker no length can be).
 */
const signedFields = (
  method: "GET" | "PUT",
  key: string,
  expires: string,
  fields: {
    readonly type?: string | undefined
    readonly max?: string | undefined
    readonly len?: string | undefined
    readonly name?: string | undefined
  }
): ReadonlyArray<string> => [
  method,
  key,
  expires,
  fields.type ?? "",
  fields.max ?? "",
  ...(fields.len === undefined ? [] : [fields.len]),
  ...(fields.name === undefined ? [] : ["name", fields.name])
]

// RFC 5987 `attr-char`s stay; everything else is percent-encoded as UTF-8.
const encodeFileName = (name: string) =>
  encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)

/**
 * `Content-Disposition` for a download saved as `fileName` (RFC 6266): `filename*` carries the name
 * in UTF-8; `filename` an ASCII stand-in for clients that know no better.
 */
export const attachmentDisposition = (fileName: string): string => {
  const ascii = fileName.replace(/[^\x20-\x7E]|["\\%]/g, "_")
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeFileName(fileName)}`
}

const byteCount = (name: string, value: number | undefined): Effect.Effect<number | undefined> =>
  value === undefined || (Number.isSafeInteger(value) && value >= 0)
    ? Effect.succeed(value)
    : Effect.die(new Error(`Storage ${name} must be a non-negative integer, got ${value}`))

const uploadHeaders = (contentType: string, contentLength: number | undefined): Record<string, string> =>
  contentLength === undefined
    ? { "Content-Type": contentType }
    : { "Content-Type": contentType, "Content-Length": String(contentLength) }

const Digits = Schema.String.check(Schema.isPattern(/^[0-9]{1,15}$/))

const decodeSignedQuery = Schema.decodeUnknownEffect(
  Schema.Struct({
    expires: Digits,
    sig: Schema.String,
    type: Schema.optionalKey(Schema.String),
    max: Schema.optionalKey(Digits),
    len: Schema.optionalKey(Digits),
    name: Schema.optionalKey(Schema.String)
  })
)

const DiskMeta = Schema.Struct({ contentType: Schema.String, size: Schema.Number })

const decodeMeta = Schema.decodeUnknownEffect(Schema.fromJsonString(DiskMeta))

const whenMissing =
  <A>(value: A) =>
  (error: unknown): A => {
    if (Predicate.hasProperty(error, "code") && error.code === "ENOENT") return value
    throw error
  }
