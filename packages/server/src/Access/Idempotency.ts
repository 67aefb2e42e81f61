import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto"
import { Features } from "@moim/domain/Features"
import { IdempotencyKeyInProgress, IdempotencyKeyReused } from "@moim/domain/Kit/Idempotency"
import { InvalidRequest } from "@moim/domain/Kit/InvalidRequest"
import { Context, Effect, Exit, Layer, Option, Schema } from "effect"
import { type Headers, HttpServerRequest, HttpServerResponse } from "effect/http"
import type { Rpc, RpcMiddleware } from "effect/rpc"
import { type AnswerCookies, ResponseExtras } from "../http/ResponseExtras.ts"
import { ServerSecret } from "../platform/ServerSecret.ts"
import { IdempotencyRepo, type StoredResponse } from "./IdempotencyRepo.ts"

/** The methods whose requests may carry an `Idempotency-Key`: those that change something. */
const unsafeMethods: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"])

/** The RPCs whose REST twin is unsafe: the calls an `idempotency-key` header applies to. */
const unsafeRpcs: ReadonlySet<string> = new Set(
  Features.flatMap((feature) =>
    feature.operations.flatMap((operation) =>
      unsafeMethods.has(operation.endpoint.method) ? [operation.rpc._tag] : []
    )
  )
)

/**
 * The JSON form of an RPC's payload or success value. The RPC's schemas are typed `Schema.Top`,
 * whose services are unknown; the domain's schemas need none (the RPC server encodes them with
 * none), which the two assertions state.
 */
const jsonCodec = (schema: Schema.Top) => {
  const codec = Schema.toCodecJson(schema)
  return {
    encode: (value: unknown) => Schema.encodeUnknownEffect(codec)(value) as Effect.Effect<unknown, Schema.SchemaError>,
    decode: (json: unknown) => Schema.decodeUnknownEffect(codec)(json) as Effect.Effect<unknown, Schema.SchemaError>
  }
}

/** A key is 1 to 255 visible ASCII characters (a UUID, a ULID, any client's random string). */
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/

/** How long a response is kept for its key. */
const ttlSeconds = 24 * 60 * 60

/**
 * How long a running request holds its key. A process that dies mid-request leaves the key held
 * this long; then a repeat runs the request again.
 */
const lockSeconds = 60

/** Responses larger than this are not kept (no unsafe operation answers with that much). */
const maxStoredBytes = 256 * 1024

/** The response headers a repeat gets back, beside the status, the content type and the body. */
const keptHeaders = ["location", "etag", "last-modified"] as const

/**
 * Where a kept response holds the cookies (and their headers) its request set through
 * `ResponseExtras`, encrypted like the body: a sign-in's cookies carry its refresh token.
 */
const sealedExtrasHeader = "x-moim-sealed-extras"

const CookieOptions = Schema.Struct({
  domain: Schema.optional(Schema.String),
  path: Schema.optional(Schema.String),
  maxAge: Schema.optional(Schema.Number),
  httpOnly: Schema.optional(Schema.Boolean),
  secure: Schema.optional(Schema.Boolean),
  sameSite: Schema.optional(Schema.Literals(["lax", "strict", "none"]))
})
const decodeExtras = Schema.decodeUnknownOption(
  Schema.fromJsonString(
    Schema.Struct({
      cookies: Schema.mutable(Schema.Array(Schema.Tuple([Schema.String, Schema.String, CookieOptions]))),
      headers: Schema.Record(Schema.String, Schema.String)
    })
  )
)

const errorResponse = (status: number, tag: string, message: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.jsonUnsafe({ _tag: tag, message }, { status, headers })

const invalidKey = HttpServerResponse.jsonUnsafe(
  {
    _tag: "InvalidRequest",
    message: "Idempotency-Key must be 1 to 255 visible ASCII characters",
    issues: [{ path: ["headers", "idempotency-key"], message: "Expected 1 to 255 visible ASCII characters" }]
  },
  { status: 400 }
)

const keyReused = errorResponse(
  422,
  "IdempotencyKeyReused",
  "This Idempotency-Key was already used for a different request: use a new key for a new request"
)

const inProgress = errorResponse(
  409,
  "IdempotencyKeyInProgress",
  "A request with this Idempotency-Key is still running: send it again in a moment to get its response",
  { "retry-after": "1" }
)

/**
 * Runs unsafe requests at most once per caller and `Idempotency-Key`, so a client may send a
 * request again after losing its response:
 *
 * - the first request with a key runs, and its successful response (status, body, `Location`,
 *   `ETag`) is kept for 24 hours;
 * - a repeat with the same key and the same request (method, URL and body) gets that response
 *   back, with `Idempotent-Replayed: true`, without running again;
 * - the same key with a different request is `422 IdempotencyKeyReused`;
 * - a repeat while the first still runs is `409 IdempotencyKeyInProgress` with `Retry-After`.
 *
 * A request that fails (any 4xx or 5xx) keeps nothing: it changed nothing, and the key may be sent
 * again. Keys are stored in Postgres, so they hold across server processes.
 */
export class Idempotency extends Context.Service<
  Idempotency,
  {
    /**
     * Wraps one REST request of `scope` (the signed-in user's id, or `anonymous`). Requests without
     * the header, and safe methods, run as they are.
     */
    readonly rest: <E, R>(
      scope: string,
      httpEffect: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
    ) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest>
    /**
     * The same for one RPC call, keyed by its `idempotency-key` header: a repeat gets the first
     * call's success value back; a different call with the key fails `IdempotencyKeyReused`, one
     * while the first runs `IdempotencyKeyInProgress`.
     */
    readonly rpc: <E, R>(
      scope: string,
      effect: Effect.Effect<RpcMiddleware.SuccessValue, E, R>,
      call: { readonly rpc: Rpc.AnyWithProps; readonly payload: unknown; readonly headers: Headers.Headers }
    ) => Effect.Effect<
      RpcMiddleware.SuccessValue,
      E | InvalidRequest | IdempotencyKeyReused | IdempotencyKeyInProgress,
      R
    >
  }
>()("@moim/server/Access/Idempotency") {
  static readonly layer = Layer.effect(
    Idempotency,
    Effect.gen(function* () {
      const repo = yield* IdempotencyRepo
      const encryptionKey = (yield* ServerSecret).derive("idempotency-responses")

      /** AES-256-GCM, bound to its scope and key: nonce, ciphertext and tag, base64. */
      const seal = (scope: string, key: string, body: Uint8Array): string => {
        const nonce = randomBytes(12)
        const cipher = createCipheriv("aes-256-gcm", encryptionKey, nonce)
        cipher.setAAD(Buffer.from(`${scope}\n${key}`))
        const sealed = Buffer.concat([nonce, cipher.update(body), cipher.final(), cipher.getAuthTag()])
        return sealed.toString("base64")
      }

      const open = (scope: string, key: string, sealed: string): Uint8Array => {
        const bytes = Buffer.from(sealed, "base64")
        const decipher = createDecipheriv("aes-256-gcm", encryptionKey, bytes.subarray(0, 12))
        decipher.setAAD(Buffer.from(`${scope}\n${key}`))
        decipher.setAuthTag(bytes.subarray(bytes.length - 16))
        return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()])
      }

      const fingerprintOf = (request: HttpServerRequest.HttpServerRequest) =>
        Effect.map(request.arrayBuffer, (body) =>
          createHash("sha256").update(`${request.method} ${request.url}\n`).update(new Uint8Array(body)).digest("hex")
        )

      /** What is kept of a response, or nothing when it must not be (a failure, a stream, a large body). */
      const toStored = (
        scope: string,
        key: string,
        response: HttpServerResponse.HttpServerResponse,
        extras: Option.Option<AnswerCookies>
      ): StoredResponse | undefined => {
        if (response.status >= 300) return undefined
        const headers: Record<string, string> = {}
        for (const name of keptHeaders) {
          const value = response.headers[name]
          if (value !== undefined) headers[name] = value
        }
        if (Option.isSome(extras) && extras.value.cookies.length + Object.keys(extras.value.headers).length > 0) {
          headers[sealedExtrasHeader] = seal(
            scope,
            key,
            Buffer.from(JSON.stringify({ cookies: extras.value.cookies, headers: extras.value.headers }))
          )
        }
        const body = response.body
        if (body._tag === "Empty") return { status: response.status, contentType: null, headers, body: null }
        if (body._tag !== "Uint8Array" || body.body.byteLength > maxStoredBytes) return undefined
        return { status: response.status, contentType: body.contentType, headers, body: seal(scope, key, body.body) }
      }

      const replay = (scope: string, key: string, stored: StoredResponse) => {
        const { [sealedExtrasHeader]: sealedExtras, ...kept } = stored.headers
        const headers = { ...kept, "idempotent-replayed": "true" }
        const response =
          stored.body === null
            ? HttpServerResponse.empty({ status: stored.status, headers })
            : HttpServerResponse.uint8Array(open(scope, key, stored.body), {
                status: stored.status,
                headers,
                ...(stored.contentType === null ? {} : { contentType: stored.contentType })
              })
        if (sealedExtras === undefined) return response
        const extras = decodeExtras(Buffer.from(open(scope, key, sealedExtras)).toString("utf8"))
        return Option.isNone(extras) ? response : ResponseExtras.applyCookies(response, extras.value)
      }

      /**
       * The one claim protocol of both surfaces: claim the key for this request's fingerprint, then
       * answer a mismatch, a request still running, or a kept response in the surface's own way, or
       * run the request and keep what `keep` makes of its success (nothing keeps the key free).
       */
      const claimed = <A, E, R, F>(options: {
        readonly scope: string
        readonly key: string
        readonly fingerprint: string
        readonly run: Effect.Effect<A, E, R>
        readonly keep: (value: A) => Effect.Effect<StoredResponse | undefined>
        readonly replay: (stored: StoredResponse) => Effect.Effect<A, F>
        readonly mismatch: Effect.Effect<A, F>
        readonly running: Effect.Effect<A, F>
      }) =>
        Effect.gen(function* () {
          const { scope, key } = options
          const claim = yield* repo.claim({ scope, key, fingerprint: options.fingerprint, lockSeconds, ttlSeconds })
          switch (claim._tag) {
            case "Mismatch":
              return yield* options.mismatch
            case "Running":
              return yield* options.running
            case "Done":
              return yield* options.replay(claim.response)
            case "Claimed": {
              const owner = claim.owner
              return yield* options.run.pipe(
                Effect.onExit((exit) =>
                  (Exit.isSuccess(exit) ? options.keep(exit.value) : Effect.succeed(undefined)).pipe(
                    Effect.flatMap((stored) =>
                      stored === undefined
                        ? repo.release({ scope, key, owner })
                        : repo.complete({ scope, key, owner, response: stored })
                    )
                  )
                )
              )
            }
          }
        })

      const once = <E, R>(
        scope: string,
        key: string,
        request: HttpServerRequest.HttpServerRequest,
        httpEffect: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
      ) =>
        Effect.flatMap(Effect.orDie(fingerprintOf(request)), (fingerprint) =>
          claimed({
            scope,
            key,
            fingerprint,
            run: httpEffect,
            keep: (response) =>
              Effect.map(Effect.serviceOption(ResponseExtras), (extras) => toStored(scope, key, response, extras)),
            replay: (stored) => Effect.succeed(replay(scope, key, stored)),
            mismatch: Effect.succeed(keyReused),
            running: Effect.succeed(inProgress)
          })
        )

      const rpcOnce = <E, R>(
        scope: string,
        key: string,
        effect: Effect.Effect<RpcMiddleware.SuccessValue, E, R>,
        rpc: Rpc.AnyWithProps,
        payload: unknown
      ) =>
        Effect.gen(function* () {
          const payloadJson = yield* Effect.orDie(jsonCodec(rpc.payloadSchema).encode(payload))
          const fingerprint = createHash("sha256")
            .update(`RPC ${rpc._tag}\n`)
            .update(JSON.stringify(payloadJson) ?? "")
            .digest("hex")
          const success = jsonCodec(rpc.successSchema)
          return yield* claimed<RpcMiddleware.SuccessValue, E, R, IdempotencyKeyReused | IdempotencyKeyInProgress>({
            scope,
            key,
            fingerprint,
            run: effect,
            // The success value as JSON, sealed; a value that does not encode keeps nothing.
            keep: (value) =>
              success.encode(value).pipe(
                Effect.map((json): StoredResponse => {
                  const text = JSON.stringify(json)
                  return text === undefined
                    ? { status: 200, contentType: null, headers: {}, body: null }
                    : {
                        status: 200,
                        contentType: "application/json",
                        headers: {},
                        body: seal(scope, key, Buffer.from(text))
                      }
                }),
                Effect.orElseSucceed(() => undefined)
              ),
            replay: (stored) => {
              const json: unknown =
                stored.body === null
                  ? undefined
                  : JSON.parse(Buffer.from(open(scope, key, stored.body)).toString("utf8"))
              // The value the handler returned the first time, decoded with the call's own success schema.
              return Effect.map(Effect.orDie(success.decode(json)), (value) => value as RpcMiddleware.SuccessValue)
            },
            mismatch: Effect.fail(
              new IdempotencyKeyReused({
                message: "This idempotency-key was already used for a different call: use a new key for a new call"
              })
            ),
            running: Effect.fail(
              new IdempotencyKeyInProgress({
                message: "A call with this idempotency-key is still running: send it again in a moment"
              })
            )
          })
        })

      return Idempotency.of({
        rpc: (scope, effect, { rpc, payload, headers }) => {
          if (!unsafeRpcs.has(rpc._tag)) return effect
          const key = headers["idempotency-key"]
          if (key === undefined) return effect
          if (!idempotencyKeyPattern.test(key)) {
            return Effect.fail(
              new InvalidRequest({
                message: "idempotency-key must be 1 to 255 visible ASCII characters",
                issues: [
                  { path: ["headers", "idempotency-key"], message: "Expected 1 to 255 visible ASCII characters" }
                ]
              })
            )
          }
          return rpcOnce(scope, key, effect, rpc, payload)
        },
        rest: (scope, httpEffect) =>
          HttpServerRequest.HttpServerRequest.use((request) => {
            if (!unsafeMethods.has(request.method)) return httpEffect
            const key = request.headers["idempotency-key"]
            if (key === undefined) return httpEffect
            if (!idempotencyKeyPattern.test(key)) return Effect.succeed(invalidKey)
            return once(scope, key, request, httpEffect)
          })
      })
    })
  ).pipe(Layer.provide(IdempotencyRepo.layer))
}
